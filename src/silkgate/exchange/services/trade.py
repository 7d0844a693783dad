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

import sqlalchemy as sa

from silkgate.declarations.aggregate import Declaration
from silkgate.declarations.document import DeclarationDocument
from silkgate.declarations.events import Amended, Lodged, Released
from silkgate.declarations.journal_keys import JournalKeys
from silkgate.declarations.ports import Signal
from silkgate.exchange import advance
from silkgate.exchange import messages as m
from silkgate.exchange.services import ExchangeService
from silkgate.exchange.services.trade_inbound import (
    Inbound,
    _advance_event,
    _advance_json,
    _json_list,
    _wait_keys,
)
from silkgate.inspection.events import InspectionCompleted
from silkgate.kernel.actors import SYSTEM
from silkgate.kernel.events import JournalNote, MessageBus, Noted, UnitOfWork
from silkgate.store import declarations as declaration_store
from silkgate.store import exchange as store
from silkgate.store import risk as risk_store

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
    ) -> tuple[list[int], JournalNote]: ...


class TradeExchange(Inbound):
    """Links declarations with what partners send and receive about them."""

    def __init__(
        self,
        exchange: ExchangeService,
        bus: MessageBus,
        journal_keys: JournalKeys,
        *,
        timezone: Any = dt.UTC,
        to_national: Any = None,
        inspections: PartnerResults | None = None,
    ) -> None:
        self.exchange = exchange
        self.bus = bus
        # Partner messages applied in the inbox's transaction are journaled there.
        self.journal_keys = journal_keys
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
            doc = DeclarationDocument.stored(
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
        doc = DeclarationDocument.stored(declaration_store.document(conn, d.id, d.version))
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
        self._apply_results(uow, d, event.advance, event.at)

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
