"""Amounts of money and quantities: decimals the node can store, compute with and show.

An amount or a quantity has at most 15 digits before the decimal point and 3
after (the ``NUMERIC(18, 3)`` the store keeps). Anything beyond is refused as
it arrives, before arithmetic could overflow: ``1E+999999999`` is a decimal,
but it cannot be normalised, summed or stored, and neither can a zero written
``0E-999999999``.

Money travels as a JSON string (``"40500.00"``): to most clients and parsers a
JSON number is a binary float, so ``40500.1`` may not be what was meant, and
``40500.0`` is not how an amount is written. Quantities (masses, units) may be
numbers or strings.
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from silkgate.kernel.wording import pattern

MAX_WHOLE_DIGITS = 15
MAX_DECIMALS = 3
# Text longer than this is no amount, whatever it says.
_LONGEST = 64

AS_STRING = 'send the amount as a string, e.g. "40500.00"'
TOO_LARGE = (
    f"is out of range: an amount has at most {MAX_WHOLE_DIGITS} digits before "
    f"the decimal point and {MAX_DECIMALS} after"
)


def sent_as_number(value: Any) -> bool:
    """Whether ``value`` arrived as a JSON number (a bool is not a number here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def more_decimals_than(value: Decimal, places: int) -> bool:
    """Whether ``value`` has more than ``places`` decimals once trailing zeros are dropped.

    Only for a value within bounds (:func:`bounded`), where it cannot overflow.
    """
    return value != value.quantize(_unit(places))


@functools.cache
def _unit(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def oversized(value: Decimal) -> bool:
    """Whether a finite ``value`` is beyond any amount: too many whole digits, or an absurd
    exponent (a zero written ``0E-999999999`` is zero, but no database takes it)."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        return False
    if value.is_zero():
        return not -_LONGEST <= exponent <= _LONGEST
    return value.adjusted() >= MAX_WHOLE_DIGITS


def parsed(value: Any) -> Decimal | None:
    """``value`` (a JSON string or number) as a finite decimal, or None. Never raises."""
    if value.__class__ is str:
        text = value
    elif value.__class__ is float or (value.__class__ is int and abs(value) < 10**_LONGEST):
        text = str(value)
    else:
        return None  # a bool, a list, an object, null, or an integer of absurd length
    if len(text) > _LONGEST:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def bounded(value: Any) -> Decimal | None:
    """``value`` as a decimal an amount may be (15 + 3 digits); None for anything else.

    Never raises, whatever arrives: the declaration's code-list pass reads raw
    JSON with it, for every amount and mass of every item, so it sticks to
    decimal's cheapest operations.
    """
    amount = parsed(value)
    if amount is None:
        return None
    if amount.is_zero():  # only its exponent can be absurd (adjusted() is the exponent)
        return amount if -_LONGEST <= amount.adjusted() <= _LONGEST else None
    if amount.adjusted() >= MAX_WHOLE_DIGITS or more_decimals_than(amount, MAX_DECIMALS):
        return None
    return amount


def _string_within_bounds(value: Any) -> Any:
    if sent_as_number(value):
        raise PydanticCustomError("amount_as_number", AS_STRING, {"code": "amount_as_number"})
    amount = parsed(value)
    if amount is not None and oversized(amount):
        raise PydanticCustomError("amount_out_of_range", TOO_LARGE, {"code": "out_of_range"})
    return value  # anything else wrong is the decimal type's to say


AMOUNT_SCHEMA = WithJsonSchema(
    {
        "type": "string",
        "pattern": pattern(
            r"^[0-9]{1,15}(\.[0-9]{1,3})?$",
            'an amount as a string: up to 15 digits, a point and 3 decimals, e.g. "40500.00"',
        ),
        "examples": ["40500.00"],
        "description": "An amount as a string: up to 15 digits, a point and up to 3 decimals",
    }
)


def bounds(*, positive: bool, decimal_places: int = MAX_DECIMALS) -> Any:
    """The bounds of an amount or a quantity: finite, not negative (or positive), 15 + 3 digits."""
    return Field(
        gt=0 if positive else None,
        ge=None if positive else 0,
        max_digits=MAX_WHOLE_DIGITS + decimal_places,
        decimal_places=decimal_places,
        allow_inf_nan=False,
    )


AS_MONEY = BeforeValidator(_string_within_bounds)
"""Marks an amount of money: a JSON string (numbers are refused), within bounds."""

Money = Annotated[Decimal, AS_MONEY, bounds(positive=False), AMOUNT_SCHEMA]
"""An amount of money in a command: a string such as ``"40500.00"``, zero or more.

The declaration document uses the same :func:`bounds` and schema; it refuses
numbers, and zeros with an absurd exponent, in its code-list pass, which
reads the raw JSON anyway and so costs nothing more on lodging.
"""

PositiveMoney = Annotated[Decimal, AS_MONEY, bounds(positive=True), AMOUNT_SCHEMA]
"""An amount of money more than zero (a payment)."""
