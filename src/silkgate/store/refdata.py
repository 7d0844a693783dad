"""Loading the shipped reference data into the database, and reading it back as code lists.

Loading is idempotent and cheap to repeat: each dataset's content hash is
recorded, and a dataset whose hash has not changed is skipped. A changed
dataset is replaced as a whole inside one transaction, so readers see either
the old list or the new one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.declarations.validation import CodeLists
from silkgate.kernel.clock import Clock, system_clock
from silkgate.refdata import files
from silkgate.store import tables
from silkgate.store.db import reading, writing


@dataclass(frozen=True)
class Dataset:
    name: str
    table: sa.Table
    rows: Callable[[], list[dict[str, Any]]]
    version: str


DATASETS = [
    Dataset("hs_sections", tables.hs_sections, files.hs_sections, files.DATA_VERSION["hs"]),
    Dataset("hs_codes", tables.hs_codes, files.hs_codes, files.DATA_VERSION["hs"]),
    Dataset("countries", tables.countries, files.countries, files.DATA_VERSION["countries"]),
    Dataset("currencies", tables.currencies, files.currencies, files.DATA_VERSION["currencies"]),
    Dataset("units", tables.units, files.units, files.DATA_VERSION["units"]),
    Dataset(
        "package_types",
        tables.package_types,
        files.package_types,
        files.DATA_VERSION["package_types"],
    ),
    Dataset("locations", tables.locations, files.locations, files.DATA_VERSION["locations"]),
]


@dataclass(frozen=True)
class LoadReport:
    dataset: str
    rows: int
    changed: bool


def load(
    engine: sa.Engine, *, force: bool = False, clock: Clock = system_clock
) -> list[LoadReport]:
    """Load every dataset whose content changed since the last load (or all, with ``force``)."""
    reports = []
    for ds in DATASETS:
        rows = ds.rows()
        digest = hashlib.sha256(orjson.dumps(rows, option=orjson.OPT_SORT_KEYS)).hexdigest()
        version = f"{ds.version} sha256:{digest[:16]}"
        with writing(engine) as conn:
            current = conn.execute(
                sa.select(tables.refdata_versions.c.version).where(
                    tables.refdata_versions.c.dataset == ds.name
                )
            ).scalar()
            if current == version and not force:
                reports.append(LoadReport(ds.name, len(rows), False))
                continue
            conn.execute(ds.table.delete())
            for start in range(0, len(rows), 10_000):
                conn.execute(ds.table.insert(), rows[start : start + 10_000])
            conn.execute(
                tables.refdata_versions.delete().where(tables.refdata_versions.c.dataset == ds.name)
            )
            conn.execute(
                tables.refdata_versions.insert().values(
                    dataset=ds.name,
                    version=version,
                    rows=len(rows),
                    loaded_at=clock(),
                )
            )
        reports.append(LoadReport(ds.name, len(rows), True))
    return reports


def code_lists(engine: sa.Engine, administration: str) -> CodeLists:
    """The code lists validation needs, read once from the database into memory."""
    t = tables
    with reading(engine) as conn:

        def column(col: sa.Column[Any], *where: Any) -> frozenset[str]:
            return frozenset(conn.execute(sa.select(col).where(*where)).scalars())

        return CodeLists(
            administration=administration,
            hs_subheadings=column(t.hs_codes.c.code, t.hs_codes.c.level == 6),
            countries=column(t.countries.c.alpha2),
            currencies=dict(
                conn.execute(sa.select(t.currencies.c.code, t.currencies.c.minor_unit)).all()
            ),
            units=column(t.units.c.code),
            package_types=column(t.package_types.c.code),
            locations=column(t.locations.c.code),
            offices=column(t.offices.c.code),
        )


def hs_descriptions(conn: sa.Connection) -> dict[str, str]:
    """HS code (chapter, heading or subheading) -> its description."""
    return dict(
        conn.execute(sa.select(tables.hs_codes.c.code, tables.hs_codes.c.description)).all()
    )


def hs_sections(conn: sa.Connection) -> tuple[dict[str, str], dict[str, str]]:
    """(section -> its name, chapter -> its section)."""
    names = dict(
        conn.execute(sa.select(tables.hs_sections.c.section, tables.hs_sections.c.name)).all()
    )
    chapters = dict(
        conn.execute(
            sa.select(tables.hs_codes.c.code, tables.hs_codes.c.section).where(
                tables.hs_codes.c.level == 2
            )
        ).all()
    )
    return names, chapters


@dataclass(frozen=True)
class Office:
    """A customs office declarations may be lodged at; its code is a UN/LOCODE."""

    code: str
    name: str
    kind: str  # seaport, airport, road, rail, inland


def is_location(conn: sa.Connection, code: str) -> bool:
    """Whether ``code`` is a UN/LOCODE of the loaded reference data."""
    found = conn.execute(
        sa.select(tables.locations.c.code).where(tables.locations.c.code == code)
    ).first()
    return found is not None


def find_office(conn: sa.Connection, code: str) -> Office | None:
    row = conn.execute(sa.select(tables.offices).where(tables.offices.c.code == code)).first()
    return None if row is None else Office(row.code, row.name, row.kind)


def add_office(conn: sa.Connection, office: Office) -> None:
    """Insert an office; the caller has checked its code."""
    conn.execute(
        tables.offices.insert().values(code=office.code, name=office.name, kind=office.kind)
    )


def all_offices(conn: sa.Connection) -> list[Office]:
    rows = conn.execute(sa.select(tables.offices).order_by(tables.offices.c.code))
    return [Office(r.code, r.name, r.kind) for r in rows]
