"""Recognition of partner administrations' inspection results, as data.

Under a recognition arrangement, a check the partner has already done (its
quarantine service inspected the fruit for pests before export, its customs
sealed and checked the container) need not be done again: the partner's
result satisfies the matching check of the joint inspection. Which partner's
results count for which checks is the arrangement's text, kept here as data
so that a new arrangement is a data change. The arrangements below are
illustrative, for the demo administration.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Arrangement:
    name: str
    partners: frozenset[str]
    checks: frozenset[tuple[str, str]]  # (service, check) the partner's result may satisfy


ARRANGEMENTS = (
    Arrangement(
        "China-ASEAN SPS inspection recognition (illustrative)",
        # Mutual: an ASEAN node recognises China's results as China recognises theirs.
        frozenset({"CN", "VN", "TH", "MY", "ID", "PH", "SG", "KH", "LA", "MM", "BN"}),
        frozenset({("sps", "pests"), ("sps", "treatment"), ("sps", "samples")}),
    ),
    Arrangement(
        "SCO customs control results (illustrative)",
        frozenset({"KZ", "KG", "TJ", "UZ", "RU"}),
        frozenset({("customs", "documents"), ("customs", "quantity"), ("customs", "description")}),
    ),
)


def recognised(partner: str, service: str, check: str) -> Arrangement | None:
    """The arrangement under which ``partner``'s result satisfies this check, if any."""
    for arrangement in ARRANGEMENTS:
        if partner in arrangement.partners and (service, check) in arrangement.checks:
            return arrangement
    return None
