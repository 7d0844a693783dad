"""LPCOs at lodging: each item's required LPCOs checked, drawn down, given back, and shown.

The declarations' lodging and amendment ask this through their
``LicenceChecks`` port (``declarations/ports.py``), in three steps, as origin's
preference check:

* :meth:`LicenceCheck.verify`, before the write: the requirements in force
  (in memory) and the LPCOs cited as this process last saw them (read only
  when not seen for ``ttl`` seconds); what refuses the lodging, what holds
  the goods, and the risk fact ``item.lpco``;
* :meth:`LicenceCheck.secure`, in the lodging's transaction: the check again
  on what the transaction sees, and each draw-down one conditional
  ``UPDATE`` (``balance >= x``) in LPCO order, so concurrent lodgings on any
  number of processes never overdraw an LPCO, and never deadlock; an
  amendment first gives back what the version it replaces drew;
* :meth:`LicenceCheck.record`, once the declaration has its id: the checks,
  the draw-downs and a journal note, in the same transaction.

It is also the declarations' release gate (a held item, or an LPCO drawn on
and since suspended or revoked, holds the goods), the handler that gives the
balance back when a declaration is cancelled or rejected, and the officer's
view of a declaration's LPCOs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import weakref
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.declarations.document import DeclarationDocument
from silkgate.declarations.events import Decided
from silkgate.kernel.actors import SYSTEM, Principal
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.errors import FieldError, NotFound
from silkgate.kernel.events import JournalNote, Noted, UnitOfWork
from silkgate.lpco.check import INSUFFICIENT, OK, Checked, Finding, Terms, check, cited
from silkgate.lpco.licence import Licence, NationalRate, plain
from silkgate.lpco.requirements import Missing
from silkgate.lpco.services.requirements import RequirementsInForce
from silkgate.lpco.transit import TransitChecked, check_transit
from silkgate.lpco.transit import cited as transit_cited
from silkgate.store import declarations as declaration_store
from silkgate.store import lpco as store
from silkgate.store.db import reading

NOTHING = Checked()


class LicenceCheck:
    """Checks the LPCOs a declaration's items need; draws them down and gives them back."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        requirements: RequirementsInForce,
        to_national: NationalRate,
        ttl: float = 5.0,
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.requirements = requirements
        self.to_national = to_national
        self.ttl = ttl
        self.clock = clock
        # number -> (when this process read it, the LPCO as it stood): for verify only.
        self._known: dict[str, tuple[float, Licence]] = {}
        # The declarations an agency examines, by the transaction that recorded their checks:
        # the joint inspection's planner asks only about these (no read for the others).
        self._examined: weakref.WeakKeyDictionary[sa.Connection, set[int]] = (
            weakref.WeakKeyDictionary()
        )

    # -- before the write ---------------------------------------------------------------------

    def verify(self, doc: DeclarationDocument, on: dt.date) -> Checked:
        """The check of ``doc``'s items, on the LPCOs as this process last saw them.

        No read when no item needs an LPCO, nor when each LPCO cited was seen less
        than ``ttl`` seconds ago (by a check or a draw-down of this process): what
        refuses or holds is decided again, on what the transaction sees, by
        :meth:`secure`.
        """
        requirements = self.requirements.get()
        if not len(requirements):
            return NOTHING
        numbers = cited(doc, requirements, on)
        terms = Terms(on, self.to_national)
        checked = check(doc, requirements, self._seen(numbers), terms)
        if checked.refusals and numbers:
            # A lodging is never refused on what this process saw earlier (an LPCO since
            # accepted, reinstated or amended): the LPCOs cited are read again.
            checked = check(doc, requirements, self._seen(numbers, fresh=True), terms)
        return checked

    def _seen(self, numbers: set[str], *, fresh: bool = False) -> dict[str, Licence]:
        now = time.monotonic()
        known = {n: self._known.get(n) for n in numbers}
        stale = [n for n, k in known.items() if fresh or k is None or now - k[0] > self.ttl]
        out = {n: k[1] for n, k in known.items() if k is not None and n not in stale}
        if stale:
            with reading(self.engine) as conn:
                found = store.held(conn, stale)
            self._remember(found, now)
            out.update(found)
        return out

    def _remember(self, found: dict[str, Licence], at: float) -> None:
        if len(self._known) > 100_000:
            self._known.clear()
        for number, lpco in found.items():
            self._known[number] = (at, lpco)

    # -- in the lodging's transaction -----------------------------------------------------------

    def secure(
        self,
        conn: sa.Connection,
        checks: list[tuple[DeclarationDocument, dt.date]],
        *,
        replacing: int | None = None,
    ) -> list[Checked]:
        """Check ``checks`` again in the transaction and draw down what is ok.

        ``replacing``: a declaration whose live draw-downs are given back first
        (an amendment is checked afresh). A draw-down another transaction made
        impossible meanwhile turns its finding into ``insufficient``; a lodging
        that is refused draws nothing.
        """
        if replacing is not None:
            store.give_back(conn, replacing, self.clock())
        requirements = self.requirements.get()
        if not len(requirements):
            return [NOTHING for _ in checks]
        numbers = sorted({n for doc, on in checks for n in cited(doc, requirements, on)})
        held = store.held(conn, numbers)
        self._remember(held, time.monotonic())
        drawn: dict[int, Decimal] = {}
        out = []
        for doc, on in checks:
            checked = check(doc, requirements, held, Terms(on, self.to_national, drawn))
            out.append(self._draw(conn, doc, checked, drawn) if not checked.refusals else checked)
        return out

    def _draw(
        self,
        conn: sa.Connection,
        doc: DeclarationDocument,
        checked: Checked,
        drawn: dict[int, Decimal],
    ) -> Checked:
        """Draw each finding that is ok, in LPCO order; the check as it now stands."""
        done: list[Finding] = []
        findings = list(checked.findings)
        order = sorted(
            (i for i, f in enumerate(findings) if f.status == OK),
            key=lambda i: findings[i].lpco_id or 0,
        )
        refusals: list[FieldError] = []
        for i in order:
            f = findings[i]
            assert f.lpco_id is not None and f.amount is not None
            if store.draw(conn, f.lpco_id, f.amount):
                done.append(f)
                continue
            findings[i] = _drawn_meanwhile(f)
            if f.requirement.missing is Missing.REFUSE:
                refusals.append(_refusal_meanwhile(doc, findings[i]))
        if refusals:
            for f in done:  # a refused lodging draws nothing
                assert f.lpco_id is not None and f.amount is not None
                store.give_back_amount(conn, f.lpco_id, f.amount)
            return Checked(tuple(findings), tuple(refusals))
        for f in done:
            assert f.lpco_id is not None and f.amount is not None
            drawn[f.lpco_id] = drawn.get(f.lpco_id, Decimal(0)) + f.amount
        return Checked(tuple(findings))

    def record(
        self,
        uow: UnitOfWork,
        entries: Sequence[tuple[tuple[int, str, int], Checked | None]],
        at: dt.datetime,
        *,
        replacing: bool = False,
    ) -> None:
        """Store the checks and draw-downs of declarations ``((id, mrn, version), checked)``
        and journal them; ``replacing``: they replace the checks of earlier versions."""
        conn = uow.connection
        rows: list[dict[str, Any]] = []
        draws: list[dict[str, Any]] = []
        for (declaration_id, mrn, version), found in entries:
            checked = found or NOTHING
            for f in checked.findings:
                rows.append(_check_row(declaration_id, version, f))
                if f.status == OK:
                    draws.append(
                        {
                            "lpco_id": f.lpco_id, "declaration_id": declaration_id,
                            "version": version, "item": f.seq, "quantity": f.amount,
                            "drawn_at": at,
                        }
                    )  # fmt: skip
            if checked.findings:
                uow.collect(Noted.of(_note(declaration_id, mrn, version, checked, at)))
            if any(f.examiner for f in checked.findings):
                self._examined.setdefault(conn, set()).add(declaration_id)
        store.save_checks(conn, rows, replacing=[e[0][0] for e in entries] if replacing else [])
        store.add_drawdowns(conn, draws)

    # -- afterwards -----------------------------------------------------------------------------

    def on_decided(self, event: Decided, uow: UnitOfWork) -> None:
        """A cancelled or rejected declaration gives back what it drew."""
        if event.action not in ("cancel", "reject"):
            return
        returned = store.give_back(uow.connection, event.declaration_id, event.at)
        if returned:
            uow.collect(
                Noted.of(
                    JournalNote(
                        at=event.at, actor=SYSTEM, event="lpco_check",
                        declaration_id=event.declaration_id, mrn=event.mrn,
                        version=event.version,
                        reason=f"{returned} LPCO draw-down(s) given back ({event.action})",
                    )
                )
            )  # fmt: skip

    def examinations(self, conn: sa.Connection, declaration_id: int) -> list[dict[str, Any]]:
        """The agencies that examine the declaration's goods, by item (the joint inspection's
        port): an LPCO with an examination condition, or a requirement that says so.

        Read only for a declaration whose checks this transaction recorded with an
        examining agency (a lodging or an amendment): any other has none to add."""
        if declaration_id not in self._examined.get(conn, ()):
            return []
        return store.examinations(conn, declaration_id)

    def check_transit(
        self, conn: sa.Connection, declaration: Any, country: str, on: dt.date
    ) -> TransitChecked:
        """Transit's port: the LPCOs the goods of a transit declaration need, checked on what
        the lodging's transaction sees (nothing is drawn down)."""
        requirements = self.requirements.get()
        if not len(requirements):
            return TransitChecked()
        held = store.held(conn, transit_cited(declaration, requirements, country, on))
        return check_transit(declaration, country, requirements, held, on, self.to_national)

    def blocks_release(self, uow: UnitOfWork, declaration_id: int) -> str | None:
        """Why release waits: an item held for its LPCO, or an LPCO drawn on and since
        suspended or revoked."""
        blocking = store.blocking(uow.connection, declaration_id)
        if not blocking:
            return None
        return "; ".join(_blocking_words(c) for c in blocking)[:1000]

    def of_mrn(self, principal: Principal, mrn: str) -> list[dict[str, Any]]:
        """:meth:`of_declaration` for whoever may read the declaration ``mrn`` (another
        declarant's is not found, as an unknown one)."""
        with reading(self.engine) as conn:
            d = declaration_store.get(conn, mrn)
            if (
                d is None
                or not principal.reads_declarations
                or not principal.may_see(d.declarant_id)
            ):
                raise NotFound(f"no declaration {mrn}")
            return self.of_declaration(conn, d.id)

    def of_declaration(self, conn: sa.Connection, declaration_id: int) -> list[dict[str, Any]]:
        """The LPCOs of a declaration's items, as checked, with each LPCO's status now."""
        return [
            {
                "item": c["item"],
                "lpco": c["kind"],
                "document": c["document"],
                "number": c["number"],
                "agency": c["agency"],
                "status": c["status"],
                "lpco_status": c["lpco_status"],
                "drawn": plain(c["amount"]) if c["amount"] is not None else None,
                "unit": c["unit"],
                "held": c["held"],
                "reason": c["reason"],
            }
            for c in store.checks_of(conn, declaration_id)
        ]


def _drawn_meanwhile(f: Finding) -> Finding:
    return dataclasses.replace(
        f,
        status=INSUFFICIENT,
        reason=f"{f.number} was drawn down by another declaration meanwhile "
        f"(or suspended); the item needs {plain(f.amount or Decimal(0))} {f.unit}",
    )


def _refusal_meanwhile(doc: DeclarationDocument, f: Finding) -> FieldError:
    index = next(i for i, item in enumerate(doc.items) if item.seq == f.seq)
    return FieldError(f"/items/{index}/documents", "lpco_balance", f.reason or "")


def _check_row(declaration_id: int, version: int, f: Finding) -> dict[str, Any]:
    return {
        "declaration_id": declaration_id,
        "version": version,
        "item": f.seq,
        "kind": f.requirement.kind.value,
        "document": f.requirement.document,
        "number": f.number,
        "status": f.status,
        "amount": f.amount,
        "unit": f.unit,
        "held": f.held,
        "reason": f.reason,
        "examiner": f.examiner,
    }


def _blocking_words(c: dict[str, Any]) -> str:
    what = f"item {c['item']}: {c['kind'].replace('_', ' ')} {c['number'] or c['document']}"
    if c["held"]:
        return f"{what} {c['status']} ({c['reason']})"
    issuer = " ".join(x for x in (c.get("administration"), c["agency"]) if x)
    return f"{what} was {c['lpco_status']} by {issuer}"


def _note(
    declaration_id: int, mrn: str, version: int, checked: Checked, at: dt.datetime
) -> JournalNote:
    """The journal's account of the LPCOs checked: what was drawn, what holds the goods."""
    return JournalNote(
        at=at,
        actor=SYSTEM,
        event="lpco_check",
        declaration_id=declaration_id,
        mrn=mrn,
        version=version,
        reason="; ".join(f.words() for f in checked.findings)[:1000],
    )
