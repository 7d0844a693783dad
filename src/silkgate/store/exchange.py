"""Queries of the exchange between partners: keys, partners, outbox, inbox, received data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.store.tables import (
    advance_export_data,
    advance_links,
    aeo_events,
    aeo_operators,
    assistance_cases,
    assistance_messages,
    exchange_inbox,
    exchange_lease,
    exchange_outbox,
    exchange_partners,
    exchange_receipts,
    exchange_refusals,
    import_match_keys,
    node_keys,
    partner_aeo,
    partner_inspection_results,
    partner_keys,
)


def _row(r: Any) -> dict[str, Any]:
    # Plain str keys: SQLAlchemy's column names are a str subclass that orjson refuses.
    return {str(k): v for k, v in r._mapping.items()}


def _rows(result: Any) -> list[dict[str, Any]]:
    return [_row(r) for r in result]


# -- this node's keys --------------------------------------------------------------------


def node_keys_all(conn: sa.Connection) -> list[dict[str, Any]]:
    return _rows(conn.execute(node_keys.select().order_by(node_keys.c.created_at)))


def add_node_key(conn: sa.Connection, **row: Any) -> None:
    conn.execute(node_keys.update().where(node_keys.c.signing).values(signing=False))
    conn.execute(node_keys.insert().values(signing=True, **row))


def retire_node_key(conn: sa.Connection, kid: str, valid_to: dt.datetime) -> None:
    conn.execute(node_keys.update().where(node_keys.c.kid == kid).values(valid_to=valid_to))


# -- partners ------------------------------------------------------------------------------


def partner(conn: sa.Connection, administration: str) -> dict[str, Any] | None:
    row = conn.execute(
        exchange_partners.select().where(exchange_partners.c.administration == administration)
    ).first()
    return None if row is None else _partner(_row(row))


def _partner(row: dict[str, Any]) -> dict[str, Any]:
    row["agreements"] = orjson.loads(row["agreements"])
    return row


def partners(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(exchange_partners.select().order_by(exchange_partners.c.administration))
    return [_partner(r) for r in _rows(rows)]


def upsert_partner(conn: sa.Connection, row: dict[str, Any], keys: list[dict[str, Any]]) -> bool:
    """Register or update a partner and replace its keys; True when it is new."""
    p = exchange_partners.c
    values = {**row, "agreements": orjson.dumps(row["agreements"]).decode()}
    exists = conn.execute(
        sa.select(p.administration).where(p.administration == row["administration"])
    ).first()
    if exists:
        values.pop("registered_at", None)
        conn.execute(
            exchange_partners.update()
            .where(p.administration == row["administration"])
            .values(**values)
        )
    else:
        conn.execute(exchange_partners.insert().values(**values))
    conn.execute(
        partner_keys.delete().where(partner_keys.c.administration == row["administration"])
    )
    if keys:
        conn.execute(partner_keys.insert(), keys)
    return not exists


def partner_keys_all(conn: sa.Connection) -> list[dict[str, Any]]:
    return _rows(conn.execute(partner_keys.select()))


def partner_keys_of(conn: sa.Connection, administration: str) -> list[dict[str, Any]]:
    return _rows(
        conn.execute(
            partner_keys.select()
            .where(partner_keys.c.administration == administration)
            .order_by(partner_keys.c.valid_from)
        )
    )


# -- outbox --------------------------------------------------------------------------------


def enqueue(conn: sa.Connection, row: dict[str, Any]) -> None:
    conn.execute(exchange_outbox.insert().values(**row))


def undelivered(conn: sa.Connection, limit: int) -> list[dict[str, Any]]:
    """The oldest messages not yet delivered, without their payloads."""
    o = exchange_outbox.c
    columns = [c for c in exchange_outbox.c if c.name != "payload"]
    return _rows(
        conn.execute(sa.select(*columns).where(o.status != "delivered").order_by(o.id).limit(limit))
    )


def payloads(conn: sa.Connection, ids: list[int]) -> dict[int, str]:
    o = exchange_outbox.c
    return dict(conn.execute(sa.select(o.id, o.payload).where(o.id.in_(ids))).all())


def add_receipt(conn: sa.Connection, partner: str, token: str, at: dt.datetime) -> int:
    return int(
        conn.execute(
            exchange_receipts.insert().values(partner=partner, token=token, received_at=at)
        ).inserted_primary_key[0]
    )


def _with_receipt() -> Any:
    o, r = exchange_outbox.c, exchange_receipts.c
    return sa.select(exchange_outbox, r.token.label("receipt")).outerjoin(
        exchange_receipts, r.id == o.receipt_id
    )


def outbox(
    conn: sa.Connection, status: str | None = None, limit: int = 100, partner: str | None = None
) -> list[dict[str, Any]]:
    o = exchange_outbox.c
    q = _with_receipt().order_by(o.id.desc()).limit(limit)
    if status:
        q = q.where(o.status == status)
    if partner:
        q = q.where(o.partner == partner)
    return _rows(conn.execute(q))


def outbox_counts(conn: sa.Connection) -> dict[str, int]:
    o = exchange_outbox.c
    rows = conn.execute(sa.select(o.status, sa.func.count()).group_by(o.status))
    return {s: n for s, n in rows}


def outbox_message(conn: sa.Connection, message_id: str) -> dict[str, Any] | None:
    row = conn.execute(_with_receipt().where(exchange_outbox.c.message_id == message_id)).first()
    return None if row is None else _row(row)


def update_outbox(conn: sa.Connection, outbox_id: int, **values: Any) -> None:
    conn.execute(exchange_outbox.update().where(exchange_outbox.c.id == outbox_id).values(**values))


def unpark(conn: sa.Connection, partner: str | None, now: dt.datetime) -> int:
    o = exchange_outbox.c
    q = exchange_outbox.update().where(o.status == "parked")
    if partner:
        q = q.where(o.partner == partner)
    return int(
        conn.execute(q.values(status="pending", attempts=0, next_attempt_at=now)).rowcount or 0
    )


def retry_now(conn: sa.Connection, partner: str, now: dt.datetime) -> None:
    o = exchange_outbox.c
    conn.execute(
        exchange_outbox.update()
        .where(
            o.partner == partner,
            o.status == "pending",
            o.attempts > 0,
            o.next_attempt_at > now,
        )
        .values(next_attempt_at=now)
    )


def update_outbox_many(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Each row: ``_id`` and the columns to set (all rows set the same columns)."""
    if not rows:
        return
    o = exchange_outbox.c
    stmt = exchange_outbox.update().where(o.id == sa.bindparam("_id"))
    conn.execute(stmt, rows)


# -- inbox ---------------------------------------------------------------------------------


def seen_many(conn: sa.Connection, ids: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (sender, message id) pairs were processed before."""
    if not ids:
        return set()
    i = exchange_inbox.c
    rows = conn.execute(
        sa.select(i.sender, i.message_id).where(
            i.sender.in_({s for s, _ in ids}), i.message_id.in_({m for _, m in ids})
        )
    )
    return {(s, m) for s, m in rows} & set(ids)


def record_inbox_many(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(exchange_inbox.insert(), rows)


def inbox(conn: sa.Connection, limit: int = 100, sender: str | None = None) -> list[dict[str, Any]]:
    i = exchange_inbox.c
    q = (
        sa.select(
            i.id,
            i.sender,
            i.message_id,
            i.type,
            i.subject,
            i.created_at,
            i.received_at,
            i.result,
            i.token,
        )
        .order_by(i.id.desc())
        .limit(limit)
    )
    if sender:
        q = q.where(i.sender == sender)
    return _rows(conn.execute(q))


def inbox_counts(conn: sa.Connection) -> dict[str, int]:
    i = exchange_inbox.c
    return {t: n for t, n in conn.execute(sa.select(i.type, sa.func.count()).group_by(i.type))}


def log_refusal(conn: sa.Connection, **row: Any) -> None:
    conn.execute(exchange_refusals.insert().values(**row))


def refusals(conn: sa.Connection, limit: int = 100) -> list[dict[str, Any]]:
    r = exchange_refusals.c
    return _rows(conn.execute(exchange_refusals.select().order_by(r.id.desc()).limit(limit)))


# -- the dispatcher's lease ----------------------------------------------------------------


def take_lease(conn: sa.Connection, name: str, holder: str, now: dt.datetime, ttl: float) -> bool:
    """Hold (or renew) the lease ``name`` until now + ttl; False when another holds it."""
    lease = exchange_lease.c
    until = now + dt.timedelta(seconds=ttl)
    row = conn.execute(sa.select(lease.holder, lease.expires_at).where(lease.name == name)).first()
    if row is None:
        conn.execute(exchange_lease.insert().values(name=name, holder=holder, expires_at=until))
        return True
    if row.holder != holder and row.expires_at > now:
        return False
    conn.execute(
        exchange_lease.update().where(lease.name == name).values(holder=holder, expires_at=until)
    )
    return True


def release_lease(conn: sa.Connection, name: str, holder: str) -> None:
    lease = exchange_lease.c
    conn.execute(exchange_lease.delete().where(lease.name == name, lease.holder == holder))


# -- advance export data ---------------------------------------------------------------------


def upsert_advance(conn: sa.Connection, row: dict[str, Any]) -> int:
    a = advance_export_data.c
    found = conn.execute(
        sa.select(a.id).where(
            a.sender == row["sender"], a.export_declaration == row["export_declaration"]
        )
    ).scalar()
    if found is None:
        return int(conn.execute(advance_export_data.insert().values(**row)).inserted_primary_key[0])
    conn.execute(advance_export_data.update().where(a.id == found).values(**row))
    return int(found)


def advance_ids(conn: sa.Connection, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (sender, export declaration) pairs are held already."""
    if not keys:
        return set()
    a = advance_export_data.c
    rows = conn.execute(
        sa.select(a.sender, a.export_declaration).where(
            a.export_declaration.in_({e for _, e in keys})
        )
    )
    return {(s, e) for s, e in rows} & set(keys)


def insert_advance_many(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(advance_export_data.insert(), rows)


def advance(conn: sa.Connection, advance_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        advance_export_data.select().where(advance_export_data.c.id == advance_id)
    ).first()
    return None if row is None else _advance(_row(row))


def _advance(row: dict[str, Any]) -> dict[str, Any]:
    row["payload"] = orjson.loads(row["payload"])
    if "mismatches" in row:
        row["mismatches"] = orjson.loads(row["mismatches"])
    return row


def advance_of_declaration(conn: sa.Connection, declaration_id: int) -> list[dict[str, Any]]:
    """The advance data linked to a declaration, with what the comparison found."""
    a, k = advance_export_data.c, advance_links.c
    rows = conn.execute(
        sa.select(advance_export_data, k.linked_at, k.mismatches, k.version)
        .join(advance_links, k.advance_id == a.id)
        .where(k.declaration_id == declaration_id)
        .order_by(a.id)
    )
    return [_advance(r) for r in _rows(rows)]


def advance_list(
    conn: sa.Connection, *, linked: bool | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    a, k = advance_export_data.c, advance_links.c
    q = advance_export_data.select().order_by(a.id.desc()).limit(limit)
    has_link = sa.exists().where(k.advance_id == a.id)
    if linked is True:
        q = q.where(has_link)
    elif linked is False:
        q = q.where(~has_link)
    return [_advance(r) for r in _rows(conn.execute(q))]


def links_of(conn: sa.Connection, advance_ids: list[int]) -> dict[int, list[int]]:
    """The declarations each advance data is linked to."""
    if not advance_ids:
        return {}
    k = advance_links.c
    out: dict[int, list[int]] = {}
    for advance_id, declaration_id in conn.execute(
        sa.select(k.advance_id, k.declaration_id)
        .where(k.advance_id.in_(advance_ids))
        .order_by(k.linked_at)
    ):
        out.setdefault(advance_id, []).append(declaration_id)
    return out


def find_advance(
    conn: sa.Connection,
    *,
    export_declarations: list[str],
    ucr: str | None,
    transport_document: str,
    dispatch_country: str,
) -> dict[str, Any] | None:
    """The advance data an import declaration matches, best key first (linked or not)."""
    a = advance_export_data.c
    base = advance_export_data.select().order_by(a.id.desc())
    for cond in (
        a.export_declaration.in_(export_declarations) if export_declarations else None,
        (a.ucr == ucr) if ucr else None,
        sa.and_(a.transport_document == transport_document, a.sender == dispatch_country),
    ):
        if cond is None:
            continue
        row = conn.execute(base.where(cond).limit(1)).first()
        if row is not None:
            return _advance(_row(row))
    return None


def link_advance(
    conn: sa.Connection,
    advance_id: int,
    declaration_id: int,
    version: int,
    at: dt.datetime,
    mismatches: list[Any],
) -> None:
    """Record (or refresh, after an amendment) the comparison of an import with advance data."""
    k = advance_links.c
    values = {"version": version, "linked_at": at, "mismatches": orjson.dumps(mismatches).decode()}
    done = conn.execute(
        advance_links.update()
        .where(k.advance_id == advance_id, k.declaration_id == declaration_id)
        .values(**values)
    )
    if not done.rowcount:
        conn.execute(
            advance_links.insert().values(
                advance_id=advance_id, declaration_id=declaration_id, **values
            )
        )


def linked_advance(
    conn: sa.Connection, sender: str, export_declaration: str
) -> tuple[dict[str, Any], list[int]] | None:
    """Advance data from ``sender`` for an export, and the declarations linked to it."""
    a = advance_export_data.c
    row = conn.execute(
        advance_export_data.select().where(
            a.sender == sender, a.export_declaration == export_declaration
        )
    ).first()
    if row is None:
        return None
    found = _advance(_row(row))
    return found, links_of(conn, [found["id"]]).get(found["id"], [])


# -- partner inspection results ------------------------------------------------------------


def add_partner_result(conn: sa.Connection, **row: Any) -> int:
    return int(
        conn.execute(partner_inspection_results.insert().values(**row)).inserted_primary_key[0]
    )


def pending_partner_results(
    conn: sa.Connection, sender: str, export_declaration: str
) -> list[dict[str, Any]]:
    r = partner_inspection_results.c
    rows = conn.execute(
        partner_inspection_results.select()
        .where(
            r.sender == sender, r.export_declaration == export_declaration, r.applied_at.is_(None)
        )
        .order_by(r.id)
    )
    return [{**row, "payload": orjson.loads(row["payload"])} for row in _rows(rows)]


def mark_partner_result(conn: sa.Connection, result_id: int, at: dt.datetime) -> None:
    conn.execute(
        partner_inspection_results.update()
        .where(partner_inspection_results.c.id == result_id)
        .values(applied_at=at)
    )


# -- AEO ---------------------------------------------------------------------------------------


def aeo(conn: sa.Connection, party_id: str, for_update: bool = False) -> dict[str, Any] | None:
    q = aeo_operators.select().where(aeo_operators.c.party_id == party_id)
    if for_update and conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).first()
    return None if row is None else _row(row)


def aeo_history(conn: sa.Connection, party_id: str) -> list[dict[str, Any]]:
    e = aeo_events.c
    return _rows(conn.execute(aeo_events.select().where(e.party_id == party_id).order_by(e.id)))


def aeo_event(conn: sa.Connection, **row: Any) -> None:
    conn.execute(aeo_events.insert().values(**row))


def aeo_register(conn: sa.Connection) -> list[dict[str, Any]]:
    return _rows(conn.execute(aeo_operators.select().order_by(aeo_operators.c.party_id)))


def replace_partner_aeo(
    conn: sa.Connection, administration: str, version: dt.datetime, rows: list[dict[str, Any]]
) -> bool:
    """Replace a partner's list unless a newer one is held; True when replaced."""
    p = partner_aeo.c
    held = conn.execute(
        sa.select(sa.func.max(p.list_version)).where(p.administration == administration)
    ).scalar()
    if held is not None and held.replace(tzinfo=dt.UTC) > version:
        return False
    conn.execute(partner_aeo.delete().where(p.administration == administration))
    if rows:
        conn.execute(partner_aeo.insert(), rows)
    return True


def partner_aeo_list(
    conn: sa.Connection, administration: str | None = None
) -> list[dict[str, Any]]:
    p = partner_aeo.c
    q = partner_aeo.select().order_by(p.administration, p.party_id)
    if administration:
        q = q.where(p.administration == administration)
    return _rows(conn.execute(q))


def partner_aeo_in_force(
    conn: sa.Connection, on: dt.date, administrations: list[str]
) -> frozenset[str]:
    """``"VN:0312345678"`` for each partner AEO granted and valid on ``on``."""
    if not administrations:
        return frozenset()
    p = partner_aeo.c
    rows = conn.execute(
        sa.select(p.administration, p.party_id).where(
            p.administration.in_(administrations),
            p.status == "granted",
            p.valid_from <= on,
            sa.or_(p.valid_to.is_(None), p.valid_to >= on),
        )
    )
    return frozenset(f"{a}:{pid}" for a, pid in rows)


def partner_aeo_version(conn: sa.Connection) -> Any:
    return conn.execute(sa.select(sa.func.max(partner_aeo.c.received_at))).scalar()


# -- assistance --------------------------------------------------------------------------------


def open_case(conn: sa.Connection, **row: Any) -> int:
    return int(conn.execute(assistance_cases.insert().values(**row)).inserted_primary_key[0])


def case(conn: sa.Connection, reference: str) -> dict[str, Any] | None:
    row = conn.execute(
        assistance_cases.select().where(assistance_cases.c.reference == reference)
    ).first()
    return None if row is None else _row(row)


def cases(conn: sa.Connection, status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    c = assistance_cases.c
    q = assistance_cases.select().order_by(c.updated_at.desc(), c.id.desc()).limit(limit)
    if status:
        q = q.where(c.status == status)
    return _rows(conn.execute(q))


def update_case(conn: sa.Connection, case_id: int, **values: Any) -> None:
    conn.execute(assistance_cases.update().where(assistance_cases.c.id == case_id).values(**values))


def add_case_message(conn: sa.Connection, **row: Any) -> None:
    conn.execute(assistance_messages.insert().values(**row))


def case_messages(conn: sa.Connection, case_id: int) -> list[dict[str, Any]]:
    m = assistance_messages.c
    return _rows(
        conn.execute(assistance_messages.select().where(m.case_id == case_id).order_by(m.id))
    )


def last_number(conn: sa.Connection, prefix: str) -> int:
    """The highest case number under ``prefix`` (``CN-MAA-2026-``), 0 if none."""
    c = assistance_cases.c
    last = conn.execute(
        sa.select(sa.func.max(c.reference)).where(c.reference.like(prefix + "%"))
    ).scalar()
    return int(last[len(prefix) :]) if last else 0


# -- imports waiting for advance data -------------------------------------------------------


def expect_advance(conn: sa.Connection, declaration_id: int, keys: list[str]) -> None:
    if keys:
        conn.execute(
            import_match_keys.insert(),
            [{"key": k, "declaration_id": declaration_id} for k in dict.fromkeys(keys)],
        )


def expecting(conn: sa.Connection, keys: list[str]) -> list[int]:
    """Declarations waiting under any of ``keys``, in the order of the keys."""
    m = import_match_keys.c
    rows = conn.execute(sa.select(m.key, m.declaration_id).where(m.key.in_(keys))).all()
    order = {k: i for i, k in enumerate(keys)}
    return [d for _, d in sorted(rows, key=lambda r: (order[r[0]], r[1]))]


def expecting_keys(conn: sa.Connection, keys: list[str]) -> set[str]:
    """Which of ``keys`` an import declaration is waiting under."""
    if not keys:
        return set()
    m = import_match_keys.c
    return set(conn.execute(sa.select(m.key).where(m.key.in_(set(keys)))).scalars())


def stop_expecting(conn: sa.Connection, declaration_id: int) -> None:
    conn.execute(
        import_match_keys.delete().where(import_match_keys.c.declaration_id == declaration_id)
    )
