"""e-COs received from partners: stored, matched with the claims waiting for them, listed.

An ``origin_certificate`` message is applied in the inbox's transaction
(the inbox has verified the envelope and that an ``origin_certificates``
agreement covers it). It is refused, with the inbox's codes, when its issuer
is not the administration that sent it (``not_issuer``), when its content
does not give its hash or differs from the copy held (``hash_mismatch``), or
when it does not fit the contract (``bad_payload``). A cancellation or a
replacement changes the status of the copy held.

Claims left waiting for that number at lodging are matched then: a match
gives the preference (the version is assessed again, the duty withheld is
no longer due, box 4 goes back), a mismatch says why; a certificate that
arrives after the waiting time is too late for the claim.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.declarations.aggregate import Declaration
from silkgate.declarations.document import DeclarationDocument
from silkgate.declarations.journal_keys import JournalKeys
from silkgate.declarations.ports import unsecured
from silkgate.declarations.validation import InvalidDeclaration
from silkgate.exchange.envelope import Envelope, Refused
from silkgate.kernel.actors import Principal
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.errors import Forbidden, NotFound
from silkgate.kernel.events import MessageBus, Noted
from silkgate.origin import received
from silkgate.origin.claims import MATCHED, MISMATCH, WAITING, Verdict, check
from silkgate.origin.services.claims import (
    PreferenceCheck,
    covered_meanwhile,
    note,
)
from silkgate.store import declarations as declaration_store
from silkgate.store import origin_claims as store
from silkgate.store import tariff as tariff_store
from silkgate.store.db import reading, writing
from silkgate.store.uow import AttachedUnitOfWork

# A document assessed as of a day with the given verdicts (the tariff's assessment).
Reassess = Callable[[DeclarationDocument, dt.date, Mapping[int, Verdict]], Any]
_PROOF_OF = {"given": MATCHED, "not_given": MISMATCH, "waiting": WAITING}


class ReceivedCertificates:
    """The e-COs partners send, and the claims that waited for them."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        check: PreferenceCheck,
        bus: MessageBus,
        journal_keys: JournalKeys,
        reassess: Reassess,
        zone: dt.tzinfo = dt.UTC,
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.check = check
        self.bus = bus
        self.journal_keys = journal_keys
        self.reassess = reassess
        self.zone = zone
        self.clock = clock

    # -- the inbox ------------------------------------------------------------------------------

    def receive(self, conn: sa.Connection, env: Envelope, at: dt.datetime) -> dict[str, Any]:
        """Store a certificate (or its new status); match the claims waiting for it."""
        payload = env.payload
        try:
            cert = received.parse(payload)
        except received.CertificateError as exc:
            raise Refused("bad_payload", str(exc), 422) from None
        if cert.issuer != env.sender:
            raise Refused(
                "not_issuer", f"{cert.number} was issued by {cert.issuer}, not {env.sender}", 403
            )
        if received.tampered(payload):
            raise Refused(
                "hash_mismatch", f"{cert.number}: the content does not give its hash", 422
            )
        store.lock_number(conn, cert.number)
        held = store.certificate_row(conn, cert.number)
        if held is not None and held["issuer"] != env.sender:
            raise Refused("not_issuer", f"{cert.number} is held from {held['issuer']}", 403)
        if held is not None and held["hash"] != cert.hash:
            raise Refused(
                "hash_mismatch",
                f"{cert.number} is held with other content; a change is a replacement "
                "under a new number",
                422,
            )
        lines = [
            {"line": x.line, "hs": x.hs, "quantity": x.quantity.value, "unit": x.quantity.unit}
            for x in cert.lines
        ]
        store.store_certificate(conn, payload, lines, message_id=env.id, at=at)
        if cert.replaces:
            store.mark_replaced(conn, cert.replaces, cert.number, at)
        matched = [
            _apart(conn, i, functools.partial(self._match, conn, i, cert.number, at))
            for i in store.waiting_for(conn, cert.number)
        ]
        return {"certificate": cert.number, "status": cert.status, "claims": matched}

    def _match(
        self, conn: sa.Connection, declaration_id: int, number: str, at: dt.datetime
    ) -> dict[str, Any]:
        """Decide a declaration's claims that waited for ``number``, now that it is here."""
        found = declaration_store.get_by_id(conn, declaration_id)
        assert found is not None
        d = declaration_store.get(conn, found.mrn, for_update=True) or found
        claims = store.claims_of(conn, d.id)
        waiting = [c for c in claims if c["treatment"] == "waiting" and c["number"] == number]
        doc, on = self._document(conn, d)
        held = self.check.held(conn, [number])
        if any(c["wait_until"] is not None and c["wait_until"] < at for c in waiting):
            reason = f"{number} arrived after the waiting time"
            decided = {c["item"]: _refused(c, "eco_late", reason) for c in waiting}
        else:
            fresh = check(doc, held, self.check.terms(on))
            decided = self._cover(
                conn, {c["item"]: fresh[c["item"]] for c in waiting if c["item"] in fresh}
            )
        self._apply(conn, d, (doc, on), claims, decided, at)
        return {
            "declaration": d.mrn,
            "items": {str(seq): v.treatment for seq, v in sorted(decided.items())},
        }

    def _document(
        self, conn: sa.Connection, d: declaration_store.StoredDeclaration
    ) -> tuple[DeclarationDocument, dt.date]:
        """The declaration's current document, and the day it was lodged (its assessment's)."""
        raw = declaration_store.document(conn, d.id, d.version)
        on = d.lodged_at.astimezone(self.zone).date()
        return DeclarationDocument.model_validate(raw), on

    def _cover(self, conn: sa.Connection, decided: dict[int, Verdict]) -> dict[int, Verdict]:
        """Cover the lines of the claims given, in line order; a line used up meanwhile says so."""
        out = dict(decided)
        given = sorted(
            (self.check.line_id(v.number, v.line), seq)
            for seq, v in decided.items()
            if v.given and v.line is not None and v.quantity is not None
        )
        for line_id, seq in given:
            quantity = decided[seq].quantity
            assert quantity is not None
            if not store.cover(conn, line_id, quantity):
                out[seq] = covered_meanwhile(decided[seq])
        return out

    def _apply(
        self,
        conn: sa.Connection,
        d: declaration_store.StoredDeclaration,
        document: tuple[DeclarationDocument, dt.date],
        claims: list[dict[str, Any]],
        decided: dict[int, Verdict],
        at: dt.datetime,
    ) -> None:
        """Claims decided after lodging: the version assessed again, the claims and uses stored,
        journaled, box 4 sent; green or blue goods now secured are released."""
        doc, on = document
        proofs = {c["item"]: _verdict_of(c) for c in claims} | decided
        assessment = self.reassess(doc, on, proofs)
        tariff_store.replace_assessment(
            conn, d.id, d.version, {"assessed_at": at, **tariff_store.assessment_row(assessment)}
        )
        withheld = {i.seq: i.preference_withheld for i in assessment.items}
        by_item = {c["item"]: c for c in claims}
        for seq, v in decided.items():
            claim = by_item[seq]
            row = self.check.claim_row(v, d.version, claim["agreement"], withheld.get(seq), at)
            store.close_claim(conn, claim["id"], row)
        store.add_uses(
            conn,
            [
                {
                    "line_id": self.check.line_id(v.number, v.line),
                    "declaration_id": d.id,
                    "version": d.version,
                    "item": seq,
                    "quantity": v.quantity,
                    "used_at": at,
                }
                for seq, v in decided.items()
                if v.given and v.line is not None and v.quantity is not None
            ],
        )
        uow = AttachedUnitOfWork(conn, self.bus, self.journal_keys)
        uow.collect(Noted.of(note(d.id, d.mrn, d.version, decided.values(), at)))
        self.check.send_treatments(conn, [(d.mrn, v) for v in decided.values()], at)
        if any(v.given for v in decided.values()):
            declaration = Declaration(d)
            declaration.settle(_unsecured(uow, d.id, d.version), at)
            if declaration.changed:
                declaration_store.save(conn, declaration, at)
                uow.collect(*declaration.take_events())
        uow.settle()

    def close_overdue(self) -> int:
        """Claims whose e-CO did not arrive within the waiting time: not given. How many."""
        at = self.clock()
        with writing(self.engine) as conn:
            overdue = store.overdue(conn, at)
            by_declaration: dict[int, list[dict[str, Any]]] = {}
            for claim in overdue:
                by_declaration.setdefault(claim["declaration_id"], []).append(claim)
            for declaration_id, late in by_declaration.items():
                d = declaration_store.get_by_id(conn, declaration_id)
                assert d is not None
                reason = "no e-CO received within the waiting time"
                decided = {c["item"]: _refused(c, "eco_not_received", reason) for c in late}
                claims = store.claims_of(conn, d.id)
                apply = functools.partial(self._apply, conn, d, self._document(conn, d))
                _apart(conn, d.id, functools.partial(apply, claims, decided, at))
        return len(overdue)

    # -- what officers see ----------------------------------------------------------------------

    def listing(
        self, principal: Principal, status: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The certificates received, newest first (officers)."""
        _staff(principal)
        with reading(self.engine) as conn:
            rows = store.received(conn, status=status, limit=min(max(limit, 1), 1000))
        return [_summary(r) for r in rows]

    def certificate(self, principal: Principal, number: str) -> dict[str, Any]:
        """One certificate: its document, its lines with what they covered, and by whom."""
        _staff(principal)
        with reading(self.engine) as conn:
            row = store.certificate_row(conn, number)
            if row is None:
                raise NotFound(f"no e-CO {number} has been received")
            lines = store.lines_of(conn, row["id"])
            uses = store.uses_of_certificate(conn, row["id"])
        return {
            **_summary(row),
            "lines": [
                {
                    "line": x["line"],
                    "hs": x["hs"],
                    "unit": x["unit"],
                    "quantity": _plain(x["quantity"]),
                    "covered": _plain(x["covered"]),
                    "left": _plain(Decimal(x["quantity"]) - Decimal(x["covered"])),
                }
                for x in lines
            ],
            "uses": [
                {
                    **{k: u[k] for k in ("line", "mrn", "version", "item")},
                    "quantity": _plain(u["quantity"]),
                    "used_at": _iso(u["used_at"]),
                    "released_at": _iso(u["released_at"]),
                }
                for u in uses
            ],
            "document": orjson.loads(row["document"]),
        }


def _verdict_of(claim: dict[str, Any]) -> Verdict:
    """A claim as stored, as the verdict the assessment needs."""
    return Verdict(
        claim["item"],
        claim["number"],
        _PROOF_OF.get(claim["treatment"], MISMATCH),
        claim["reason_code"],
        claim["reason"],
        claim["line"],
    )


def _apart(conn: sa.Connection, declaration_id: int, decide: Callable[[], Any]) -> Any:
    """Decide one declaration's claims in a savepoint: one that cannot be assessed again
    (its tariff line gone from the schedule in force) keeps waiting, and the others go on."""
    try:
        with conn.begin_nested():
            return decide()
    except (InvalidDeclaration, RuntimeError) as exc:
        return {"declaration_id": declaration_id, "not_decided": str(exc)[:300]}


def _refused(claim: dict[str, Any], code: str, reason: str) -> Verdict:
    """A waiting claim decided without a match: not given, and why."""
    return Verdict(claim["item"], claim["number"], MISMATCH, code, reason, claim["line"])


def _unsecured(uow: AttachedUnitOfWork, declaration_id: int, version: int) -> Decimal:
    accounts = uow.accounts
    return unsecured(
        accounts.assessed_total(declaration_id, version), accounts.payments_of(declaration_id)
    )


def _staff(principal: Principal) -> None:
    if not principal.is_staff:
        raise Forbidden("certificates of origin received are for customs staff")


def _iso(at: dt.datetime | None) -> str | None:
    return None if at is None else at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _plain(value: Any) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def _summary(r: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: r[k] for k in ("number", "issuer", "agreement", "status", "replaces", "replaced_by")},
        "issued_on": r["issued_on"].isoformat(),
        "valid_until": r["valid_until"].isoformat(),
        "exporter": r["exporter"],
        "consignee": r["consignee"],
        "importing_country": r["importing_country"],
        "hash": r["hash"],
        "received_at": _iso(r["received_at"]),
        "updated_at": _iso(r["updated_at"]),
    }
