"""What happens to a certificate of origin, as events of the unit of work that does it.

Exchange reacts to each in the same transaction (``handlers.register_handlers``):
the certificate's document, with its new status, goes to the importing
partner's outbox under the ``origin_certificates`` agreement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from silkgate.kernel.events import Event


@dataclass(frozen=True, kw_only=True)
class CertificateEvent(Event):
    """A certificate changed; ``document`` is it as it now stands (the message's payload)."""

    number: str
    importing_country: str
    document: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class CertificateIssued(CertificateEvent):
    """An application was approved, or a certificate replaced: a new certificate exists."""


@dataclass(frozen=True, kw_only=True)
class CertificateCancelled(CertificateEvent):
    """A certificate was cancelled by the issuing authority."""


@dataclass(frozen=True, kw_only=True)
class CertificateReplaced(CertificateEvent):
    """A certificate was replaced by another (its document names it in ``replaced_by``)."""
