"""Rules-of-origin versions in the database: each load is a version; the newest active applies."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.kernel.versioned import FileLoad
from silkgate.origin.files import ParsedRules
from silkgate.origin.rulebook import ProductRule, RuleBook, terms_from_json
from silkgate.origin.rules import parse
from silkgate.store.tables import origin_agreements, origin_rule_versions, origin_rules
from silkgate.store.versions import provenance


def add_version(conn: sa.Connection, parsed: ParsedRules, load: FileLoad) -> int:
    """Store a parsed rules file as a new version and make it the one in force."""
    conn.execute(origin_rule_versions.update().values(active=False))
    version_id = conn.execute(
        origin_rule_versions.insert().returning(origin_rule_versions.c.id),
        {
            "title": parsed.title,
            **provenance(load),
            "agreements": len(parsed.terms),
            "rules": len(parsed.rules),
            "active": True,
        },
    ).scalar_one()
    conn.execute(
        origin_agreements.insert(),
        [
            {"version_id": version_id, "code": t.code, "terms": orjson.dumps(t.as_json()).decode()}
            for t in parsed.terms
        ],
    )
    if parsed.rules:
        conn.execute(
            origin_rules.insert(),
            [
                {
                    "version_id": version_id,
                    "agreement": r.agreement,
                    "hs_prefix": r.hs_prefix,
                    "rule": r.text,
                    "valid_from": r.valid_from,
                    "valid_to": r.valid_to,
                    "source": r.source,
                    "illustrative": r.illustrative,
                    "line": r.line,
                }
                for r in parsed.rules
            ],
        )
    return version_id


def active_version(conn: sa.Connection) -> int | None:
    # max(): two loads racing on PostgreSQL could each leave their version active.
    return conn.execute(
        sa.select(sa.func.max(origin_rule_versions.c.id)).where(
            origin_rule_versions.c.active.is_(True)
        )
    ).scalar()


def rule_book(conn: sa.Connection, version_id: int) -> RuleBook:
    """The rules of a version, parsed once into trees of criteria."""
    meta = conn.execute(
        sa.select(origin_rule_versions.c.title).where(origin_rule_versions.c.id == version_id)
    ).one()
    terms = [
        terms_from_json(orjson.loads(row.terms))
        for row in conn.execute(
            sa.select(origin_agreements.c.terms).where(origin_agreements.c.version_id == version_id)
        )
    ]
    r = origin_rules.c
    rules = [
        ProductRule(
            row.agreement,
            row.hs_prefix,
            parse(row.rule),
            row.valid_from,
            row.valid_to,
            row.source,
            row.illustrative,
            row.line,
        )
        for row in conn.execute(
            sa.select(origin_rules).where(r.version_id == version_id).order_by(r.id)
        )
    ]
    return RuleBook(terms, rules, version=version_id, title=meta.title)


def versions(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(origin_rule_versions.select().order_by(origin_rule_versions.c.id.desc()))
    return [dict(row._mapping) for row in rows]


def activate(conn: sa.Connection, version_id: int) -> bool:
    """Make a loaded version the one in force; False if there is no such version."""
    exists = conn.execute(
        sa.select(origin_rule_versions.c.id).where(origin_rule_versions.c.id == version_id)
    ).first()
    if exists is None:
        return False
    conn.execute(
        origin_rule_versions.update().values(active=origin_rule_versions.c.id == version_id)
    )
    return True
