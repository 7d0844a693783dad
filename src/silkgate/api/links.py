"""The links of the API's answers: where a declaration, its journal, versions and
assessment are read.

The services answer with data; URLs are the API's own business, added here to
what they return. Each helper adds ``links`` in place and returns its argument:
on the lodging route (the hot path) that costs a small dict, not a copy of the
answer. Writing the same keys again is harmless, so an answer shared by two
requests (the same Idempotency-Key twice in one group commit) may pass twice.
"""

from __future__ import annotations

from typing import Any

_DECLARATIONS = "/v1/declarations/"


def declaration(mrn: str) -> str:
    """The URL of the declaration ``mrn`` (the ``Location`` of a lodging)."""
    return _DECLARATIONS + mrn


def summary(answer: dict[str, Any]) -> dict[str, Any]:
    """A declaration's summary (or the whole declaration) with its links."""
    here = _DECLARATIONS + answer["mrn"]
    answer["links"] = {"self": here, "journal": here + "/journal", "versions": here + "/versions"}
    return answer


def assessed(answer: dict[str, Any]) -> dict[str, Any]:
    """A lodging's or amendment's answer: the summary's links, and its assessment's."""
    summary(answer)
    brief = answer.get("assessment")
    if isinstance(brief, dict):
        brief["links"] = {"self": answer["links"]["self"] + "/assessment"}
    return answer


def versions(mrn: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A declaration's versions, each with the link to its document."""
    base = f"{_DECLARATIONS}{mrn}/versions/"
    for item in items:
        item["links"] = {"self": f"{base}{item['version']}"}
    return items


def application(answer: dict[str, Any]) -> dict[str, Any]:
    """An application for a certificate of origin, with its links (and its certificate's)."""
    answer["links"] = {"self": f"/v1/origin/applications/{answer['id']}"}
    number = answer.get("certificate_number")
    if number:
        answer["links"]["certificate"] = certificate_document(number)
    return answer


def certificate_document(number: str) -> str:
    """Where the exporter and the origin officers read a certificate whole."""
    return f"/v1/origin/certificates/{number}/document"


def certificate(answer: dict[str, Any]) -> dict[str, Any]:
    """A certificate with its links: its document, its public status, its application."""
    number = answer["number"]
    answer["links"] = {
        "self": certificate_document(number),
        "public": f"/v1/origin/certificates/{number}",
        "application": f"/v1/origin/applications/{answer['application_id']}",
    }
    return answer
