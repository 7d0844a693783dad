"""The checklist of a joint inspection: customs, SPS and other agencies' checks in one task.

"Single declaration, single inspection, single release": where customs and
the quarantine service would each have inspected the goods, silkgate plans
one task whose checklist merges both services' checks, so the container is
opened once. Which checks, follows from the channel (documents only for
yellow, the goods themselves for red) and from the SPS requirements that
apply to each item, and from the other agencies of the single window that
examine an item's goods (an LPCO's examination condition, or a requirement's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Service(StrEnum):
    CUSTOMS = "customs"
    SPS = "sps"
    AGENCY = "agency"  # another agency of the single window; the check names which


@dataclass(frozen=True)
class Check:
    service: Service
    check: str  # documents, quantity, description, classification, value, origin, certificate...
    description: str
    item: int | None = None  # the item it is about, or None for the whole declaration
    agency: str | None = None  # an agency's check: the agency (its code) that records it

    def as_row(self, seq: int) -> dict[str, Any]:
        return {
            "seq": seq,
            "service": self.service.value,
            "check": self.check,
            "item_seq": self.item,
            "description": self.description,
            "agency": self.agency,
        }


# What customs checks, by channel.
YELLOW_CHECKS = [
    ("documents", "Invoice, transport document and attached documents match the declaration"),
]
RED_CHECKS = [
    *YELLOW_CHECKS,
    ("quantity", "Packages, mass and quantities match the declaration"),
    ("description", "The goods are those described"),
    ("classification", "The tariff line is right for the goods"),
    ("value", "The declared value is plausible for the goods"),
    ("origin", "Origin marks and the proof of origin match the declared origin"),
]
# What customs checks when the goods are opened for the quarantine service.
JOINT_CHECKS = [RED_CHECKS[1], RED_CHECKS[2]]  # quantity, description
# What the quarantine service checks, by SPS control.
SPS_CHECKS = {
    "phyto_certificate": ("certificate", "Phytosanitary certificate {document} present and valid"),
    "vet_certificate": (
        "certificate",
        "Veterinary health certificate {document} present and valid",
    ),
    "health_certificate": ("certificate", "Health certificate {document} present and valid"),
    "lab_test": ("samples", "Samples taken and the laboratory result within the standards"),
    "treatment": ("treatment", "Treatment done and proven: {description}"),
    "quarantine_hold": ("pests", "Inspected for pests and diseases; no quarantine pest found"),
    "prohibited": ("prohibited", "Prohibited goods: {description}"),
}


# What an examining agency checks, by the kind of LPCO the item needs: the goods (or the
# specimens of a permit) against the LPCO, and its conditions when it has any.
AGENCY_GOODS = ("goods", "{agency}: the goods are those {lpco} covers ({description})")
AGENCY_CHECKS = {
    "permit": [("specimens", "{agency}: the specimens are the species and number {lpco} permits")],
    "conformity_certificate": [
        AGENCY_GOODS,
        ("marking", "{agency}: the conformity marking and labelling {lpco} requires"),
    ],
}
AGENCY_CONDITIONS = ("conditions", "{agency}: the conditions of {lpco} are met: {conditions}")


def agency_checks(examinations: Iterable[dict[str, Any]]) -> list[Check]:
    """The checks of the agencies that examine items' goods (``examinations``: item,
    agency, lpco (kind), number, description, conditions), each once per item."""
    checks: list[Check] = []
    seen: set[tuple[str, str, int | None]] = set()
    for e in examinations:
        lpco = e.get("number") or str(e["lpco"]).replace("_", " ")
        wanted = list(AGENCY_CHECKS.get(e["lpco"], [AGENCY_GOODS]))
        if (e.get("conditions") or "").strip():
            wanted.append(AGENCY_CONDITIONS)
        for name, text in wanted:
            key = (e["agency"], name, e.get("item"))
            if key in seen:
                continue
            seen.add(key)
            words = text.format(
                agency=e["agency"], lpco=lpco, description=e.get("description") or "",
                conditions=(e.get("conditions") or "").strip(),
            )  # fmt: skip
            checks.append(Check(Service.AGENCY, name, words[:1000], e.get("item"), e["agency"]))
    return checks


def checklist(
    channel: str,
    sps_requirements: Iterable[dict[str, Any]],
    examinations: Iterable[dict[str, Any]] = (),
) -> list[Check]:
    """The merged checklist for a declaration with this channel, these SPS requirements and
    these agencies' examinations."""
    checks: list[Check] = []
    sps_requirements = list(sps_requirements)
    by_agencies = agency_checks(examinations)
    customs = list(RED_CHECKS if channel == "red" else YELLOW_CHECKS if channel == "yellow" else [])
    if sps_requirements or by_agencies:
        # The quarantine service opens the container anyway: customs looks at the same
        # time at what it can see (one inspection, not two), whatever the channel.
        customs += [c for c in JOINT_CHECKS if c not in customs]
    checks.extend(Check(Service.CUSTOMS, name, text) for name, text in customs)
    seen: set[tuple[str, int | None, str]] = set()
    for r in sps_requirements:
        name, text = SPS_CHECKS[r["control"]]
        key = (name, r.get("item"), r.get("document") or "")
        if key in seen:
            continue
        seen.add(key)
        checks.append(
            Check(
                Service.SPS,
                name,
                text.format(document=r.get("document") or "", description=r["description"]),
                r.get("item"),
            )
        )
    return checks + by_agencies


def needs_inspection(
    channel: str, sps_requirements: Iterable[Any], examinations: Iterable[Any] = ()
) -> bool:
    return (
        channel in ("red", "yellow")
        or any(True for _ in sps_requirements)
        or any(True for _ in examinations)
    )
