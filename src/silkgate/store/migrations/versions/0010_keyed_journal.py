"""keyed journal: every entry sealed with HMAC-SHA256 under a key the database does not hold

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24

Entries written before this revision were chained with plain SHA-256 over
fewer columns (no declaration). They are re-chained here, once: the old chain
is verified first (a journal that does not verify is not re-sealed, so
tampering is never laundered), every entry is sealed under the node's current
journal key, and a ``journal_rechained`` entry records how many entries were
re-sealed and the hash the unkeyed chain ended with. The key is handed over by
``silkgate db upgrade`` (``migrate.upgrade(..., journal_key=...)``); an empty
journal needs none. Both schemes are written out below as they were at this
revision, so later changes to the journal code do not change this migration.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
PAGE = 5000
_journal = sa.table(
    "journal",
    *(sa.column(c) for c in ("seq", "actor", "declaration_id", "mrn", "version", "event")),
    *(sa.column(c) for c in ("from_status", "to_status", "reason", "key_id")),
    *(sa.column(c) for c in ("prev_hash", "hash")),
    sa.column("at", sa.DateTime(timezone=True)),
)
_head = sa.table("journal_head", sa.column("id"), sa.column("seq"), sa.column("hash"))

Seal = Callable[[dict[str, Any], str], str]


def _utc_text(at: dt.datetime) -> str:
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json(values: list[Any]) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def unkeyed_hash(r: dict[str, Any], prev: str) -> str:
    """The hash before this revision: SHA-256, no declaration, no key."""
    content = [r["seq"], _utc_text(r["at"]), r["actor"], r["mrn"], r["version"], r["event"]]
    content += [r["from_status"], r["to_status"], r["reason"]]
    return hashlib.sha256(f"{prev}\n{_json(content)}".encode()).hexdigest()


def keyed_hash(key: bytes) -> Seal:
    """The seal from this revision on: HMAC-SHA256 over every column but the hashes."""

    def seal(r: dict[str, Any], prev: str) -> str:
        content = [r["seq"], _utc_text(r["at"]), r["actor"], r["declaration_id"], r["mrn"]]
        content += [r["version"], r["event"], r["from_status"], r["to_status"], r["reason"]]
        content.append(r["key_id"])
        return hmac.digest(key, f"{prev}\n{_json(content)}".encode(), "sha256").hex()

    return seal


def _pages(conn: sa.Connection, columns: list[Any]) -> Any:
    last = 0
    ordered = sa.select(*columns).order_by(_journal.c.seq).limit(PAGE)
    while True:
        page = [dict(r._mapping) for r in conn.execute(ordered.where(_journal.c.seq > last))]
        if not page:
            return
        yield page
        last = page[-1]["seq"]


def rechain(
    conn: sa.Connection, old: Seal, new: Seal | None = None, key_id: str | None = None
) -> tuple[int, str]:
    """Verify the chain under ``old`` and, with ``new``, seal it again under ``new``;
    the old end's sequence number and hash. Raises if the old chain does not verify."""
    head_seq, head_hash = conn.execute(sa.select(_head.c.seq, _head.c.hash)).one()
    old_prev = new_prev = GENESIS
    expected = 1
    update = (
        _journal.update()
        .where(_journal.c.seq == sa.bindparam("s"))
        .values(key_id=sa.bindparam("k"), prev_hash=sa.bindparam("p"), hash=sa.bindparam("h"))
    )
    # Before the key_id column exists (the check that comes first), it is not read.
    columns = [c for c in _journal.c if new is not None or c.name != "key_id"]
    for page in _pages(conn, columns):
        changes = []
        for r in page:
            if r["seq"] != expected or r["prev_hash"] != old_prev or old(r, old_prev) != r["hash"]:
                raise RuntimeError(
                    f"journal entry {expected} does not verify: the journal is not re-sealed "
                    "(run `silkgate journal verify` on the old version and investigate)"
                )
            old_prev, expected = r["hash"], expected + 1
            if new is not None:
                r["key_id"] = key_id
                new_hash = new(r, new_prev)
                changes.append({"s": r["seq"], "k": key_id, "p": new_prev, "h": new_hash})
                new_prev = new_hash
        if changes:
            conn.execute(update, changes)
    if (expected - 1, old_prev) != (head_seq, head_hash):
        raise RuntimeError("the journal head does not match its last entry: not re-sealed")
    if new is not None:
        conn.execute(_head.update().values(hash=new_prev))
    return head_seq, old_prev


def _journal_key() -> tuple[str, bytes]:
    key = context.config.attributes.get("journal_key")
    if key is None:
        raise RuntimeError(
            "the journal has entries to re-seal under the journal key, which is derived from "
            "the node's secret: run `silkgate db upgrade` with SILKGATE_SECRET_KEY set"
        )
    return key


def upgrade() -> None:
    conn = op.get_bind()
    # Refuse before changing anything: no key, or an old chain that does not verify.
    entries = conn.execute(sa.select(sa.func.count()).select_from(_journal)).scalar_one()
    if entries:
        key_id, key = _journal_key()
        rechain(conn, unkeyed_hash)
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
    if entries:
        seal = keyed_hash(key)
        seq, old_hash = rechain(conn, unkeyed_hash, seal, key_id)
        now = dt.datetime.now(dt.UTC)
        note = {
            "seq": seq + 1,
            "at": now.replace(tzinfo=None) if conn.dialect.name == "sqlite" else now,
            "actor": "silkgate",
            "declaration_id": None,
            "mrn": None,
            "version": None,
            "event": "journal_rechained",
            "from_status": None,
            "to_status": None,
            "reason": f"entries 1..{seq} re-sealed with journal key {key_id}; "
            f"the unkeyed chain ended at entry {seq} with hash {old_hash}",
            "key_id": key_id,
        }
        prev = conn.execute(sa.select(_head.c.hash)).scalar_one()
        note["prev_hash"], note["hash"] = prev, seal(note, prev)
        conn.execute(_journal.insert().values(**note))
        conn.execute(_head.update().values(seq=seq + 1, hash=note["hash"]))
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.alter_column("key_id", existing_type=sa.String(length=16), nullable=False)


def downgrade() -> None:
    # Back to the unkeyed chain; the keyed seals cannot be checked here (no key), so they
    # are only recomputed: verify the journal before downgrading.
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.alter_column("key_id", existing_type=sa.String(length=16), nullable=True)
    conn = op.get_bind()
    rechain(conn, lambda r, prev: r["hash"], unkeyed_hash)
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.drop_column("key_id")
