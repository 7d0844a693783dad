"""How the console writes numbers and counts: money with thousands separators and its
currency, a count with the right form of its noun, a duration, a mode of transport,
a country or currency by its name, a code's word (a status, a channel, a role).

They are Jinja filters (:func:`install`), so every page writes them alike, in the
language in use (CLDR through :mod:`silkgate.i18n.cldr`); codes stay as they are.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from jinja2 import Environment

from silkgate import i18n
from silkgate.i18n import N_, _, cldr
from silkgate.i18n.sentences import say
from silkgate.web.terms import ROLES, TERMS

# UN/ECE Recommendation 19 modes of transport.
_MODES = {
    1: N_("sea"),
    2: N_("rail"),
    3: N_("road"),
    4: N_("air"),
    5: N_("post"),
    7: N_("fixed installation"),
    8: N_("inland waterway"),
    9: N_("own propulsion"),
}

# Nouns whose plural is not the noun and an s.
_PLURALS = {"package": "packages", "check": "checks", "entry": "entries", "country": "countries"}


def money(amount: Any, currency: str | None = "") -> str:
    """``1234567.5`` and ``"CNY"`` as ``1,234,567.50 CNY``: grouped as the locale groups.

    Shown to the currency's minor unit (VND none, CNY two), or with the digits
    given where there are more: the amounts come from the services already
    rounded (or as declared), and this does not round them again. The code
    follows, unchanged. What is not a number is shown as it is.
    """
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    if not value.is_finite():
        return str(amount)
    written = cldr.amount(value, currency or None)
    return f"{written} {currency}" if currency else written


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
        return _("%(s)d s") % {"s": seconds}
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return _("%(min)d min %(s)d s") % {"min": minutes, "s": s}
    hours, m = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)d h %(min)d min") % {"h": hours, "min": m}
    return _("%(d)d d %(h)d h") % {"d": hours // 24, "h": hours % 24}


def term(code: Any) -> str:
    """The word for a code the pages show (``under_control``, ``red``, ``declarant``).

    A code with no word is shown as it is, its underscores as spaces.
    """
    text = str(code if code is not None else "")
    known = TERMS.get(text)
    return _(known) if known else text.replace("_", " ")


def event(code: Any) -> str:
    """A journal event's name (``lodged``, ``outcome_corrected``): the code itself in
    English, as the journal and the API name it; its word in another language, where
    it has one."""
    text = str(code or "")
    known = TERMS.get(text)
    return _(known) if known and i18n.current() != i18n.DEFAULT else text


def role(code: Any) -> str:
    """The word for a role (``declarant``, ``sps_inspector``) in the language in use."""
    text = str(code or "")
    known = ROLES.get(text)
    return _(known) if known else text.replace("_", " ")


def country(code: Any) -> str:
    """A country by its name in the language in use, its code beside it: ``中国 (CN)``."""
    text = str(code or "")
    name = cldr.country_name(text)
    return f"{name} ({text})" if text and name != text else text


def currency(code: Any) -> str:
    """A currency by its name in the language in use, its code beside it."""
    text = str(code or "")
    name = cldr.currency_name(text)
    return f"{name} ({text})" if text and name != text else text


def when(moment: Any, zone: str | None = None) -> str:
    """An ISO 8601 time as the locale writes it, in ``zone`` (UTC by default), zone named."""
    if not moment:
        return ""
    try:
        parsed = (
            moment if isinstance(moment, dt.datetime) else dt.datetime.fromisoformat(str(moment))
        )
    except ValueError:
        return str(moment)
    return cldr.datetime(parsed, zone)


def transport_mode(mode: Any) -> str:
    """A mode of transport (UN/ECE Recommendation 19) in words."""
    known = _MODES.get(mode)
    return _(known) if known else _("mode %(mode)s") % {"mode": mode}


def install(env: Environment) -> None:
    """Make the filters available to the console's templates."""
    env.filters["money"] = money
    env.filters["plural"] = plural
    env.filters["duration"] = duration
    env.filters["transport_mode"] = transport_mode
    env.filters["term"] = term
    env.filters["role"] = role
    env.filters["event"] = event
    env.filters["country"] = country
    env.filters["currency"] = currency
    env.filters["when"] = when
    env.filters["said"] = say
