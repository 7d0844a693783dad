"""What exchange does for the declarations of this node, both ways.

Outbound (inside the transaction of the change): a released export to a
partner's country sends its advance data; a completed inspection of such an
export sends the result. Inbound: advance data is stored and linked to the
import declaration it matches, before or after lodging, and a mismatch is a
risk signal; a partner's inspection result is applied to the linked import's
joint inspection under the recognition arrangements.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
import sqlalchemy as sa

from silkgate.declarations.aggregate import Declaration
from silkgate.declarations.document import DeclarationDocument
from silkgate.declarations.events import Amended, Lodged, Released
from silkgate.declarations.ports import Signal
from silkgate.exchange import advance
from silkgate.exchange import messages as m
from silkgate.exchange.envelope import Envelope
from silkgate.exchange.services import ExchangeService
from silkgate.inspection.events import InspectionCompleted
from silkgate.kernel.actors import SYSTEM
from silkgate.kernel.events import JournalNote, MessageBus, Noted, UnitOfWork
from silkgate.store import declarations as declaration_store
from silkgate.store import exchange as store
from silkgate.store import risk as risk_store
from silkgate.store.uow import AttachedUnitOfWork

# A mismatch puts goods still waiting for release under a documentary (yellow) control.
MISMATCH_CHANNEL = "yellow"


@dataclass(frozen=True, kw_only=True)
class AdvanceLinked(Noted):
    """A lodged import was linked with the export data a partner sent (journaled)."""

    declaration_id: int
    advance: dict[str, Any] = field(repr=False, compare=False)


class PartnerResults(Protocol):
    """The joint inspection's use of a partner's (recognised) result."""

    def apply_partner_result(
        self,
        conn: sa.Connection,
        d: Any,
        *,
        partner: str,
        raw: dict[str, Any],
        actor: str,
        at: dt.datetime,
    ) -> list[int]: ...


class TradeExchange:
    """Links declarations with what partners send and receive about them."""

    def __init__(
        self,
        exchange: ExchangeService,
        bus: MessageBus,
        *,
        timezone: Any = dt.UTC,
        to_national: Any = None,
        inspections: PartnerResults | None = None,
    ) -> None:
        self.exchange = exchange
        self.bus = bus
        self.zone = timezone
        # The tariff's customs rates: a partner's values are compared in national currency.
        self.to_national = to_national or (lambda currency: None)
        self.inspections = inspections
        exchange.batch_handlers[m.ADVANCE_EXPORT] = self.receive_advance_many
        exchange.handlers[m.INSPECTION_RESULT] = self.receive_result

    # -- event handlers (registered by the bootstrap) -----------------------------------------

    def on_released(self, event: Released, uow: UnitOfWork) -> None:
        """An export was released: its advance data goes to the country of destination."""
        if event.type == "EX":
            self.released(uow.connection, event.declaration_id, event.mrn, event.version,
                          event.at, event.document)  # fmt: skip

    def on_inspected(self, event: InspectionCompleted, uow: UnitOfWork) -> None:
        """An export's joint inspection was completed: the result goes to the importing side."""
        self.inspected(uow.connection, event.task, list(event.checks), event.at)

    def on_lodged(self, event: Lodged, uow: UnitOfWork) -> None:
        """An import was stored: link its advance data, or wait for it."""
        if event.type == "IM":
            self.lodged(uow, event)

    def on_amended(self, event: Amended, uow: UnitOfWork) -> None:
        """An import was amended: its advance data is compared with the new version."""
        if event.type == "IM":
            self.amended(uow, event.declaration_id, event.document, event.at)

    def signals(self, conn: sa.Connection, doc: DeclarationDocument) -> list[Signal]:
        """A risk signal for an import being lodged whose advance data does not match it."""
        hit = self.lookup(conn, doc)
        if hit is None or not hit[1]:
            return []
        row, mismatches = hit
        return [
            Signal(
                MISMATCH_CHANNEL,
                f"advance export data from {row['sender']} does not match: "
                + "; ".join(x.kind for x in mismatches),
            )
        ]

    # -- outbound ------------------------------------------------------------------------------

    def released(
        self,
        conn: sa.Connection,
        declaration_id: int,
        mrn: str,
        version: int,
        at: dt.datetime,
        doc: DeclarationDocument | None = None,
    ) -> None:
        """Send a released export's advance data to the country of destination, if agreed."""
        if doc is None:
            doc = DeclarationDocument.model_validate(
                declaration_store.document(conn, declaration_id, version)
            )
        partner = doc.transport.destination_country
        if not self.exchange.agreed(partner, "advance_export_data"):
            return
        payload = advance.payload(mrn, doc, at, at.astimezone(self.zone).date())
        self.exchange.enqueue(conn, partner, m.ADVANCE_EXPORT, mrn, payload, at)

    def inspected(
        self,
        conn: sa.Connection,
        task: dict[str, Any],
        checks: list[dict[str, Any]],
        at: dt.datetime,
    ) -> None:
        """An export's joint inspection was completed: the result goes to the importing side."""
        d = declaration_store.get(conn, task["mrn"])
        if d is None or d.type != "EX":
            return
        doc = DeclarationDocument.model_validate(declaration_store.document(conn, d.id, d.version))
        partner = doc.transport.destination_country
        if not self.exchange.agreed(partner, "inspection_results"):
            return
        failed = [c for c in checks if c["status"] == "non_compliant"]
        payload = {
            "export_declaration": d.mrn,
            "reference": f"{d.mrn}/inspection-{task['id']}",
            "result": "non_compliant" if failed else "compliant",
            "checks": sorted({c["check"] for c in checks if c["status"] == "compliant"})
            or sorted({c["check"] for c in checks}),
            "inspected_on": at.astimezone(self.zone).date().isoformat(),
            "note": "; ".join((c.get("finding") or {}).get("note", "") for c in failed)[:1000]
            or None,
        }
        self.exchange.enqueue(conn, partner, m.INSPECTION_RESULT, d.mrn, payload, at)

    # -- imports and their advance data ----------------------------------------------------------

    def lookup(
        self, conn: sa.Connection, doc: DeclarationDocument
    ) -> tuple[dict[str, Any], list[advance.Mismatch]] | None:
        """Advance data already received for an import being lodged, and the mismatches."""
        if doc.type != "IM" or not self.exchange.agreed(
            doc.transport.dispatch_country, "advance_export_data"
        ):
            return None
        keys = advance.match_keys(doc)
        found = store.find_advance(
            conn,
            export_declarations=keys["export_declarations"],
            ucr=keys["ucr"],
            transport_document=keys["transport_document"],
            dispatch_country=keys["dispatch_country"],
        )
        if found is None:
            return None
        return found, self._compare(conn, found, doc, None)

    def _compare(
        self,
        conn: sa.Connection,
        row: dict[str, Any],
        doc: DeclarationDocument,
        declaration_id: int | None,
    ) -> list[advance.Mismatch]:
        """The differences, and whether another live import already claims this export."""
        found = advance.compare(row["payload"], doc, self.to_national)
        others = [
            d
            for d in (
                declaration_store.get_by_id(conn, i)
                for i in store.links_of(conn, [row["id"]]).get(row["id"], [])
                if i != declaration_id
            )
            if d is not None and d.status not in ("cancelled", "rejected")
        ]
        if others:
            found.append(
                advance.Mismatch(
                    "already_declared",
                    f"export {row['export_declaration']} is already declared on "
                    + ", ".join(d.mrn for d in others),
                )
            )
        return found

    def lodged(self, uow: UnitOfWork, event: Lodged) -> None:
        """Link a lodged import's advance data, or wait for it (its signal was raised already)."""
        conn, doc = uow.connection, event.document
        found = self.lookup(conn, doc)
        if found is None:
            if self.exchange.agreed(doc.transport.dispatch_country, "advance_export_data"):
                store.expect_advance(conn, event.declaration_id, _wait_keys(doc))
            return
        row, mismatches = found
        d = declaration_store.get_by_id(conn, event.declaration_id)
        assert d is not None
        store.link_advance(conn, row["id"], d.id, d.version, event.at, _json_list(mismatches))
        # Partner results waiting for this import are applied once the events raised with
        # the lodging (its channel, hence its joint inspection) are handled.
        uow.collect(
            AdvanceLinked(
                entry=_advance_event(d, row, mismatches, event.at, escalated=bool(mismatches)),
                at=event.at,
                actor=SYSTEM,
                declaration_id=d.id,
                advance=row,
            )
        )

    def on_advance_linked(self, event: AdvanceLinked, uow: UnitOfWork) -> None:
        """Apply the partner's inspection results that waited for the import."""
        d = declaration_store.get_by_id(uow.connection, event.declaration_id)
        assert d is not None
        self._apply_results(uow.connection, d, event.advance, event.at)

    def amended(
        self, uow: UnitOfWork, declaration_id: int, doc: DeclarationDocument, at: dt.datetime
    ) -> None:
        """Compare an amended import with its advance data again."""
        conn = uow.connection
        if not self.exchange.agreed(doc.transport.dispatch_country, "advance_export_data"):
            return
        d = declaration_store.get_by_id(conn, declaration_id)
        assert d is not None
        linked = store.advance_of_declaration(conn, d.id)
        if linked:
            row: dict[str, Any] | None = linked[0]
        else:
            hit = self.lookup(conn, doc)
            row = hit[0] if hit else None
        if row is None:
            store.stop_expecting(conn, d.id)
            store.expect_advance(conn, d.id, _wait_keys(doc))
            return
        mismatches = self._compare(conn, row, doc, d.id)
        store.link_advance(conn, row["id"], d.id, d.version, at, _json_list(mismatches))
        store.stop_expecting(conn, d.id)
        self._signal(uow, d, row, mismatches, at)

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
            doc = DeclarationDocument.model_validate(
                declaration_store.document(conn, d.id, d.version)
            )
            if doc.transport.dispatch_country != env.sender:
                continue
            mismatches = self._compare(conn, row, doc, d.id)
            store.link_advance(conn, advance_id, d.id, d.version, at, _json_list(mismatches))
            store.stop_expecting(conn, d.id)
            uow = AttachedUnitOfWork(conn, self.bus)
            self._signal(uow, d, row, mismatches, at)
            uow.settle()
            self._apply_results(conn, d, row, at)
            done.append({"declaration": d.mrn, "mismatches": len(mismatches)})
        return {"advance_data": data.export_declaration, "linked": done or None}

    def _signal(
        self,
        uow: UnitOfWork,
        d: declaration_store.StoredDeclaration,
        row: dict[str, Any],
        mismatches: list[advance.Mismatch],
        at: dt.datetime,
    ) -> None:
        """Journal the link; a mismatch puts goods not yet released under control.

        The declaration escalates itself (its aggregate); the joint inspection is
        planned by the handler of the channel it gets.
        """
        escalated = bool(mismatches) and d.status in ("lodged", "under_control")
        uow.collect(Noted.of(_advance_event(d, row, mismatches, at, escalated=escalated)))
        if not escalated:
            return
        conn = uow.connection
        declaration = Declaration(d)
        declaration.escalate(
            MISMATCH_CHANNEL, f"advance export data from {row['sender']} does not match", at
        )
        declaration_store.save(conn, declaration, at)
        # The officer's risk card says so too, with the reason.
        risk_store.escalate_decision(
            conn,
            d.id,
            declaration.channel or MISMATCH_CHANNEL,
            f"advance export data from {row['sender']} does not match: "
            + "; ".join(x.kind for x in mismatches),
        )
        uow.collect(*declaration.take_events())

    # -- a partner's inspection results --------------------------------------------------------

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
        applied = self._apply_results(conn, d, row, at)
        return {"applied": applied > 0, "declaration": d.mrn}

    def _apply_results(
        self,
        conn: sa.Connection,
        d: declaration_store.StoredDeclaration,
        row: dict[str, Any],
        at: dt.datetime,
    ) -> int:
        if self.inspections is None:
            return 0
        pending = store.pending_partner_results(conn, row["sender"], row["export_declaration"])
        for r in pending:
            self.inspections.apply_partner_result(
                conn,
                d,
                partner=row["sender"],
                raw=r["payload"],
                actor=f"partner {row['sender']}",
                at=at,
            )
            store.mark_partner_result(conn, r["id"], at)
        return len(pending)

    # -- what an officer sees -------------------------------------------------------------------

    def of_declaration(self, conn: sa.Connection, declaration_id: int) -> list[dict[str, Any]]:
        return [_advance_json(a) for a in store.advance_of_declaration(conn, declaration_id)]

    def listing(self, linked: bool | None = None, limit: int = 100) -> list[dict[str, Any]]:
        from silkgate.store.db import reading

        with reading(self.exchange.engine) as conn:
            rows = store.advance_list(conn, linked=linked, limit=limit)
            links = store.links_of(conn, [r["id"] for r in rows])
            mrns = {
                i: getattr(declaration_store.get_by_id(conn, i), "mrn", None)
                for ids in links.values()
                for i in ids
            }
        return [
            {**_advance_json(r), "declarations": [mrns[i] for i in links.get(r["id"], [])]}
            for r in rows
        ]


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
