"""Movement Reference Numbers: the customs reference given to a lodged declaration.

Shape (18 characters, after the EU MRN): two digits of the year, the ISO
country of the administration, 13 characters that sort by time of issue and
are otherwise random, and an ISO/IEC 7064 check character, so a mistyped
number is caught before it reaches the database.
"""

from __future__ import annotations

import datetime as dt
import secrets

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def _base36(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 36)
        out.append(_ALPHABET[r])
    return "".join(reversed(out))


def check_character(body: str) -> str:
    """ISO/IEC 7064 MOD 37,36: catches every single wrong character and most swaps."""
    modulus, product = 36, 36
    for c in body:
        product = (product + _ALPHABET.index(c)) % modulus or modulus
        product = (product * 2) % (modulus + 1)
    return _ALPHABET[(modulus + 1 - product) % modulus]


def new_mrn(country: str, at: dt.datetime) -> str:
    millis = int((at - _EPOCH).total_seconds() * 1000)
    body = f"{at:%y}{country}{_base36(millis, 8)}{_base36(secrets.randbelow(36**5), 5)}"
    return body + check_character(body)


def is_well_formed(mrn: str) -> bool:
    return (
        len(mrn) == 18
        and mrn[:2].isdigit()
        and all(c in _ALPHABET for c in mrn)
        and check_character(mrn[:17]) == mrn[17]
    )
