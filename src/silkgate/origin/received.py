"""An electronic certificate of origin (e-CO, Form E) as a partner's node sends it.

The payload of an ``origin_certificate`` message is the certificate document
itself (boxes 1 to 13 and its status). It is read here, once, into plain
values; what is not needed to check a preference claim is kept in the stored
JSON but not modelled. Unknown fields are accepted, so that the issuing side
may add to the document without breaking this one.

The document's ``hash`` is ``sha256:`` and the hex digest of the RFC 8785
canonical JSON of the document without ``hash``, ``status`` and
``replaced_by``: the content certified never changes, while its status does
(cancelled, replaced). :func:`tampered` recomputes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal
from typing import Any, Literal

import rfc8785
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

NUMBER = r"^[A-Z]{2}-E-[0-9]{4}-[0-9]{6}$"
_NUMBER = re.compile(NUMBER)
STATUSES = ("issued", "cancelled", "replaced")
CRITERIA = ("RVC", "WO", "PE", "CTH", "CTSH", "CC", "PSR")
# What the hash does not cover: the certificate's life after issue.
_UNHASHED = frozenset({"hash", "status", "replaced_by"})

_Decimal = Field(gt=0, max_digits=18, decimal_places=3, allow_inf_nan=False)


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, str_strip_whitespace=True)


class CertificateParty(_Open):
    """Box 1 (the exporter) or box 2 (the consignee)."""

    id: str | None = Field(default=None, max_length=35)
    name: str = Field(min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=500)
    country: str = Field(pattern=r"^[A-Z]{2}$")


class LineQuantity(_Open):
    value: Decimal = _Decimal
    unit: str = Field(pattern=r"^[A-Z0-9]{2,3}$")  # UN/ECE Rec 20


class Fob(_Open):
    amount: Decimal = _Decimal
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class CertificateLine(_Open):
    """Boxes 5 to 10 for one good."""

    line: int = Field(ge=1, le=999)
    description: str = Field(min_length=1, max_length=512)
    hs: str = Field(pattern=r"^[0-9]{6}$")
    criterion: Literal["RVC", "WO", "PE", "CTH", "CTSH", "CC", "PSR"] | None = None
    rvc: str | None = Field(default=None, max_length=10)
    quantity: LineQuantity
    fob: Fob | None = None


class ThirdParty(_Open):
    name: str = Field(min_length=1, max_length=200)
    country: str = Field(pattern=r"^[A-Z]{2}$")


class Certificate(_Open):
    """The certificate document, with its status."""

    number: str = Field(pattern=NUMBER)
    agreement: str = Field(pattern=r"^[A-Z0-9-]{2,10}$")
    form: str = Field(default="E", max_length=10)
    issuer: str = Field(pattern=r"^[A-Z]{2}$")
    status: Literal["issued", "cancelled", "replaced"]
    replaces: str | None = Field(default=None, pattern=NUMBER)
    replaced_by: str | None = Field(default=None, pattern=NUMBER)
    issued_on: dt.date
    valid_until: dt.date
    exporter: CertificateParty
    consignee: CertificateParty
    importing_country: str = Field(pattern=r"^[A-Z]{2}$")
    departure_date: dt.date | None = None
    port_of_discharge: str | None = Field(default=None, max_length=5)
    lines: list[CertificateLine] = Field(min_length=1, max_length=999)
    third_party_invoicing: bool = False
    third_party: ThirdParty | None = None
    back_to_back: bool = False
    hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")

    @model_validator(mode="after")
    def _consistent(self) -> Certificate:
        numbers = [line.line for line in self.lines]
        if len(set(numbers)) != len(numbers):
            raise ValueError("two lines have the same number")
        if self.valid_until < self.issued_on:
            raise ValueError("valid_until is before issued_on")
        return self

    def line(self, number: int) -> CertificateLine | None:
        return next((x for x in self.lines if x.line == number), None)


class CertificateError(ValueError):
    """A certificate that cannot be taken: the first problem, with its JSON pointer."""


def parse(payload: dict[str, Any]) -> Certificate:
    """The certificate in a message's payload; :class:`CertificateError` naming the field."""
    try:
        return Certificate.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/" + "/".join(str(p) for p in first["loc"])
        raise CertificateError(f"origin_certificate payload: {where}: {first['msg']}") from None


def content_hash(payload: dict[str, Any]) -> str:
    """The hash of a certificate document as its issuer computes it."""
    content = {k: v for k, v in payload.items() if k not in _UNHASHED}
    return "sha256:" + hashlib.sha256(rfc8785.dumps(content)).hexdigest()


def tampered(payload: dict[str, Any]) -> bool:
    """Whether the document's content no longer gives the hash it carries."""
    return content_hash(payload) != payload.get("hash")


def issuer_of(number: str) -> str | None:
    """The administration that numbered an e-CO (``CN-E-2026-000123``: CN), if it is one."""
    return number[:2] if _NUMBER.match(number) else None
