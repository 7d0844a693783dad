"""What happens to an LPCO that other capabilities react to.

Exchange sends an export LPCO issued here, each time it changes, to the
partner of its destination country (agreement ``lpco``), in the same
transaction (``handlers.register_handlers``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from silkgate.kernel.events import Event


@dataclass(frozen=True, kw_only=True)
class LpcoChanged(Event):
    """An export LPCO for ``destination`` was issued or changed; ``document`` is it as it
    now stands (the message's payload)."""

    number: str
    destination: str
    document: dict[str, Any] = field(repr=False, compare=False)
