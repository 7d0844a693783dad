"""Advance data and inspection results received from partners: stored, linked, applied.

Advance data is stored and linked to the import declaration it matches,
before or after lodging, and a mismatch is a risk signal; a partner's
inspection result is applied to the linked import's joint inspection under
the recognition arrangements. Messages are applied inside the inbox's
transaction, with a unit of work attached to it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.declarations.document import DeclarationDocument
from silkgate.declarations.journal_keys import JournalKeys
from silkgate.exchange import advance
from silkgate.exchange import messages as m
from silkgate.exchange.envelope import Envelope
from silkgate.kernel.actors import SYSTEM
from silkgate.kernel.events import JournalNote, MessageBus, Noted, UnitOfWork
from silkgate.store import declarations as declaration_store
from silkgate.store import exchange as store
from silkgate.store.uow import AttachedUnitOfWork


class Inbound:
    """What the node does with partners' messages about trade (a part of ``TradeExchange``)."""

    bus: MessageBus
    journal_keys: JournalKeys
    inspections: Any

    def _compare(
        self,
        conn: sa.Connection,
        row: dict[str, Any],
        doc: DeclarationDocument,
        declaration_id: int | None,
    ) -> list[advance.Mismatch]:
        raise NotImplementedError

    def _signal(
        self,
        uow: UnitOfWork,
        d: declaration_store.StoredDeclaration,
        row: dict[str, Any],
        mismatches: list[advance.Mismatch],
        at: dt.datetime,
    ) -> None:
        raise NotImplementedError

    def receive_advance_many(
        self, conn: sa.Connection, items: list[tuple[Envelope, Any]], at: dt.datetime
    ) -> list[dict[str, Any]]:
        """A run of advance data messages: stored with a few statements, linked where awaited.

        Most advance data arrives before its import is lodged; only those an
        import is already waiting for (or that replace earlier data) take the
        one-by-one path.
        """
        keys_of = {
            env.id: _keys(env.sender, data.export_declaration, data.ucr, _transport_doc(data))
            for env, data in items
        }
        waiting = store.expecting_keys(conn, [k for ks in keys_of.values() for k in ks])
        held = store.advance_ids(
            conn, [(env.sender, data.export_declaration) for env, data in items]
        )
        fresh: list[dict[str, Any]] = []
        results: list[dict[str, Any] | None] = []
        slow: list[int] = []
        for n, (env, data) in enumerate(items):
            key = (env.sender, data.export_declaration)
            if key in held or any(k in waiting for k in keys_of[env.id]):
                slow.append(n)
                results.append(None)
            else:
                fresh.append(_advance_row(env, data, at))
                results.append({"advance_data": data.export_declaration, "linked": None})
            held.add(key)
        store.insert_advance_many(conn, fresh)
        for n in slow:
            results[n] = self.receive_advance(conn, items[n][0], at, items[n][1])
        return [r or {} for r in results]

    def receive_advance(
        self, conn: sa.Connection, env: Envelope, at: dt.datetime, data: m.AdvanceExport
    ) -> dict[str, Any]:
        """One advance data message (parsed): stored, and compared with the imports it concerns."""
        advance_id = store.upsert_advance(conn, _advance_row(env, data, at))
        row = store.advance(conn, advance_id)
        assert row is not None
        # Imports waiting for it, and those already linked (data sent again): compared now.
        keys = _keys(env.sender, data.export_declaration, data.ucr, _transport_doc(data))
        waiting = store.expecting(conn, keys)
        linked = store.links_of(conn, [advance_id]).get(advance_id, [])
        done = []
        for declaration_id in dict.fromkeys([*linked, *waiting]):
            d = declaration_store.get_by_id(conn, declaration_id)
            if d is None:
                continue
            doc = DeclarationDocument.stored(declaration_store.document(conn, d.id, d.version))
            if doc.transport.dispatch_country != env.sender:
                continue
            mismatches = self._compare(conn, row, doc, d.id)
            store.link_advance(conn, advance_id, d.id, d.version, at, _json_list(mismatches))
            store.stop_expecting(conn, d.id)
            uow = AttachedUnitOfWork(conn, self.bus, self.journal_keys)
            self._signal(uow, d, row, mismatches, at)
            self._apply_results(uow, d, row, at)
            uow.settle()
            done.append({"declaration": d.mrn, "mismatches": len(mismatches)})
        return {"advance_data": data.export_declaration, "linked": done or None}

    def receive_result(self, conn: sa.Connection, env: Envelope, at: dt.datetime) -> dict[str, Any]:
        data = m.parse(m.INSPECTION_RESULT, env.payload)
        assert isinstance(data, m.InspectionResult)
        store.add_partner_result(
            conn,
            sender=env.sender,
            export_declaration=data.export_declaration,
            payload=orjson.dumps(env.payload).decode(),
            received_at=at,
        )
        found = store.linked_advance(conn, env.sender, data.export_declaration)
        if found is None or not found[1]:
            return {"applied": False, "waiting_for": data.export_declaration}
        row, declarations = found
        # The import the goods were first declared on (a later claim is a signal, not a home).
        d = declaration_store.get_by_id(conn, declarations[0])
        assert d is not None
        uow = AttachedUnitOfWork(conn, self.bus, self.journal_keys)
        applied = self._apply_results(uow, d, row, at)
        uow.settle()
        return {"applied": applied > 0, "declaration": d.mrn}

    def _apply_results(
        self,
        uow: UnitOfWork,
        d: declaration_store.StoredDeclaration,
        row: dict[str, Any],
        at: dt.datetime,
    ) -> int:
        """Apply the partner's pending inspection results to the import's joint inspection."""
        if self.inspections is None:
            return 0
        conn = uow.connection
        pending = store.pending_partner_results(conn, row["sender"], row["export_declaration"])
        for r in pending:
            _, note = self.inspections.apply_partner_result(
                conn,
                d,
                partner=row["sender"],
                raw=r["payload"],
                actor=f"partner {row['sender']}",
                at=at,
            )
            uow.collect(Noted.of(note))
            store.mark_partner_result(conn, r["id"], at)
        return len(pending)


def _json_list(mismatches: list[advance.Mismatch]) -> list[dict[str, str]]:
    return [x.as_json() for x in mismatches]


def _transport_doc(data: Any) -> str:
    return str((data.transport.get("document") or {}).get("number") or "")[:35]


def _keys(sender: str, export_declaration: str, ucr: str | None, transport_doc: str) -> list[str]:
    """The keys an import may wait under for this advance data, best first."""
    keys = [f"N830:{export_declaration}"]
    if ucr:
        keys.append(f"UCR:{ucr}")
    keys.append(f"TD:{sender}:{transport_doc}")
    return [k[:100] for k in keys]


def _advance_row(env: Envelope, data: Any, at: dt.datetime) -> dict[str, Any]:
    return {
        "sender": env.sender,
        "export_declaration": data.export_declaration,
        "ucr": data.ucr,
        "transport_document": _transport_doc(data),
        "payload": orjson.dumps(env.payload).decode(),
        "received_at": at,
        "message_id": env.id,
    }


def _wait_keys(doc: DeclarationDocument) -> list[str]:
    keys = advance.match_keys(doc)
    out = [f"N830:{ref}" for ref in keys["export_declarations"]]
    if keys["ucr"]:
        out.append(f"UCR:{keys['ucr']}")
    out.append(f"TD:{keys['dispatch_country']}:{keys['transport_document']}")
    return [k[:100] for k in out]


def _advance_event(
    d: declaration_store.StoredDeclaration,
    row: dict[str, Any],
    mismatches: list[advance.Mismatch],
    at: dt.datetime,
    *,
    escalated: bool,
) -> JournalNote:
    what = "; ".join(f"{x.kind}: {x.detail}" for x in mismatches) or "matches the declaration"
    after = ""
    if mismatches and not escalated:
        after = " (already decided: for post-clearance audit)"
    return JournalNote(
        at=at,
        actor=SYSTEM,
        event="advance_data",
        declaration_id=d.id,
        mrn=d.mrn,
        version=d.version,
        reason=(
            f"export declaration {row['export_declaration']} from {row['sender']}: {what}{after}"
        )[:1000],
    )


def _advance_json(a: dict[str, Any]) -> dict[str, Any]:
    iso = lambda t: None if t is None else t.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")  # noqa: E731
    return {
        "id": a["id"],
        "sender": a["sender"],
        "export_declaration": a["export_declaration"],
        "ucr": a["ucr"],
        "transport_document": a["transport_document"],
        "received_at": iso(a["received_at"]),
        "linked_at": iso(a.get("linked_at")),
        "mismatches": a.get("mismatches"),
        "data": a["payload"],
    }
