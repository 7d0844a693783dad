"""What transit asks of other capabilities, as ports the bootstrap fills.

The single window's agencies (``docs/lpco.md``): requirements may apply to
goods in transit. At lodging, the office of departure asks, in the lodging's
transaction, whether the goods' licences, permits and certificates (LPCOs)
answer them: ``refusals`` (field errors: the declaration is refused) and
``holds`` (reasons to control the goods at least yellow).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

from silkgate.kernel.errors import FieldError


class LicenceAnswer(Protocol):
    @property
    def refusals(self) -> Sequence[FieldError]: ...

    @property
    def holds(self) -> Sequence[str]: ...


class TransitLicences(Protocol):
    def check_transit(
        self, conn: Any, declaration: Any, country: str, on: dt.date
    ) -> LicenceAnswer:
        """``declaration``: a :class:`~silkgate.transit.document.TransitDeclaration`;
        ``country``: the country of destination."""
        ...
