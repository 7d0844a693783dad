"""Issuing certificates of origin (Form E): apply, decide, cancel, replace; box 4 received.

An exporter applies; the node determines each line's origin and stores the
determinations with the application. An origin officer approves (every line
must originate) or refuses with a reason. Approval issues the certificate in
the same transaction: the next number of the issuer's year, the document of
the contract with its hash, this node's detached signature over it, and the
event :class:`~silkgate.origin.events.CertificateIssued`, on which exchange
queues the document for the importing partner. Cancelling and replacing
raise their own events the same way. What the importing side reports back
(``origin_treatment``, box 4) is recorded against the certificate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from silkgate.exchange import messages as m
from silkgate.exchange.envelope import Envelope
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.errors import Conflict, Forbidden, NotFound
from silkgate.origin import certificate
from silkgate.origin.application import Application, Approval, Cancellation, Decision
from silkgate.origin.determination import Determination
from silkgate.origin.events import CertificateCancelled, CertificateIssued, CertificateReplaced
from silkgate.origin.services import OriginService
from silkgate.origin.services.applying import examine
from silkgate.origin.services.register import CertificateRegister, DocumentSigner, require_certifier
from silkgate.store import origin_certificates as store
from silkgate.store.db import reading, writing

DEFAULT_VALIDITY_MONTHS = 12


class Certification(CertificateRegister):
    """The issuing authority's use cases (the reads are the register's)."""

    def __init__(
        self,
        engine: sa.Engine,
        unit_of_work: Callable[[], Any],
        origin: OriginService,
        signer: DocumentSigner,
        *,
        administration: str,
        zone: ZoneInfo,
        clock: Clock = system_clock,
    ) -> None:
        super().__init__(engine, signer)
        self.unit_of_work = unit_of_work
        self.origin = origin
        self.administration = administration
        self.zone = zone
        self.clock = clock
        self._key_ready = False

    def _signing_key(self) -> None:
        """Make sure the node has a signing key, outside any transaction (a first key is
        written in a transaction of its own)."""
        if not self._key_ready:
            self.signer.ensure_key()
            self._key_ready = True

    # -- the exporter ----------------------------------------------------------------------

    def apply(self, principal: Principal, raw: Any) -> dict[str, Any]:
        """Store an application with each line's determination; :class:`InvalidRequest` with
        every fault, and nothing stored, otherwise."""
        if principal.role is not Role.DECLARANT:
            raise Forbidden("an exporter (a declarant) applies for a certificate of origin")
        app, found = examine(
            self.origin, raw, applicant=principal.party_id, administration=self.administration
        )
        at = self.clock()
        with writing(self.engine) as conn:
            application_id = store.add_application(
                conn, self._row(app, found, at, principal.name, "submitted")
            )
        return self.application(principal, application_id)

    def _row(
        self, app: Application, found: list[Determination], at: dt.datetime, by: str, status: str
    ) -> dict[str, Any]:
        return {
            "applicant": app.exporter.id,
            "agreement": app.agreement,
            "importing_country": app.importing_country,
            "status": status,
            "application": app.model_dump(mode="json"),
            "determinations": [d.as_json() for d in found],
            "originating": all(d.originating for d in found),
            "submitted_at": at,
            "submitted_by": by,
        }

    # -- the origin officer ------------------------------------------------------------------

    def approve(
        self, principal: Principal, application_id: int, approval: Approval
    ) -> dict[str, Any]:
        """Issue the certificate of a waiting application whose every line originates."""
        require_certifier(principal)
        self._signing_key()
        at = self.clock()
        with self.unit_of_work() as uow:
            conn = uow.connection
            row = _waiting(conn, application_id)
            _every_line_originates(row["determinations"], f"application {application_id}")
            doc = self._issue(conn, principal, row, at, approval.place)
            store.decide(conn, application_id, status="approved", at=at, by=principal.name,
                         certificate=doc["number"])  # fmt: skip
            uow.collect(_event(CertificateIssued, doc, principal, at))
        return self.certificate(principal, doc["number"])

    def refuse(
        self, principal: Principal, application_id: int, decision: Decision
    ) -> dict[str, Any]:
        """Refuse a waiting application, with the reason the exporter is shown."""
        require_certifier(principal)
        with writing(self.engine) as conn:
            _waiting(conn, application_id)
            store.decide(conn, application_id, status="refused", at=self.clock(),
                         by=principal.name, reason=decision.reason)  # fmt: skip
        return self.application(principal, application_id)

    def cancel(
        self, principal: Principal, number: str, cancellation: Cancellation
    ) -> dict[str, Any]:
        """Cancel an issued certificate; the importing partner is told in the same transaction."""
        require_certifier(principal)
        at = self.clock()
        with self.unit_of_work() as uow:
            conn = uow.connection
            row = _issued(conn, number)
            doc = certificate.with_status(row["document"], certificate.CANCELLED)
            store.change_certificate(conn, number, document=doc, at=at, by=principal.name,
                                     reason=cancellation.reason)  # fmt: skip
            uow.collect(_event(CertificateCancelled, doc, principal, at))
        return self.certificate(principal, number)

    def replace(self, principal: Principal, number: str, raw: Any) -> dict[str, Any]:
        """Replace an issued certificate with one issued from corrected application data.

        The new certificate says which it ``replaces``; the old one becomes
        ``replaced`` and names its replacement. Both go to the importing partner.
        """
        require_certifier(principal)
        with reading(self.engine) as conn:
            old = store.certificate(conn, number)
        if old is None:
            raise NotFound(f"no certificate {number}")
        app, found = examine(
            self.origin, raw, applicant=old["applicant"], administration=self.administration
        )
        _every_line_originates([d.as_json() for d in found], "the corrected application")
        self._signing_key()
        at = self.clock()
        with self.unit_of_work() as uow:
            conn = uow.connection
            old = _issued(conn, number)
            row = self._row(app, found, at, principal.name, "approved")
            row["id"] = store.add_application(conn, row)
            doc = self._issue(conn, principal, row, at, None, replaces=number)
            store.decide(conn, row["id"], status="approved", at=at, by=principal.name,
                         reason=f"replaces {number}", certificate=doc["number"])  # fmt: skip
            replaced = certificate.with_status(old["document"], certificate.REPLACED, doc["number"])
            store.change_certificate(conn, number, document=replaced, at=at, by=principal.name,
                                     reason=f"replaced by {doc['number']}")  # fmt: skip
            uow.collect(
                _event(CertificateReplaced, replaced, principal, at),
                _event(CertificateIssued, doc, principal, at),
            )
        return self.certificate(principal, doc["number"])

    def _issue(
        self,
        conn: sa.Connection,
        principal: Principal,
        row: dict[str, Any],
        at: dt.datetime,
        place: str | None,
        replaces: str | None = None,
    ) -> dict[str, Any]:
        """Number, build, hash, sign and store the certificate of ``row`` (an application)."""
        app = row["application"]
        issued_on = at.astimezone(self.zone).date()
        number = certificate.number(
            self.administration,
            issued_on.year,
            store.next_number(conn, self.administration, issued_on.year),
        )
        terms = self.origin.rule_book().terms(app["agreement"])
        months = terms.certificate_validity_months if terms else DEFAULT_VALIDITY_MONTHS
        certification = {
            "place": place or app["exporter_declaration"]["place"],
            "date": issued_on.isoformat(),
            "officer": principal.name,
        }
        doc = certificate.document(
            app, row["determinations"], number=number, issuer=self.administration,
            issued_on=issued_on, valid_until=certificate.valid_until(issued_on, months),
            certification=certification, replaces=replaces,
        )  # fmt: skip
        kid, jws = self.signer.sign_document(certificate.signed_content(doc))
        store.add_certificate(
            conn,
            {
                "number": number,
                "application_id": row["id"],
                "applicant": row["applicant"],
                "importing_country": app["importing_country"],
                "status": doc["status"],
                "issued_on": issued_on,
                "valid_until": dt.date.fromisoformat(doc["valid_until"]),
                "document": doc,
                "hash": doc["hash"],
                "kid": kid,
                "jws": jws,
                "replaces": replaces,
                "issued_at": at,
                "issued_by": principal.name,
            },
        )
        return doc

    # -- the importing partner's answer (box 4) ------------------------------------------------

    def receive_treatment(
        self, conn: sa.Connection, env: Envelope, at: dt.datetime
    ) -> dict[str, Any]:
        """Record whether the importing side gave the preference on a line of a certificate
        issued here for it; a message about another certificate is refused."""
        data = m.parse(m.ORIGIN_TREATMENT, env.payload)
        assert isinstance(data, m.OriginTreatment)
        row = store.certificate(conn, data.number)
        if row is None:
            raise m.PayloadError(f"no certificate {data.number} was issued here")
        if row["importing_country"] != env.sender:
            raise m.PayloadError(
                f"certificate {data.number} was issued for {row['importing_country']}, "
                f"not for {env.sender}"
            )
        if data.line > len(row["document"]["lines"]):
            raise m.PayloadError(f"certificate {data.number} has no line {data.line}")
        store.add_treatment(conn, {
            "number": data.number, "sender": env.sender, "message_id": env.id,
            "declaration": data.declaration, "item": data.item, "line": data.line,
            "treatment": data.treatment, "reason_code": data.reason_code,
            "reason": data.reason, "decided_on": data.decided_on, "received_at": at,
        })  # fmt: skip
        return {"certificate": data.number, "line": data.line, "treatment": data.treatment}


def _waiting(conn: sa.Connection, application_id: int) -> dict[str, Any]:
    """The application, locked: two officers deciding it at once are decided in turn."""
    row = store.application(conn, application_id, for_update=True)
    if row is None:
        raise NotFound(f"no application {application_id}")
    if row["status"] != "submitted":
        raise Conflict(f"application {application_id} is already {row['status']}")
    return row


def _issued(conn: sa.Connection, number: str) -> dict[str, Any]:
    row = store.certificate(conn, number, for_update=True)
    if row is None:
        raise NotFound(f"no certificate {number}")
    if row["status"] != certificate.ISSUED:
        raise Conflict(f"certificate {number} is already {row['status']}")
    return row


def _every_line_originates(determinations: list[dict[str, Any]], what: str) -> None:
    """Refuse (409) a certificate for goods that do not originate, saying why for each line."""
    failing = [(n, d) for n, d in enumerate(determinations, 1) if not d["originating"]]
    if failing:
        why = "; ".join(
            f"line {n} ({d['product']['hs']} {d['product']['description']}): "
            + " ".join(d["explanation"])
            for n, d in failing
        )
        raise Conflict(f"{what} cannot be certified: not every line originates. {why}")


def _event(
    kind: type[CertificateIssued] | type[CertificateCancelled] | type[CertificateReplaced],
    doc: dict[str, Any],
    principal: Principal,
    at: dt.datetime,
) -> CertificateIssued | CertificateCancelled | CertificateReplaced:
    return kind(
        at=at,
        actor=principal.name,
        number=doc["number"],
        importing_country=doc["importing_country"],
        document=doc,
    )
