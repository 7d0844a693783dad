"""How the console writes numbers and counts: money with thousands separators and its
currency, a count with the right form of its noun, a duration, a mode of transport.

They are Jinja filters (:func:`install`), so every page writes them alike.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from jinja2 import Environment

# UN/ECE Recommendation 19 modes of transport.
_MODES = {
    1: "sea",
    2: "rail",
    3: "road",
    4: "air",
    5: "post",
    7: "fixed installation",
    8: "inland waterway",
    9: "own propulsion",
}

# Nouns whose plural is not the noun and an s.
_PLURALS = {"package": "packages", "check": "checks", "entry": "entries", "country": "countries"}


def money(amount: Any, currency: str | None = "") -> str:
    """``1234567.5`` and ``"CNY"`` as ``1,234,567.5 CNY``: grouped, with the digits given.

    The amounts come from the services already rounded to the currency's minor
    unit (or as declared); this does not round them again. What is not a number
    is shown as it is.
    """
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    if not value.is_finite():
        return str(amount)
    return f"{value:,f} {currency}".rstrip() if currency else f"{value:,f}"


def plural(count: Any, noun: str, nouns: str | None = None) -> str:
    """``1 check``, ``2 checks``: the count with the noun in the form it takes."""
    many = nouns or _PLURALS.get(noun) or (noun[:-1] + "ies" if noun.endswith("y") else noun + "s")
    try:
        one = Decimal(str(count)) == 1
    except InvalidOperation:
        one = False
    return f"{count} {noun if one else many}"


def duration(seconds: float) -> str:
    """A time since lodging, as a person reads it (``3 h 5 min``)."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {s} s"
    hours, m = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {m} min"
    return f"{hours // 24} d {hours % 24} h"


def install(env: Environment) -> None:
    """Make the filters available to the console's templates."""
    env.filters["money"] = money
    env.filters["plural"] = plural
    env.filters["duration"] = duration
    env.filters["transport_mode"] = lambda mode: _MODES.get(mode, f"mode {mode}")
