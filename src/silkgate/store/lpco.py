"""LPCOs, their journal, the draw-downs of declarations, the checks, and the requirement sets.

An LPCO's ``balance`` is lowered only by :func:`draw`, one conditional
``UPDATE`` that refuses to go below zero or to draw on an LPCO that is not
``issued``: on PostgreSQL the second of two concurrent transactions waits
for the first's row lock and re-reads the row before deciding, so several
node processes can never draw more than a balance between them. (SQLite has
one writer at a time anyway.)
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.kernel.versioned import FileLoad
from silkgate.lpco.licence import Flow, Kind, Licence, Status
from silkgate.lpco.requirements import Missing, Requirement
from silkgate.store.exchange_rows import as_dict, as_dicts
from silkgate.store.tables import (
    declarations,
    lpco_checks,
    lpco_drawdowns,
    lpco_history,
    lpco_requirement_sets,
    lpco_requirements,
    lpcos,
)
from silkgate.store.versions import provenance

_L = lpcos.c
_D = lpco_drawdowns.c
_K = lpco_checks.c
_R = lpco_requirements.c

# -- requirement sets ------------------------------------------------------------------------


def add_set(
    conn: sa.Connection, title: str, requirements: list[Requirement], load: FileLoad
) -> int:
    """Store a requirements file as a new set and make it the one in force."""
    conn.execute(lpco_requirement_sets.update().values(active=False))
    set_id = int(
        conn.execute(
            lpco_requirement_sets.insert().returning(lpco_requirement_sets.c.id),
            {**provenance(load), "title": title, "rows": len(requirements), "active": True},
        ).scalar_one()
    )
    conn.execute(
        lpco_requirements.insert(),
        [
            {
                "set_id": set_id,
                "hs_prefix": r.hs_prefix,
                "flow": r.flow.value,
                "country": r.country,
                "kind": r.kind.value,
                "document": r.document,
                "agency": r.agency,
                "missing": r.missing.value,
                "description": r.description,
                "valid_from": r.valid_from,
                "valid_to": r.valid_to,
                "examine": r.examine,
                "partner": r.partner,
            }
            for r in requirements
        ],
    )
    return set_id


def active_set(conn: sa.Connection) -> int | None:
    return conn.execute(
        sa.select(sa.func.max(lpco_requirement_sets.c.id)).where(
            lpco_requirement_sets.c.active.is_(True)
        )
    ).scalar()


def requirements(conn: sa.Connection, set_id: int) -> list[Requirement]:
    rows = conn.execute(lpco_requirements.select().where(_R.set_id == set_id).order_by(_R.id))
    return [
        Requirement(
            r.hs_prefix,
            Flow(r.flow),
            r.country,
            Kind(r.kind),
            r.document,
            r.agency,
            Missing(r.missing),
            r.description,
            r.valid_from,
            r.valid_to,
            bool(r.examine),
            bool(r.partner),
        )
        for r in rows
    ]


def sets(conn: sa.Connection) -> list[dict[str, Any]]:
    return as_dicts(
        conn.execute(lpco_requirement_sets.select().order_by(lpco_requirement_sets.c.id.desc()))
    )


# -- LPCOs -------------------------------------------------------------------------------------


def licence(row: Any) -> Licence:
    return Licence(
        row.id, row.number, row.agency, Kind(row.kind), row.holder, row.holder_name, row.hs,
        row.description, Flow(row.flow), row.country, row.office, row.unit, _dec(row.quantity),
        _dec(row.balance), row.valid_from, row.valid_until, row.conditions, Status(row.status),
        bool(row.examine), row.administration, row.acceptor, row.consignee,
    )  # fmt: skip


def insert(conn: sa.Connection, values: dict[str, Any], number_of: Any) -> Licence:
    """Insert an LPCO; its number is ``number_of(id)`` (known once the row has its id)."""
    new_id = int(
        conn.execute(
            lpcos.insert().values(**values, number=f"new-{values['issued_at'].timestamp()}")
            .returning(_L.id)
        ).scalar_one()
    )  # fmt: skip
    conn.execute(lpcos.update().where(_L.id == new_id).values(number=number_of(new_id)))
    found = by_id(conn, new_id)
    assert found is not None
    return found


def by_id(conn: sa.Connection, lpco_id: int, *, for_update: bool = False) -> Licence | None:
    query = lpcos.select().where(_L.id == lpco_id)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return None if row is None else licence(row)


def by_number(conn: sa.Connection, number: str, *, for_update: bool = False) -> Licence | None:
    query = lpcos.select().where(_L.number == number)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return None if row is None else licence(row)


@functools.cache
def _held(count: int) -> sa.Select[Any]:
    """The query of :func:`held` for ``count`` numbers, built once per count (plain bound
    parameters: a built statement is not compiled again, an expanding IN would be)."""
    params: list[Any] = [sa.bindparam(f"n{i}") for i in range(count)]
    return lpcos.select().where(_L.number.in_(params))


def held(conn: sa.Connection, numbers: Iterable[str]) -> dict[str, Licence]:
    """The LPCOs among ``numbers``, by number (one query)."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    rows = conn.execute(_held(len(wanted)), {f"n{i}": n for i, n in enumerate(wanted)})
    return {r.number: licence(r) for r in rows}


def listing(
    conn: sa.Connection, *, agency: str | None, holder: str | None, limit: int
) -> list[dict[str, Any]]:
    """The newest LPCOs: an agency's (issued here, or a partner's it accepts), a holder's
    (or one naming it as the importer)."""
    query = lpcos.select().order_by(_L.id.desc()).limit(limit)
    if agency is not None:
        query = query.where(
            sa.or_(sa.and_(_L.agency == agency, _L.administration.is_(None)), _L.acceptor == agency)
        )
    if holder is not None:
        query = query.where(sa.or_(_L.holder == holder, _L.consignee == holder))
    return as_dicts(conn.execute(query))


def insert_numbered(conn: sa.Connection, values: dict[str, Any]) -> Licence:
    """Insert an LPCO under the number it has (a partner's)."""
    new_id = int(conn.execute(lpcos.insert().values(**values).returning(_L.id)).scalar_one())
    found = by_id(conn, new_id)
    assert found is not None
    return found


def row_of(conn: sa.Connection, lpco_id: int) -> dict[str, Any] | None:
    row = conn.execute(lpcos.select().where(_L.id == lpco_id)).first()
    return None if row is None else as_dict(row)


def update(conn: sa.Connection, lpco_id: int, values: dict[str, Any]) -> None:
    conn.execute(lpcos.update().where(_L.id == lpco_id).values(**values))


def add_history(
    conn: sa.Connection,
    lpco_id: int,
    *,
    at: dt.datetime,
    actor: str,
    action: str,
    reason: str | None,
    changes: dict[str, Any],
) -> None:
    conn.execute(
        lpco_history.insert().values(
            lpco_id=lpco_id, at=at, actor=actor, action=action, reason=reason,
            changes=orjson.dumps(changes, default=str).decode(),
        )
    )  # fmt: skip


def history(conn: sa.Connection, lpco_id: int) -> list[dict[str, Any]]:
    rows = as_dicts(
        conn.execute(
            lpco_history.select()
            .where(lpco_history.c.lpco_id == lpco_id)
            .order_by(lpco_history.c.id)
        )
    )
    for r in rows:
        r["changes"] = orjson.loads(r["changes"])
    return rows


# -- draw-downs --------------------------------------------------------------------------------

_DRAW = (
    lpcos.update()
    .where(
        _L.id == sa.bindparam("b_id"),
        _L.status == Status.ISSUED.value,
        _L.balance >= sa.bindparam("q", type_=_L.balance.type),
    )
    .values(balance=_L.balance - sa.bindparam("q", type_=_L.balance.type))
)


def draw(conn: sa.Connection, lpco_id: int, quantity: Decimal) -> bool:
    """Lower the balance by ``quantity``, unless that would take it below zero or the LPCO
    is no longer issued."""
    done = conn.execute(_DRAW, {"b_id": lpco_id, "q": quantity})
    return bool(done.rowcount)


def give_back_amount(conn: sa.Connection, lpco_id: int, quantity: Decimal) -> None:
    conn.execute(lpcos.update().where(_L.id == lpco_id).values(balance=_L.balance + quantity))


def add_drawdowns(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(lpco_drawdowns.insert(), rows)


def give_back(conn: sa.Connection, declaration_id: int, at: dt.datetime) -> int:
    """Give back what a declaration's live draw-downs took (LPCOs in id order); how many."""
    drawn = conn.execute(
        sa.select(_D.id, _D.lpco_id, _D.quantity)
        .where(_D.declaration_id == declaration_id, _D.returned_at.is_(None))
        .order_by(_D.lpco_id, _D.id)
    ).all()
    for d in drawn:
        give_back_amount(conn, d.lpco_id, _dec(d.quantity))
    if drawn:
        conn.execute(
            lpco_drawdowns.update().where(_D.id.in_([d.id for d in drawn])).values(returned_at=at)
        )
    return len(drawn)


def drawdowns_of(conn: sa.Connection, lpco_id: int) -> list[dict[str, Any]]:
    """Each draw-down on the LPCO, with the declaration's MRN and status."""
    rows = conn.execute(
        sa.select(
            declarations.c.mrn,
            declarations.c.status,
            _D.version,
            _D.item,
            _D.quantity,
            _D.drawn_at,
            _D.returned_at,
        )
        .join(declarations, declarations.c.id == _D.declaration_id)
        .where(_D.lpco_id == lpco_id)
        .order_by(_D.id)
    )
    return as_dicts(rows)


def relying_on(conn: sa.Connection, lpco_id: int) -> list[int]:
    """The declarations whose live draw-downs rely on the LPCO."""
    rows = conn.execute(
        sa.select(_D.declaration_id)
        .where(_D.lpco_id == lpco_id, _D.returned_at.is_(None))
        .distinct()
        .order_by(_D.declaration_id)
    )
    return [r[0] for r in rows]


# -- checks -------------------------------------------------------------------------------------


def save_checks(
    conn: sa.Connection, rows: list[dict[str, Any]], *, replacing: Iterable[int] = ()
) -> None:
    replaced = list(replacing)
    if replaced:
        conn.execute(lpco_checks.delete().where(_K.declaration_id.in_(replaced)))
    if rows:
        conn.execute(lpco_checks.insert(), rows)


def checks_of(conn: sa.Connection, declaration_id: int) -> list[dict[str, Any]]:
    """The check of each item's LPCOs, with the LPCO's status now."""
    rows = conn.execute(
        sa.select(lpco_checks, _L.status.label("lpco_status"), _L.agency, _L.administration)
        .outerjoin(lpcos, _L.number == _K.number)
        .where(_K.declaration_id == declaration_id)
        .order_by(_K.item, _K.id)
    )
    return as_dicts(rows)


def examinations(conn: sa.Connection, declaration_id: int) -> list[dict[str, Any]]:
    """The items whose goods an agency examines, with the LPCO they rely on (if any)."""
    rows = conn.execute(
        sa.select(
            _K.item, _K.examiner.label("agency"), _K.kind.label("lpco"), _K.number,
            _L.description, _L.conditions,
        )
        .outerjoin(lpcos, _L.number == _K.number)
        .where(_K.declaration_id == declaration_id, _K.examiner.is_not(None))
        .order_by(_K.item, _K.id)
    )  # fmt: skip
    return as_dicts(rows)


def blocking(conn: sa.Connection, declaration_id: int) -> list[dict[str, Any]]:
    """The checks that hold the goods: held ones, and LPCOs drawn on now suspended or revoked."""
    return [
        c
        for c in checks_of(conn, declaration_id)
        if c["held"] or c["lpco_status"] in (Status.SUSPENDED.value, Status.REVOKED.value)
    ]


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))
