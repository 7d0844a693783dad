"""Tariff versions, exchange rates, assessments and payments in the database."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.declarations.ports import RecordedPayment
from silkgate.kernel.versioned import FileLoad
from silkgate.store.tables import (
    declaration_assessments,
    exchange_rate_loads,
    exchange_rates,
    payments,
    tariff_lines,
    tariff_measures,
    tariff_versions,
)
from silkgate.store.versions import provenance
from silkgate.tariff.assessment import Assessment
from silkgate.tariff.files import ParsedTariff
from silkgate.tariff.rates import Rate
from silkgate.tariff.schedule import Measure, MeasureKind, Schedule, build

_CHUNK = 5000


def _chunks(rows: list[dict[str, Any]]):
    for i in range(0, len(rows), _CHUNK):
        yield rows[i : i + _CHUNK]


# --- tariff ---------------------------------------------------------------------


def add_tariff_version(
    conn: sa.Connection,
    parsed: ParsedTariff,
    load: FileLoad,
) -> int:
    """Store a parsed schedule as a new version and make it the active one."""
    conn.execute(tariff_versions.update().values(active=False))
    version_id = conn.execute(
        tariff_versions.insert().returning(tariff_versions.c.id),
        {
            "title": parsed.title,
            "illustrative": parsed.illustrative,
            **provenance(load),
            "lines": len(parsed.lines),
            "measures": len(parsed.measures),
            "active": True,
        },
    ).scalar_one()
    lines = [
        {"version_id": version_id, "code": c, "description": d, "unit": u}
        for c, d, u in parsed.lines
    ]
    for chunk in _chunks(lines):
        conn.execute(tariff_lines.insert(), chunk)
    measures = [
        {
            "version_id": version_id,
            "code": code,
            "kind": m.kind.value,
            "agreement": m.agreement,
            "valid_from": m.valid_from,
            "valid_to": m.valid_to,
            "ad_valorem": m.ad_valorem,
            "specific": m.specific,
            "unit": m.unit,
            "minimum": m.minimum,
            "maximum": m.maximum,
        }
        for code, m in parsed.measures
    ]
    for chunk in _chunks(measures):
        conn.execute(tariff_measures.insert(), chunk)
    return version_id


def tariff_versions_list(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(tariff_versions.select().order_by(tariff_versions.c.id.desc()))
    return [dict(r._mapping) for r in rows]


def activate(conn: sa.Connection, version_id: int) -> bool:
    """Make an earlier (or later) version the active one; False if there is no such version."""
    exists = conn.execute(
        sa.select(tariff_versions.c.id).where(tariff_versions.c.id == version_id)
    ).first()
    if exists is None:
        return False
    conn.execute(tariff_versions.update().values(active=tariff_versions.c.id == version_id))
    return True


def active_version(conn: sa.Connection) -> int | None:
    # max(): two loads racing on PostgreSQL could each leave their version active;
    # the newer one is then the one in force.
    return conn.execute(
        sa.select(sa.func.max(tariff_versions.c.id)).where(tariff_versions.c.active.is_(True))
    ).scalar()


def _dec(value: Any) -> Decimal | None:
    return None if value is None else _amount(value)


def _amount(value: Any) -> Decimal:
    """A figure of a NOT NULL Numeric column."""
    # SQLite hands back floats for Numeric only when asked to; keep them exact via str.
    # Trailing zeros of the column's scale (7.1000000000) are not part of the figure.
    return (value if isinstance(value, Decimal) else Decimal(str(value))).normalize()


def load_schedule(
    conn: sa.Connection, currency: str, version_id: int | None = None
) -> Schedule | None:
    """The active schedule (or ``version_id``), built in memory; None if none is loaded."""
    version_id = version_id or active_version(conn)
    if version_id is None:
        return None
    meta = conn.execute(tariff_versions.select().where(tariff_versions.c.id == version_id)).one()
    lines = conn.execute(
        sa.select(tariff_lines.c.code, tariff_lines.c.description, tariff_lines.c.unit).where(
            tariff_lines.c.version_id == version_id
        )
    ).all()
    m = tariff_measures.c
    kinds = {k.value: k for k in MeasureKind}
    measures = [
        (
            r.code,
            Measure(
                kinds[r.kind],
                r.agreement,
                r.valid_from,
                r.valid_to,
                _dec(r.ad_valorem),
                _dec(r.specific),
                r.unit,
                _dec(r.minimum),
                _dec(r.maximum),
            ),
        )
        for r in conn.execute(
            sa.select(
                m.code,
                m.kind,
                m.agreement,
                m.valid_from,
                m.valid_to,
                m.ad_valorem,
                m.specific,
                m.unit,
                m.minimum,
                m.maximum,
            ).where(m.version_id == version_id)
        )
    ]
    return build(
        version_id,
        meta.title,
        meta.illustrative,
        currency,
        [(r.code, r.description, r.unit) for r in lines],
        measures,
    )


# --- exchange rates ---------------------------------------------------------------


@dataclass(frozen=True)
class RateConflict:
    rate: Rate
    stored: Decimal


def rate_conflicts(conn: sa.Connection, rates: list[Rate]) -> list[RateConflict]:
    """Loaded rates that would change a stored rate for the same currency and start date."""
    stored = {
        (r.currency, r.valid_from): _amount(r.rate)
        for r in conn.execute(
            sa.select(exchange_rates.c.currency, exchange_rates.c.valid_from, exchange_rates.c.rate)
        )
    }
    return [
        RateConflict(r, stored[(r.currency, r.valid_from)])
        for r in rates
        if (r.currency, r.valid_from) in stored and stored[(r.currency, r.valid_from)] != r.rate
    ]


def add_rates(
    conn: sa.Connection,
    rates: list[Rate],
    load: FileLoad,
) -> tuple[int, int]:
    """Store rates (replacing those with the same currency and start); (new, replaced)."""
    load_id = conn.execute(
        exchange_rate_loads.insert().returning(exchange_rate_loads.c.id),
        {**provenance(load), "rows": len(rates)},
    ).scalar_one()
    keys = {(r.currency, r.valid_from) for r in rates}
    existing = {
        (r.currency, r.valid_from)
        for r in conn.execute(sa.select(exchange_rates.c.currency, exchange_rates.c.valid_from))
    } & keys
    for currency, start in existing:
        conn.execute(
            exchange_rates.delete().where(
                exchange_rates.c.currency == currency, exchange_rates.c.valid_from == start
            )
        )
    rows = [
        {
            "currency": r.currency,
            "valid_from": r.valid_from,
            "valid_to": r.valid_to,
            "rate": r.rate,
            "load_id": load_id,
        }
        for r in rates
    ]
    for chunk in _chunks(rows):
        conn.execute(exchange_rates.insert(), chunk)
    return len(rates) - len(existing), len(existing)


def all_rates(conn: sa.Connection) -> list[Rate]:
    return [
        Rate(r.currency, r.valid_from, r.valid_to, _amount(r.rate))
        for r in conn.execute(exchange_rates.select())
    ]


def rates_version(conn: sa.Connection) -> int:
    return conn.execute(sa.select(sa.func.max(exchange_rate_loads.c.id))).scalar() or 0


# --- assessments ------------------------------------------------------------------

_INSERT_ASSESSMENT = declaration_assessments.insert()


def assessment_row(assessment: Assessment) -> dict[str, Any]:
    """The columns of an assessment, without the declaration id, version and time."""
    totals = assessment.totals
    return {
        "on_date": assessment.on,
        "currency": assessment.currency,
        "tariff_version": assessment.tariff_version,
        "customs_value": totals["customs_value"],
        "duty": totals["duty"],
        "excise": totals["excise"],
        "vat": totals["vat"],
        "total": totals["total"],
        "duty_forgone": totals["duty_forgone"],
        "preference_withheld": totals["preference_withheld"],
        "detail": orjson.dumps(assessment.as_json()).decode(),
    }


def insert_assessments(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(_INSERT_ASSESSMENT, rows)


def replace_assessment(
    conn: sa.Connection, declaration_id: int, version: int, values: dict[str, Any]
) -> None:
    """Assess a version again in place (a preference given once its proof arrived)."""
    a = declaration_assessments.c
    conn.execute(
        declaration_assessments.update()
        .where(a.declaration_id == declaration_id, a.version == version)
        .values(**values)
    )


def preference_withheld(conn: sa.Connection, declaration_id: int, version: int) -> Decimal:
    """The duty assessed on a version while its preference claims wait or were not given."""
    value = conn.execute(
        sa.select(declaration_assessments.c.preference_withheld).where(
            declaration_assessments.c.declaration_id == declaration_id,
            declaration_assessments.c.version == version,
        )
    ).scalar_one_or_none()
    return _amount(value) if value is not None else Decimal(0)


def assessment_of(conn: sa.Connection, declaration_id: int, version: int) -> dict[str, Any] | None:
    row = conn.execute(
        sa.select(
            declaration_assessments.c.assessed_at,
            declaration_assessments.c.total,
            declaration_assessments.c.currency,
            declaration_assessments.c.detail,
        ).where(
            declaration_assessments.c.declaration_id == declaration_id,
            declaration_assessments.c.version == version,
        )
    ).first()
    if row is None:
        return None
    detail = orjson.loads(row.detail)
    detail["assessed_at"] = row.assessed_at.isoformat().replace("+00:00", "Z")
    detail["version"] = version
    return detail


def assessed_total(conn: sa.Connection, declaration_id: int, version: int) -> Decimal | None:
    value = conn.execute(
        sa.select(declaration_assessments.c.total).where(
            declaration_assessments.c.declaration_id == declaration_id,
            declaration_assessments.c.version == version,
        )
    ).scalar_one_or_none()
    return _dec(value)


# --- payments and guarantees ----------------------------------------------------------


def add_payment(conn: sa.Connection, declaration_id: int, payment: RecordedPayment) -> int:
    row = {"declaration_id": declaration_id, **dataclasses.asdict(payment)}
    return conn.execute(payments.insert().returning(payments.c.id), row).scalar_one()


_PAYMENT_COLUMNS = [payments.c[f.name] for f in dataclasses.fields(RecordedPayment)]


def payments_of(conn: sa.Connection, declaration_id: int) -> list[RecordedPayment]:
    """The payments and guarantees of a declaration, in the order they were recorded."""
    rows = conn.execute(
        sa.select(*_PAYMENT_COLUMNS)
        .where(payments.c.declaration_id == declaration_id)
        .order_by(payments.c.id)
    )
    return [
        RecordedPayment(
            kind=r.kind,
            amount=Decimal(r.amount),
            currency=r.currency,
            reference=r.reference,
            recorded_at=r.recorded_at,
            recorded_by=r.recorded_by,
        )
        for r in rows
    ]
