"""Reading declarations: one with everything an actor may see, versions, timeline, search."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from silkgate.declarations.disclosure import journal_view
from silkgate.declarations.document import DeclarationDocument
from silkgate.declarations.services.context import Context, visible_on
from silkgate.declarations.services.payments import account_on
from silkgate.declarations.states import OFFICER_ACTIONS, Action, Status, allowed_actions
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.store import declarations as store
from silkgate.store import journal
from silkgate.store import risk as risk_store
from silkgate.store import tariff as tariff_store
from silkgate.store.db import reading
from silkgate.store.tables import MAX_ID


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def iso(at: Any) -> str:
    return str(at.isoformat()).replace("+00:00", "Z")


def summary(d: store.StoredDeclaration, minor_units: Mapping[str, int | None]) -> dict[str, Any]:
    """The public face of a declaration, without its document (the API adds its links)."""
    minor = minor_units.get(d.currency)
    amount = (
        d.invoice_amount if minor is None else d.invoice_amount.quantize(Decimal(1).scaleb(-minor))
    )
    return {
        "mrn": d.mrn,
        "type": d.type,
        "status": d.status,
        "version": d.version,
        "office": d.office,
        "declarant_id": d.declarant_id,
        "lrn": d.lrn,
        "currency": d.currency,
        "invoice_amount": str(amount),
        "item_count": d.item_count,
        "channel": d.channel,
        "arrival_date": d.arrival_date.isoformat() if d.arrival_date else None,
        "lodged_at": iso(d.lodged_at),
        "updated_at": iso(d.updated_at),
    }


class Queries:
    """What a principal may read about declarations."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def summary(self, d: store.StoredDeclaration) -> dict[str, Any]:
        return summary(d, self.ctx.codes.currencies)

    def get(self, principal: Principal, mrn: str) -> dict[str, Any]:
        """The declaration with its document, assessment, account and what the actor may do."""
        ctx = self.ctx
        with reading(ctx.engine) as conn:
            d = visible_on(conn, principal, mrn)
            result = self.summary(d)
            result["document"] = store.document(conn, d.id, d.version)
            result["assessment"] = tariff_store.assessment_of(conn, d.id, d.version)
            result["risk"] = _risk_of(conn, principal, d)
            result["inspection"] = (
                ctx.inspection.of_declaration(conn, d.id)
                if ctx.inspection is not None and principal.sees_all
                else None
            )
            risk = result["risk"]
            if risk and risk["model_id"] and ctx.risk is not None:
                risk["top_features"] = ctx.risk.explain(
                    risk["model_id"],
                    DeclarationDocument.stored(result["document"]),
                    result["assessment"],
                    risk["model_item"],
                    ctx.today(d.lodged_at),
                )
            result["account"] = account_on(conn, d, ctx.currency, ctx.minor_unit)
            result["allowed_actions"] = actions_for(principal, d)
            return result

    def version(self, principal: Principal, mrn: str, version: int) -> dict[str, Any]:
        with reading(self.ctx.engine) as conn:
            d = visible_on(conn, principal, mrn)
            document = store.document(conn, d.id, version)
            if document is None:
                raise NotFound(f"declaration {mrn} has no version {version}")
            return {"mrn": mrn, "version": version, "document": document}

    def versions(self, principal: Principal, mrn: str) -> list[dict[str, Any]]:
        """Every version, oldest first; the reason of a correction as the reader is shown it."""
        view = journal_view(principal)
        with reading(self.ctx.engine) as conn:
            d = visible_on(conn, principal, mrn)
            rows = store.versions(conn, d.id)
            # Which event made each version, where the reader is shown such reasons in part.
            made_by = (
                {
                    e.version: e.event
                    for e in journal.entries_for(conn, d.id)
                    if e.event in view.versions
                }
                if view.versions
                else {}
            )
        return [
            {
                **v,
                "created_at": iso(v["created_at"]),
                "reason": view.version_reason(made_by.get(v["version"]), v["reason"]),
            }
            for v in rows
        ]

    def timeline(self, principal: Principal, mrn: str) -> list[dict[str, Any]]:
        """The declaration's journal entries, oldest first, with time elapsed since lodging.

        Each reader is shown what :func:`~silkgate.declarations.disclosure.journal_view`
        lets it see: a trader, for one, neither the risk reasons nor officers' notes.
        """
        view = journal_view(principal)
        with reading(self.ctx.engine) as conn:
            d = visible_on(conn, principal, mrn)
            entries = journal.entries_for(conn, d.id)
        start = entries[0].at if entries else None
        return [
            {
                "seq": e.seq,
                "at": iso(e.at),
                "actor": e.actor,
                "event": e.event,
                "version": e.version,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "reason": view.reason(e.event, e.reason),
                "elapsed_seconds": round((e.at - start).total_seconds(), 3) if start else 0.0,
            }
            for e in entries
            if view.shows(e.event)
        ]

    def search(
        self,
        principal: Principal,
        filters: store.Filters,
        *,
        limit: int = 50,
        cursor: str | None = None,
        names: bool = False,
    ) -> Page:
        """A page of declarations, newest first; ``names`` adds each ``declarant_name``."""
        if not principal.reads_declarations:
            raise Forbidden("an origin officer works on certificates of origin, not declarations")
        if not principal.sees_all:
            if filters.declarant_id not in (None, principal.party_id):
                raise Forbidden("a declarant sees only its own declarations")
            filters = store.Filters(**{**filters.__dict__, "declarant_id": principal.party_id})
        before = _decode_cursor(cursor)
        with reading(self.ctx.engine) as conn:
            rows = store.search(conn, filters, limit=limit + 1, before_id=before)
            more = len(rows) > limit
            rows = rows[:limit]
            named = store.declarant_names(conn, rows) if names else {}
        items = [self.summary(d) for d in rows]
        if names:
            for item, d in zip(items, rows, strict=True):
                item["declarant_name"] = named.get(d.id, "")
        return Page(items, format(rows[-1].id, "x") if more and rows else None)


def _risk_of(conn: Any, principal: Principal, d: store.StoredDeclaration) -> dict[str, Any] | None:
    """Selectivity's decision, for customs staff and analysts only: a trader must not learn
    the profiles, nor the quarantine service customs' risk intelligence."""
    if not principal.reads_risk:
        return None
    found = risk_store.decision_of(conn, d.id)
    if found is None:
        return None
    reasons = found["reasons"]
    return {
        "channel": found["channel"],
        "score": float(found["score"]),
        "model_score": None if found["model_score"] is None else float(found["model_score"]),
        "model_id": found["model_id"],
        "exploration": found["exploration"],
        "sps": found["sps"],
        "reasons": reasons.get("reasons", []),
        "profiles": reasons.get("profiles", []),
        "top_features": reasons.get("top_features", []),
        "model_item": reasons.get("model_item"),
        "decided_at": iso(found["decided_at"]),
    }


def actions_for(principal: Principal, d: store.StoredDeclaration) -> list[str]:
    """What ``principal`` may do to ``d`` now."""
    actions = allowed_actions(Status(d.status))
    if principal.is_staff:
        return [a.value for a in actions if a in OFFICER_ACTIONS or a is Action.CANCEL]
    if principal.role is not Role.DECLARANT:
        return []  # an analyst reads, and decides nothing
    return [a.value for a in actions if a in (Action.AMEND, Action.CANCEL)]


def _decode_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        before = int(cursor, 16)
    except ValueError:
        before = 0
    if not 0 < before <= MAX_ID:  # a larger number is no row's, and no driver takes it
        raise InvalidRequest(
            [FieldError("/cursor", "invalid", "is not a cursor this node issued", "query")]
        )
    return before
