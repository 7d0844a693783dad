"""Names and numbers as the user's language writes them, from CLDR (Babel).

Country and currency names in the language in use, beside their codes (the
codes never change); amounts grouped as the locale groups them, with the
currency's minor unit; dates and times in the locale and in a given zone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers

from silkgate import i18n


@cache
def _locale(name: str) -> Locale:
    return Locale.parse(name)


def locale() -> Locale:
    """The CLDR locale of the language in use."""
    return _locale(i18n.current())


def country_name(code: str) -> str:
    """The name of country ``code`` (ISO 3166 alpha-2) in the language in use, else the code."""
    return locale().territories.get((code or "").upper(), code)


def currency_name(code: str) -> str:
    """The currency ``code`` (ISO 4217) names, in the language in use; the code if unknown."""
    return locale().currencies.get((code or "").upper(), code)


def minor_digits(currency: str) -> int:
    """How many decimal places ``currency`` has (CNY 2, VND 0, KWD 3)."""
    return numbers.get_currency_precision(currency)


def amount(value: Decimal, currency: str | None = None) -> str:
    """``value`` grouped as the locale groups it; with ``currency``, to its minor unit.

    An amount with more digits than the unit (a declared unit price) keeps them:
    this shows what was computed, it does not round it again.
    """
    exponent = value.as_tuple().exponent
    digits = max(-exponent, 0) if isinstance(exponent, int) else 0
    if currency:
        digits = max(digits, minor_digits(currency))
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return numbers.format_decimal(
        value, format=pattern, locale=locale(), decimal_quantization=False
    )


def datetime(moment: dt.datetime, zone: str | None = None, form: str = "medium") -> str:
    """``moment`` as the locale writes a date and time, in ``zone`` (UTC if none), zone named."""
    tz = ZoneInfo(zone) if zone else dt.UTC
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(tz)
    written = dates.format_datetime(local, form, tzinfo=tz, locale=locale())
    return f"{written} {zone or 'UTC'}"


def date(day: dt.date, form: str = "medium") -> str:
    """``day`` as the locale writes a date."""
    return dates.format_date(day, form, locale=locale())
