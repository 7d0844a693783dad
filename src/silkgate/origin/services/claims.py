"""Preference claims at lodging: checked against the e-COs received, quantities covered, box 4.

The declarations' lodging asks this through its ``PreferenceClaims`` port
(``declarations/ports.py``), in three steps:

* :meth:`PreferenceCheck.verify`, before the write, with the validation and
  the assessment: one read of the certificates claimed (none when nothing is
  claimed that an e-CO stands for), and the verdict on each claim;
* :meth:`PreferenceCheck.secure`, in the lodging's transaction: the check
  again on what the transaction sees, and each quantity given covered by one
  conditional ``UPDATE`` per certificate line, in line order (so concurrent
  lodgings never cover more than a line states, and never deadlock);
* :meth:`PreferenceCheck.record`, once the declaration has its id: the
  claims, the uses of the lines, a journal note, and box 4 (the treatment
  given) for each certificate's issuer, in the same transaction.

Parsed certificates are kept in memory by number and last change, so a
lodging reads only each certificate's state (status, cover) from the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

import sqlalchemy as sa

from silkgate.declarations.document import DeclarationDocument
from silkgate.declarations.events import Decided
from silkgate.kernel.actors import SYSTEM
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.events import JournalNote, Noted, UnitOfWork
from silkgate.origin.agreements import AGREEMENTS
from silkgate.origin.claims import (
    MISMATCH,
    Held,
    NationalRate,
    Terms,
    Verdict,
    check,
    claimed_numbers,
)
from silkgate.origin.received import Certificate
from silkgate.store import origin_claims as store
from silkgate.store.db import reading

ORIGIN_TREATMENT = "origin_treatment"  # the message kind (exchange/messages.py)
# Claims checked at lodging, by item.
Verdicts = dict[int, Verdict]


class Outbox(Protocol):
    """Exchange: messages ``(partner, kind, subject, payload)`` for partners, written in the
    caller's transaction (those no agreement covers are left out)."""

    def __call__(
        self,
        conn: sa.Connection,
        messages: list[tuple[str, str, str, dict[str, Any]]],
        at: dt.datetime,
    ) -> int: ...


class RuleBookTerms(Protocol):
    """The agreements' terms in force (the origin rule book), when loaded."""

    def validity_months(self, agreement: str) -> int | None: ...

    def parties(self, agreement: str) -> frozenset[str] | None: ...


class PreferenceCheck:
    """Checks preference claims against the e-COs received; covers and records them."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        administration: str,
        terms: RuleBookTerms,
        to_national: NationalRate,
        expecting: Callable[[str], bool],
        outbox: Outbox,
        wait: dt.timedelta,
        zone: dt.tzinfo = dt.UTC,
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.administration = administration
        self.agreement_terms = terms
        self.to_national = to_national
        self.expecting = expecting
        self.outbox = outbox
        self.wait = wait
        self.zone = zone
        self.clock = clock
        # number -> ((status, last change), parsed); (number, line) -> line id; number -> issuer
        self._parsed: dict[str, tuple[tuple[str, dt.datetime], Certificate]] = {}
        self._line_ids: dict[tuple[str, int], int] = {}
        self._issuers: dict[str, str] = {}

    def terms(self, on: dt.date) -> Terms:
        book = self.agreement_terms

        def parties(agreement: str) -> frozenset[str]:
            found = book.parties(agreement)
            known = AGREEMENTS.get(agreement)
            return found if found is not None else (known.parties if known else frozenset())

        return Terms(
            administration=self.administration,
            on=on,
            validity_months=book.validity_months,
            parties=parties,
            to_national=self.to_national,
            expecting=self.expecting,
        )

    # -- before the write ---------------------------------------------------------------------

    def verify(self, doc: DeclarationDocument, on: dt.date) -> Verdicts:
        """The verdict on each claim an e-CO stands for; no read when there is none."""
        numbers = claimed_numbers(doc)
        if not numbers:
            return {}
        with reading(self.engine) as conn:
            held = self.held(conn, numbers.values())
        return check(doc, held, self.terms(on))

    def held(self, conn: sa.Connection, numbers: Iterable[str]) -> dict[str, Held]:
        """The certificates held among ``numbers``, each with what its lines have covered."""
        state = store.held_state(conn, numbers)
        stale = [s["id"] for n, s in state.items() if self._fresh(n, s["version"]) is None]
        documents = store.documents(conn, stale)
        out: dict[str, Held] = {}
        for number, s in state.items():
            cert = self._fresh(number, s["version"])
            if cert is None:
                cert = Certificate.model_validate(documents[s["id"]])
                status, replaced_by = s["status"]
                if (cert.status, cert.replaced_by) != (status, replaced_by):
                    # Replaced by a later certificate: the row says so, not the copy received.
                    cert = cert.model_copy(update={"status": status, "replaced_by": replaced_by})
                self._parsed[number] = (s["version"], cert)
            self._issuers[number] = s["issuer"]
            covered = {}
            for line, (line_id, cover) in s["lines"].items():
                self._line_ids[(number, line)] = line_id
                covered[line] = cover
            out[number] = Held(cert, covered)
        return out

    def _fresh(self, number: str, version: tuple[str, dt.datetime]) -> Certificate | None:
        found = self._parsed.get(number)
        return found[1] if found is not None and found[0] == version else None

    def issuer(self, number: str) -> str | None:
        return self._issuers.get(number)

    def line_id(self, number: str, line: int | None) -> int:
        """The stored id of a certificate line met by :meth:`held`."""
        assert line is not None
        return self._line_ids[(number, line)]

    # -- in the lodging's transaction -----------------------------------------------------------

    def secure(
        self,
        conn: sa.Connection,
        claims: list[tuple[DeclarationDocument, dt.date]],
        *,
        replacing: int | None = None,
    ) -> list[Verdicts]:
        """Check ``claims`` again in the transaction and cover what is given; the verdicts.

        ``replacing``: a declaration whose earlier uses are given back first
        (an amendment or a correction is checked afresh). A line another
        transaction covered in the meantime turns its verdict into
        ``eco_quantity``.
        """
        if replacing is not None:
            store.release_uses(conn, replacing, self.clock())
        numbers = sorted({n for doc, _ in claims for n in claimed_numbers(doc).values()})
        if not numbers:
            return [{} for _ in claims]
        for number in numbers:
            store.lock_number(conn, number)
        held = self.held(conn, numbers)
        results: list[Verdicts] = []
        covers: list[tuple[int, Decimal, int, int]] = []  # line id, quantity, claim, item
        taken: dict[tuple[str, int], Decimal] = {}
        for index, (doc, on) in enumerate(claims):
            mine = _plus(held, taken, claimed_numbers(doc).values())
            verdicts = check(doc, mine, self.terms(on))
            for v in verdicts.values():
                if v.given and v.line is not None and v.quantity is not None:
                    key = (v.number, v.line)
                    taken[key] = taken.get(key, Decimal(0)) + v.quantity
                    covers.append((self.line_id(*key), v.quantity, index, v.seq))
            results.append(verdicts)
        for line_id, quantity, index, seq in sorted(covers):
            if not store.cover(conn, line_id, quantity):
                results[index][seq] = covered_meanwhile(results[index][seq])
        return results

    def record(
        self,
        uow: UnitOfWork,
        entries: Sequence[tuple[tuple[int, str, int], Any, Mapping[int, Verdict]]],
        at: dt.datetime,
        *,
        replacing: bool = False,
    ) -> None:
        """Store the claims of declarations ``((id, mrn, version), assessment, verdicts)``;
        journal them, send box 4. ``replacing``: they replace the claims of earlier versions.

        A batch of lodgings is recorded with one insert of claims and one of uses.
        """
        conn = uow.connection
        rows: list[dict[str, Any]] = []
        uses: list[dict[str, Any]] = []
        decided: list[tuple[str, Verdict]] = []
        # An amended claim still waiting waits no longer than from its lodging.
        waits = store.wait_limits(conn, [e[0][0] for e in entries]) if replacing else {}
        for (declaration_id, mrn, version), assessment, verdicts in entries:
            items = {i.seq: i for i in assessment.items}
            for seq, v in sorted(verdicts.items()):
                item = items.get(seq)
                row = self.claim_row(v, version, item.preference if item else None,
                                     item.preference_withheld if item else None, at)  # fmt: skip
                if v.waiting and (declaration_id, v.number) in waits:
                    row["wait_until"] = waits[(declaration_id, v.number)]
                rows.append({"declaration_id": declaration_id, **row})
                if v.given and v.line is not None and v.quantity is not None:
                    uses.append(
                        {
                            "line_id": self.line_id(v.number, v.line),
                            "declaration_id": declaration_id,
                            "version": version,
                            "item": seq,
                            "quantity": v.quantity,
                            "used_at": at,
                        }
                    )
            if verdicts:
                uow.collect(Noted.of(note(declaration_id, mrn, version, verdicts.values(), at)))
                decided.extend((mrn, v) for v in verdicts.values())
        self.send_treatments(conn, decided, at)
        replaced = [entry[0][0] for entry in entries] if replacing else []
        store.save_claims(conn, rows, replacing=replaced)
        store.add_uses(conn, uses)

    def claim_row(
        self,
        v: Verdict,
        version: int,
        agreement: str | None,
        withheld: Decimal | None,
        at: dt.datetime,
    ) -> dict[str, Any]:
        return {
            "version": version,
            "item": v.seq,
            "agreement": agreement or "",
            "number": v.number[:35],
            "line": v.line,
            "proof": v.proof,
            "treatment": v.treatment,
            "reason_code": v.code,
            "reason": v.reason,
            "difference": withheld or Decimal(0),
            "wait_until": at + self.wait if v.waiting else None,
            "decided_at": at,
        }

    def send_treatments(
        self, conn: sa.Connection, decided: Iterable[tuple[str, Verdict]], at: dt.datetime
    ) -> None:
        """Box 4 to each certificate's issuer, for ``(mrn, verdict)``: given, or not given and
        why (nothing while a claim waits, nor for a certificate never received)."""
        decided_on = at.astimezone(self.zone).date().isoformat()
        messages = []
        for mrn, v in decided:
            issuer = self._issuers.get(v.number)
            if v.waiting or issuer is None:
                continue
            messages.append(box_4(issuer, mrn, v, decided_on))
        if messages:
            self.outbox(conn, messages, at)

    # -- when the declaration ends --------------------------------------------------------------

    def on_decided(self, event: Decided, uow: UnitOfWork) -> None:
        """A cancelled or rejected import gives back the certificate lines it covered."""
        if event.action not in ("cancel", "reject"):
            return
        released = self.withdraw(uow.connection, event.declaration_id, event.at)
        if released:
            uow.collect(
                Noted.of(
                    JournalNote(
                        at=event.at,
                        actor=SYSTEM,
                        event="origin_check",
                        declaration_id=event.declaration_id,
                        mrn=event.mrn,
                        version=event.version,
                        reason=f"{released} use(s) of e-CO lines given back ({event.action})",
                    )
                )
            )

    def withdraw(self, conn: sa.Connection, declaration_id: int, at: dt.datetime) -> int:
        """A cancelled or rejected declaration gives back what it covered; how many uses."""
        released = store.release_uses(conn, declaration_id, at)
        for claim in store.claims_of(conn, declaration_id):
            if claim["treatment"] == "waiting":
                store.close_claim(conn, claim["id"], {"treatment": "withdrawn", "decided_at": at})
        return released


def box_4(
    issuer: str, mrn: str, v: Verdict, decided_on: str
) -> tuple[str, str, str, dict[str, Any]]:
    """The ``origin_treatment`` message (Form E box 4) of one claim, as the outbox takes it."""
    payload = {
        "number": v.number,
        "declaration": mrn,
        "item": v.seq,
        "line": v.line or 0,
        "treatment": v.treatment,
        "reason_code": v.code,
        "reason": (v.reason or "")[:1000] or None,
        "decided_on": decided_on,
    }
    return issuer, ORIGIN_TREATMENT, v.number, payload


def _plus(
    held: Mapping[str, Held],
    taken: Mapping[tuple[str, int], Decimal],
    numbers: Iterable[str],
) -> dict[str, Held]:
    """The certificates of ``numbers`` with what earlier claims of the transaction covered."""
    out = {}
    for number in numbers:
        h = held.get(number)
        if h is None:
            continue
        if any((number, line) in taken for line in h.covered):
            h = Held(
                h.certificate,
                {line: c + taken.get((number, line), Decimal(0)) for line, c in h.covered.items()},
            )
        out[number] = h
    return out


def covered_meanwhile(v: Verdict) -> Verdict:
    return dataclasses.replace(
        v,
        proof=MISMATCH,
        code="eco_quantity",
        reason=f"line {v.line} of {v.number} was used up by another declaration meanwhile",
        quantity=None,
    )


def note(
    declaration_id: int, mrn: str, version: int, verdicts: Iterable[Verdict], at: dt.datetime
) -> JournalNote:
    """The journal's account of the claims checked: what was given, and why not."""
    parts = []
    for v in sorted(verdicts, key=lambda x: x.seq):
        line = f" line {v.line}" if v.line else ""
        if v.given:
            parts.append(f"item {v.seq}: e-CO {v.number}{line} matches, preference given")
        elif v.waiting:
            parts.append(f"item {v.seq}: e-CO {v.number} not received yet, general rate meanwhile")
        else:
            parts.append(f"item {v.seq}: e-CO {v.number}{line}: not given ({v.code}: {v.reason})")
    return JournalNote(
        at=at,
        actor=SYSTEM,
        event="origin_check",
        declaration_id=declaration_id,
        mrn=mrn,
        version=version,
        reason="; ".join(parts)[:1000],
    )
