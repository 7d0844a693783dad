"""Preferential trade agreements a declaration may claim, and their parties.

Kept as data so that a correction (a new member, a new agreement) is a data
change. The parties come from the agreements' public texts.
"""

from __future__ import annotations

from dataclasses import dataclass

ASEAN = frozenset({"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"})


@dataclass(frozen=True)
class Agreement:
    code: str
    name: str
    parties: frozenset[str]
    proofs: frozenset[str]  # the kinds of origin proof the agreement accepts


AGREEMENTS: dict[str, Agreement] = {
    a.code: a
    for a in (
        Agreement(
            "ACFTA",
            "ASEAN-China Free Trade Area",
            ASEAN | {"CN"},
            frozenset({"FORM_E", "E_CO"}),
        ),
        Agreement(
            "ATIGA",
            "ASEAN Trade in Goods Agreement",
            ASEAN,
            frozenset({"FORM_D", "E_CO", "ORIGIN_DECLARATION"}),
        ),
        Agreement(
            "RCEP",
            "Regional Comprehensive Economic Partnership",
            ASEAN | {"CN", "JP", "KR", "AU", "NZ"},
            frozenset({"RCEP_CO", "E_CO", "ORIGIN_DECLARATION"}),
        ),
    )
}
