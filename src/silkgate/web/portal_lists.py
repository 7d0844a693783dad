"""The code lists of the declaration form, named in the reader's language.

Countries and currencies are named from CLDR (Babel) in the language in use;
the codes never change with it. Offices are the node's; the longer lists
(UN/LOCODEs, units, packages) and the tariff are searched as the trader types.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import Locale

from silkgate import i18n
from silkgate.node import Node
from silkgate.tariff.services import TariffNotLoaded


def _locale() -> Locale:
    return Locale.parse(i18n.current())


def code_lists(node: Node) -> dict[str, list[tuple[str, str]]]:
    """The short lists every form offers at once: countries, currencies and offices."""
    locale = _locale()
    countries = sorted(node.codes.countries)
    currencies = sorted(node.codes.currencies)
    offices = node.portal.codes("offices", "", 500)
    return {
        "countries": [(c, locale.territories.get(c, c)) for c in countries],
        "currencies": [(c, locale.currencies.get(c, c)) for c in currencies],
        "offices": [(c, n) for c, n in offices if c in node.codes.offices],
    }


def hs_options(node: Node, typed: str, on: dt.date) -> list[tuple[str, str]]:
    """Tariff lines for what the trader typed: the lines under a code's first digits, or the
    lines whose words match."""
    typed = typed.strip()
    if len(typed) < 2:
        return []
    try:
        if typed.isdigit():
            found: Any = node.tariff.lookup(typed[:10], on)
            lines = found["lines"] if found else []
        else:
            lines = node.tariff.search(typed, on, 20)["results"]
    except TariffNotLoaded:
        return []
    return [(line["code"], line["description"]) for line in lines[:20]]
