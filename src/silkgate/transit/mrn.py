"""The Movement Reference Number of a transit declaration.

Shaped as a declaration's MRN (18 characters, the ISO/IEC 7064 check
character last) with ``T`` after the country, as NCTS marks the procedure
in its MRNs, so a transit MRN is never mistaken for a declaration's.
"""

from __future__ import annotations

import datetime as dt
import secrets

from silkgate.declarations.mrn import _ALPHABET, _EPOCH, _base36, check_character


def new_transit_mrn(country: str, at: dt.datetime) -> str:
    """``26CNT`` + 12 characters sorted by time of issue + the check character."""
    millis = int((at - _EPOCH).total_seconds() * 1000)
    body = f"{at:%y}{country}T{_base36(millis, 8)}{_base36(secrets.randbelow(36**4), 4)}"
    return body + check_character(body)


def is_transit_mrn(mrn: str) -> bool:
    return (
        len(mrn) == 18
        and mrn[:2].isdigit()
        and mrn[4] == "T"
        and all(c in _ALPHABET for c in mrn)
        and check_character(mrn[:17]) == mrn[17]
    )
