"""New versions of a declaration: the declarant's amendment, an officer's correction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from silkgate.declarations.aggregate import Declaration, DeclarationState
from silkgate.declarations.document import DeclarationDocument
from silkgate.declarations.ports import DeclarationUnitOfWork
from silkgate.declarations.services import licences
from silkgate.declarations.services.context import Context, visible
from silkgate.declarations.services.queries import summary
from silkgate.declarations.services.selection import selection_of, store_decision, with_signals
from silkgate.declarations.validation import InvalidDeclaration, validate
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import Conflict, FieldError, Forbidden, InvalidRequest
from silkgate.kernel.errors import PreconditionFailed as Stale
from silkgate.kernel.events import UnitOfWork, with_note
from silkgate.store import declarations as store
from silkgate.store import tariff as tariff_store
from silkgate.tariff.money import ZERO, round_money

CORRECTABLE = frozenset({"hs_code", "origin", "value", "net_mass_kg", "supplementary_quantity"})


def assessed_note(a: Any) -> str:
    """The journal's sentence for an assessment."""
    return (
        f"duties and taxes {a.total('total')} {a.currency} "
        f"(tariff version {a.tariff_version}, as of {a.on})"
    )


def brief(a: Any) -> dict[str, Any]:
    """The totals of an assessment, as the lodging and amendment answers carry them.

    With the e-CO check of each preference claimed, so the declarant sees why
    a preference was not given.
    """
    out = {
        "currency": a.currency,
        **{k: format(round_money(v, a.minor_unit), "f") for k, v in a.shown_totals().items()},
    }
    checked = [{"item": i.seq, **i.verdict.as_json()} for i in a.items if i.verdict is not None]
    if checked:
        out["preferences"] = checked
    return out


class Amendments:
    """The declarant's amendments and officers' corrections, each a new version."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def amend(
        self,
        principal: Principal,
        mrn: str,
        raw: Any,
        *,
        if_match: int | None = None,
        reason: str | None = None,
    ) -> dict[str, Any]:
        """Replace the document with a new version; every earlier version is kept.

        The new version is assessed as of the original day of lodging and
        selected again; the stricter of the old and new channel holds.
        """
        ctx = self.ctx
        at = ctx.clock()
        doc = validate(raw, ctx.codes, ctx.today(at))
        with ctx.unit_of_work() as uow:
            conn = uow.connection
            d = visible(uow.declarations, principal, mrn, for_update=True)
            if principal.role is not Role.DECLARANT:
                raise Forbidden("only the declarant amends a declaration")
            for gate in ctx.amendment_gates:
                blocked = gate.blocks_amendment(uow, d.id)
                if blocked:
                    raise Conflict(blocked)
            if if_match is not None and if_match != d.version:
                raise Stale(f"the declaration is at version {d.version}, not {if_match}")
            _same_identity(doc, d)
            declaration = Declaration(d)
            before = d.channel
            declaration.amend(at=at, actor=principal.name, reason=reason, document=doc)
            assessment, verdicts = self._assess(uow, doc, d)
            checked = self._check_lpco(uow, doc, d)
            self._store_version(uow, declaration, doc, assessment, at, principal.name, reason)
            self._record_claims(uow, declaration, assessment, verdicts, at)
            self._record_lpco(uow, declaration, checked, at)
            if ctx.risk is not None:
                decision = ctx.risk.decide(
                    doc, assessment, ctx.today(d.lodged_at), licences.facts(checked)
                )
                decision = with_signals(decision, licences.signals(checked))
                store_decision(
                    conn, ctx.risk, decision,
                    declaration_id=d.id, version=declaration.version, at=at,
                )  # fmt: skip
                declaration.select(selection_of(decision), at, kept=before)
                uow.declarations.save(declaration, at)
            uow.collect(*declaration.take_events())
        # Handlers (a partner's export data compared again) may have changed it further.
        result = summary(_latest(ctx, declaration), ctx.codes.currencies)
        result["assessment"] = brief(assessment)
        return result

    def _assess(
        self, uow: UnitOfWork, doc: DeclarationDocument, d: DeclarationState
    ) -> tuple[Any, Mapping[int, Any]]:
        """A new version assessed as of the day of lodging, its preference claims checked again.

        The uses of certificate lines by the version it replaces are given back first.
        """
        ctx = self.ctx
        on = ctx.today(d.lodged_at)
        verdicts: Mapping[int, Any] = {}
        if ctx.origin is not None:
            verdicts = ctx.origin.secure(uow.connection, [(doc, on)], replacing=d.id)[0]
        if verdicts:
            return ctx.tariff.assess(doc, on, verdicts), verdicts
        return ctx.tariff.assess(doc, on), verdicts

    def _check_lpco(self, uow: UnitOfWork, doc: DeclarationDocument, d: DeclarationState) -> Any:
        """The LPCOs of a new version checked and drawn down again, after what the version it
        replaces drew is given back; a refusal raises (and the transaction keeps nothing)."""
        if self.ctx.lpco is None:
            return None
        on = self.ctx.today(d.lodged_at)
        checked = self.ctx.lpco.secure(uow.connection, [(doc, on)], replacing=d.id)[0]
        licences.refused(checked)
        return checked

    def _record_lpco(
        self, uow: UnitOfWork, declaration: Declaration, checked: Any, at: dt.datetime
    ) -> None:
        d = declaration.state
        licences.record(
            self.ctx, uow, [((d.id, d.mrn, declaration.version), checked)], at, replacing=True
        )

    def _record_claims(
        self,
        uow: UnitOfWork,
        declaration: Declaration,
        assessment: Any,
        verdicts: Mapping[int, Any],
        at: dt.datetime,
    ) -> None:
        if self.ctx.origin is not None:
            d = declaration.state
            entry = ((d.id, d.mrn, declaration.version), assessment, verdicts)
            self.ctx.origin.record(uow, [entry], at, replacing=True)

    def _store_version(
        self,
        uow: UnitOfWork,
        declaration: Declaration,
        doc: DeclarationDocument,
        assessment: Any,
        at: dt.datetime,
        actor: str,
        reason: str | None,
    ) -> None:
        conn = uow.connection
        store.add_version(conn, declaration, doc, at, actor, reason)
        tariff_store.insert_assessments(
            conn,
            [
                {
                    "declaration_id": declaration.state.id,
                    "version": declaration.version,
                    "assessed_at": at,
                    **tariff_store.assessment_row(assessment),
                }
            ],
        )
        declaration.assessed(assessed_note(assessment), at)

    def correct(
        self, principal: Principal, mrn: str, item: int, corrected: dict[str, Any], reason: str
    ) -> dict[str, Any]:
        """An officer's correction of one item after inspection, in a transaction of its own."""
        with self.ctx.unit_of_work() as uow:
            return self.correct_in(uow, principal, mrn, item, corrected, reason)

    def correct_in(
        self,
        uow: DeclarationUnitOfWork,
        principal: Principal,
        mrn: str,
        item: int,
        corrected: dict[str, Any],
        reason: str,
    ) -> dict[str, Any]:
        """Correct one item inside the caller's unit of work: a new version, reassessed.

        ``corrected`` may set the item's ``hs_code``, ``origin``, ``value``
        (invoice currency; the invoice total follows), ``net_mass_kg`` or
        ``supplementary_quantity``. The status does not change (the goods are
        under control); the duties are assessed again as of the day of
        lodging, and the difference is what the inspection recovered.
        """
        if not principal.is_staff:
            raise Forbidden("corrections are made by customs officers")
        _check_correctable(corrected)
        ctx = self.ctx
        at = ctx.clock()
        d = visible(uow.declarations, principal, mrn, for_update=True)
        declaration = Declaration(d)
        raw = store.document(uow.connection, d.id, d.version)
        assert raw is not None
        doc = _corrected_document(raw, item, corrected, ctx, at)
        before = uow.accounts.assessed_total(d.id, d.version) or ZERO
        assessment, verdicts = self._assess(uow, doc, d)
        checked = self._check_lpco(uow, doc, d)
        declaration.correct(
            at=at,
            actor=principal.name,
            # Why is the officer's note: a trader is shown what changed, not why.
            reason=with_note(
                f"item {item}: " + ", ".join(f"{k} {v}" for k, v in corrected.items()), reason
            ),
        )
        self._store_version(uow, declaration, doc, assessment, at, principal.name, reason)
        self._record_claims(uow, declaration, assessment, verdicts, at)
        self._record_lpco(uow, declaration, checked, at)
        uow.collect(*declaration.take_events())
        after: Decimal = assessment.total("total")
        return {
            "mrn": mrn,
            "version": declaration.version,
            "assessed_before": format(before, "f"),
            "assessed_after": format(after, "f"),
            "difference": format(after - before, "f"),
        }


def _latest(ctx: Context, declaration: Declaration) -> store.StoredDeclaration:
    from silkgate.store.db import reading

    with reading(ctx.engine) as conn:
        return store.get_by_id(conn, declaration.state.id) or declaration.state


def _same_identity(doc: DeclarationDocument, d: store.StoredDeclaration) -> None:
    errors = []
    if doc.type != d.type:
        errors.append(FieldError("/type", "immutable", f"cannot change from {d.type}"))
    if doc.lrn != d.lrn:
        errors.append(FieldError("/lrn", "immutable", f"an amendment keeps the LRN {d.lrn!r}"))
    if doc.declarant.id != d.declarant_id:
        errors.append(
            FieldError("/declarant/id", "immutable", "an amendment cannot change the declarant")
        )
    if errors:
        raise InvalidDeclaration(errors)


def _check_correctable(corrected: dict[str, Any]) -> None:
    unknown = sorted(set(corrected) - CORRECTABLE)
    if unknown or not corrected:
        raise InvalidRequest(
            [
                FieldError(
                    "/finding/corrected",
                    "invalid",
                    f"may correct {', '.join(sorted(CORRECTABLE))}"
                    + (f"; not {', '.join(unknown)}" if unknown else ""),
                )
            ]
        )


def _corrected_document(
    raw: dict[str, Any], item: int, corrected: dict[str, Any], ctx: Context, at: dt.datetime
) -> DeclarationDocument:
    """The document with one item corrected (totals following), validated again."""
    items = [i for i in raw["items"] if i["seq"] == item]
    if not items:
        raise InvalidRequest(
            [FieldError("/finding/item", "invalid", f"the declaration has no item {item}")]
        )
    items[0].update(corrected)
    index = raw["items"].index(items[0])
    try:
        raw["invoice"]["amount"] = str(sum(Decimal(str(i["value"])) for i in raw["items"]))
        # More goods found than declared weigh more: the gross mass follows the net.
        net = sum(Decimal(str(i["net_mass_kg"])) for i in raw["items"])
        if net > Decimal(str(raw["totals"]["gross_mass_kg"])):
            raw["totals"]["gross_mass_kg"] = str(net)
    except (ArithmeticError, ValueError, TypeError):
        pass  # validation below names the field
    try:
        return validate(raw, ctx.codes, ctx.today(at))
    except InvalidDeclaration as exc:
        prefix = f"/items/{index}/"

        def where(pointer: str) -> str:
            # The officer sent item fields: point at those, not into the document.
            if pointer.startswith(prefix):
                return "/finding/corrected/" + pointer[len(prefix) :]
            return "/finding/corrected"

        raise InvalidRequest(
            [FieldError(where(e.pointer), e.code, e.detail) for e in exc.errors]
        ) from None
