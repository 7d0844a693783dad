"""The customs office list for transit: which office belongs to which administration, and
what it may be on an itinerary (office of departure, of transit, of destination).

As NCTS's customs office list (COL), it is reference data every node holds
the same; the one shipped (``files/offices.csv``) is illustrative.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib.resources import files

DEPARTURE, TRANSIT, DESTINATION = "departure", "transit", "destination"


@dataclass(frozen=True)
class TransitOffice:
    code: str
    administration: str
    name: str
    roles: frozenset[str]
    demo: bool

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "administration": self.administration,
            "name": self.name,
            "roles": sorted(self.roles),
            "demo": self.demo,
        }


@dataclass(frozen=True)
class OfficeList:
    offices: dict[str, TransitOffice]

    def get(self, code: str) -> TransitOffice | None:
        return self.offices.get(code)

    def of(self, administration: str) -> list[TransitOffice]:
        return [o for o in self.offices.values() if o.administration == administration]

    @classmethod
    def parse(cls, text: str) -> OfficeList:
        lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
        found = {}
        for row in csv.DictReader(io.StringIO("\n".join(lines))):
            found[row["code"]] = TransitOffice(
                row["code"],
                row["administration"],
                row["name"],
                frozenset(row["roles"].split()),
                row["demo"] == "yes",
            )
        return cls(found)


def shipped() -> OfficeList:
    """The shipped (illustrative) customs office list."""
    return OfficeList.parse((files("silkgate.transit") / "files" / "offices.csv").read_text())
