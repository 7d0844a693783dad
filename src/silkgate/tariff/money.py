"""Money arithmetic: ``Decimal`` throughout, rounded half-up where customs law rounds."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_QUANTA = {n: Decimal(1).scaleb(-n) for n in range(0, 7)}

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def round_money(amount: Decimal, minor_unit: int) -> Decimal:
    """``amount`` rounded half-up to the currency's minor unit (2 for CNY, 0 for JPY)."""
    return amount.quantize(_QUANTA[minor_unit], rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """A decimal as plain text, without exponent ("1000", not "1E+3")."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
