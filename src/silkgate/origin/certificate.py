"""The electronic certificate of origin (Form E): its number, its document and its hash.

The document is what the issuing node stores, signs, publishes the hash of
and sends to the importing partner (``origin_certificate``); its shape is the
contract between nodes (``docs/origin.md``, "The certificate document"). It is
built from the approved application and each line's determination, and its
``hash`` is ``sha256:`` and the hex digest of the RFC 8785 canonical JSON of
the document without ``hash``, ``status`` and ``replaced_by``: cancelling or
replacing a certificate changes its status, never its hash.

Pure: no I/O. The service numbers, dates and signs.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

import rfc8785

ISSUED = "issued"
CANCELLED = "cancelled"
REPLACED = "replaced"
STATUSES = (ISSUED, CANCELLED, REPLACED)

# The form each agreement's certificate is issued on, by this node.
FORMS = {"ACFTA": "E"}
NUMBER = re.compile(r"^[A-Z]{2}-E-[0-9]{4}-[0-9]{6}$")
# Not covered by the hash: what changes after issue.
_MUTABLE = ("hash", "status", "replaced_by")
# What the public may read of a certificate: nothing commercial.
PUBLIC = ("number", "issuer", "status", "issued_on", "valid_until", "hash")


def number(issuer: str, year: int, seq: int) -> str:
    """The certificate number: ``CN-E-2026-000123``, a sequence per issuer and year."""
    return f"{issuer}-E-{year:04d}-{seq:06d}"


def valid_until(issued_on: dt.date, months: int) -> dt.date:
    """The last day of validity: ``months`` after issue, less a day (2026-11-20: 2027-11-19).

    When that month has no such day (issued on 31 January or 29 February),
    validity runs to the end of the month: a full ``months`` either way.
    """
    total = issued_on.month - 1 + months
    year, month = issued_on.year + total // 12, total % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if issued_on.day > last:
        return dt.date(year, month, last)
    return dt.date(year, month, issued_on.day) - dt.timedelta(days=1)


def signed_content(document: Mapping[str, Any]) -> bytes:
    """The canonical JSON (RFC 8785) of what the certificate vouches for: the document
    without its hash, status and replacement."""
    return rfc8785.dumps({k: v for k, v in document.items() if k not in _MUTABLE})


def digest(document: Mapping[str, Any]) -> str:
    """The document's hash: ``sha256:`` and the hex digest of :func:`signed_content`."""
    return "sha256:" + hashlib.sha256(signed_content(document)).hexdigest()


def public(document: Mapping[str, Any]) -> dict[str, Any]:
    """What anyone may read to check a certificate: status and hash, nothing commercial."""
    return {k: document[k] for k in PUBLIC}


def line_rvc(determination: Mapping[str, Any]) -> str | None:
    """The regional value content shown on a line: the one that conferred origin (build-down,
    or build-up where only that reached the threshold); None when no RVC criterion was used."""
    if determination.get("fob") is None:
        return None
    rvc: str = determination["rvc"]
    up = determination.get("rvc_build_up")
    written = re.search(r"RVC ([0-9]+)%", determination.get("box8") or "")
    if up is not None and written and rvc.split(".")[0] != written.group(1):
        return str(up)
    return rvc


def document(
    application: Mapping[str, Any],
    determinations: Sequence[Mapping[str, Any]],
    *,
    number: str,
    issuer: str,
    issued_on: dt.date,
    valid_until: dt.date,
    certification: Mapping[str, str],
    replaces: str | None = None,
) -> dict[str, Any]:
    """The certificate document of an approved ``application`` (as stored, JSON) and its lines'
    ``determinations``, with its hash and the status ``issued``."""
    a = application
    doc: dict[str, Any] = {
        "number": number,
        "agreement": a["agreement"],
        "form": FORMS[a["agreement"]],
        "issuer": issuer,
        "status": ISSUED,
        "replaces": replaces,
        "replaced_by": None,
        "issued_on": issued_on.isoformat(),
        "valid_until": valid_until.isoformat(),
        "exporter": _party(a["exporter"]),
        "consignee": _party(a["consignee"]),
        "departure_date": a["departure_date"],
        "vessel_flight": a.get("vessel_flight"),
        "port_of_discharge": a["port_of_discharge"],
        "importing_country": a["importing_country"],
        "lines": [
            _line(n, line, d)
            for n, (line, d) in enumerate(zip(a["lines"], determinations, strict=True), 1)
        ],
        "third_party_invoicing": a["third_party_invoicing"],
        "third_party": a.get("third_party"),
        "back_to_back": a["back_to_back"],
        "retroactive": a["retroactive"],
        "exhibition": a["exhibition"],
        "exporter_declaration": dict(a["exporter_declaration"]),
        "certification": dict(certification),
    }
    doc["hash"] = digest(doc)
    return doc


def _party(p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": p.get("id"),
        "name": p["name"],
        "address": p["address"],
        "country": p["country"],
    }


def _line(n: int, line: Mapping[str, Any], d: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "line": n,
        "marks": line["marks"],
        "packages": dict(line["packages"]),
        "description": line["description"],
        "hs": line["hs"],
        "criterion": d["criterion"],
        "rvc": line_rvc(d),
        "quantity": dict(line["quantity"]),
        "gross_mass_kg": line["gross_mass_kg"],
        "fob": d["fob"],
        "invoice": dict(line["invoice"]),
    }


def with_status(
    document: Mapping[str, Any], status: str, replaced_by: str | None = None
) -> dict[str, Any]:
    """The document with a new status (and its replacement); the hash stays what it was."""
    return {**document, "status": status, "replaced_by": replaced_by}
