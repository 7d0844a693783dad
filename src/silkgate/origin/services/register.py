"""The register of certificates of origin this node issued: who reads what.

- The **public** reads a certificate's status and hash, nothing commercial
  (:meth:`CertificateRegister.lookup`), to check a printout is genuine.
- The **exporter** (a declarant) reads its own applications and certificates;
  another's are not found, as an unknown one.
- **Origin officers** (and administrators) read every application and
  certificate, and the importing partners' treatment of them (Form E box 4).
- Everyone else is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import sqlalchemy as sa

from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import Forbidden, NotFound
from silkgate.origin import certificate
from silkgate.store import origin_certificates as store
from silkgate.store.db import reading

APPLICATION_STATUSES = ("submitted", "approved", "refused")


class DocumentSigner(Protocol):
    """This node's signing key, as the certificates use it (the exchange's key ring)."""

    def ensure_key(self) -> str: ...

    def sign_document(self, content: bytes) -> tuple[str, str]: ...

    def verify_document(self, token: str, content: bytes) -> str | None: ...


def require_certifier(principal: Principal) -> None:
    if not principal.certifies_origin:
        raise Forbidden("certificates of origin are decided by origin officers")


def _reader(principal: Principal) -> str | None:
    """Whose applications ``principal`` reads: a declarant its own (its party), officers all."""
    if principal.certifies_origin:
        return None
    if principal.role is Role.DECLARANT and principal.party_id:
        return principal.party_id
    raise Forbidden("certificates of origin are for the exporter and the origin officers")


class CertificateRegister:
    """Applications and certificates as each reader may see them."""

    def __init__(self, engine: sa.Engine, signer: DocumentSigner) -> None:
        self.engine = engine
        self.signer = signer

    # -- applications ----------------------------------------------------------------------

    def applications(
        self,
        principal: Principal,
        status: str | None = None,
        limit: int = 100,
        *,
        determinations: bool = False,
    ) -> list[dict[str, Any]]:
        """The applications ``principal`` may read, as summaries (with each line's
        determination if asked: the officers' queue shows them)."""
        applicant = _reader(principal)
        with reading(self.engine) as conn:
            rows = store.applications(conn, applicant=applicant, status=status, limit=limit)
        if determinations:
            return [{**summary(r), "determinations": r["determinations"]} for r in rows]
        return [summary(r) for r in rows]

    def application(self, principal: Principal, application_id: int) -> dict[str, Any]:
        """One application, its lines' determinations, its decision and certificate."""
        applicant = _reader(principal)
        with reading(self.engine) as conn:
            row = store.application(conn, application_id)
            if row is None or applicant not in (None, row["applicant"]):
                raise NotFound(f"no application {application_id}")
            found = store.certificate(conn, row["certificate"]) if row["certificate"] else None
            box4 = store.treatments(conn, [found["number"]]) if found and applicant is None else []
        return {
            **summary(row),
            "application": row["application"],
            "determinations": row["determinations"],
            "certificate": brief(found, box4) if found else None,
        }

    # -- certificates ----------------------------------------------------------------------

    def certificates(
        self, principal: Principal, status: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        applicant = _reader(principal)
        with reading(self.engine) as conn:
            rows = store.certificates(conn, applicant=applicant, status=status, limit=limit)
        return [brief(r, []) for r in rows]

    def certificate(self, principal: Principal, number: str) -> dict[str, Any]:
        """A certificate with its document and signature; officers see the importing
        partner's treatment (box 4) too."""
        applicant = _reader(principal)
        with reading(self.engine) as conn:
            row = store.certificate(conn, number)
            if row is None or applicant not in (None, row["applicant"]):
                raise NotFound(f"no certificate {number}")
            box4 = store.treatments(conn, [number]) if applicant is None else []
        return {
            **brief(row, box4),
            "document": row["document"],
            "signature": self._signature(row),
        }

    def lookup(self, number: str, *, signature: bool = False) -> dict[str, Any]:
        """What anyone may read of a certificate: its status, dates and hash, nothing
        commercial; with ``signature``, whether this node's signature over the document
        verifies (the public page shows it)."""
        with reading(self.engine) as conn:
            row = store.certificate(conn, number)
        if row is None:
            raise NotFound(f"no certificate {number} was issued by this node")
        found = certificate.public(row["document"])
        if signature:
            found["signature"] = self._signature(row)
        return found

    def _signature(self, row: dict[str, Any]) -> dict[str, Any]:
        content = certificate.signed_content(row["document"])
        verified_by = self.signer.verify_document(row["jws"], content)
        return {
            "alg": "Ed25519",
            "kid": row["kid"],
            "jws": row["jws"],
            "verified": verified_by == row["kid"],
        }


def summary(row: dict[str, Any]) -> dict[str, Any]:
    """An application as a list shows it."""
    app = row["application"]
    return {
        "id": row["id"],
        "status": row["status"],
        "agreement": row["agreement"],
        "importing_country": row["importing_country"],
        "applicant": row["applicant"],
        "exporter": app["exporter"]["name"],
        "consignee": app["consignee"]["name"],
        "lines": len(app["lines"]),
        "originating": row["originating"],
        "submitted_at": _iso(row["submitted_at"]),
        "submitted_by": row["submitted_by"],
        "decided_at": _iso(row["decided_at"]),
        "decided_by": row["decided_by"],
        "reason": row["reason"],
        "certificate_number": row["certificate"],
    }


def brief(row: dict[str, Any], box4: list[dict[str, Any]]) -> dict[str, Any]:
    """A certificate's register entry (without its document), and its treatments."""
    return {
        "number": row["number"],
        "status": row["status"],
        "application_id": row["application_id"],
        "applicant": row["applicant"],
        "importing_country": row["importing_country"],
        "issued_on": row["issued_on"].isoformat(),
        "valid_until": row["valid_until"].isoformat(),
        "hash": row["hash"],
        "replaces": row["replaces"],
        "replaced_by": row["replaced_by"],
        "issued_at": _iso(row["issued_at"]),
        "issued_by": row["issued_by"],
        "changed_at": _iso(row["changed_at"]),
        "changed_by": row["changed_by"],
        "reason": row["reason"],
        "treatments": [_treatment(t) for t in box4],
    }


def _treatment(t: dict[str, Any]) -> dict[str, Any]:
    return {
        "sender": t["sender"],
        "declaration": t["declaration"],
        "item": t["item"],
        "line": t["line"],
        "treatment": t["treatment"],
        "reason_code": t["reason_code"],
        "reason": t["reason"],
        "decided_on": t["decided_on"].isoformat(),
        "received_at": _iso(t["received_at"]),
    }


def _iso(t: dt.datetime | None) -> str | None:
    return None if t is None else t.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
