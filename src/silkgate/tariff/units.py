"""Quantities in UN/ECE Recommendation 20 units, converted with pint.

A specific duty is charged per unit (3.00 CNY/KGM, 0.50 CNY/LTR, 12 CNY/NAR).
The declared quantity may be in another unit of the same dimension (tonnes for
a duty per kilogram, cubic metres for a duty per litre): it is converted.
Units of different dimensions (litres for a duty per kilogram) cannot be, and
that is the declarant's error to fix, not something to guess.

Counted units (NAR "number of articles", C62 "one", PR "pair", DZN "dozen")
share one dimension, *pieces*, so that a duty per pair can be charged on a
quantity declared in pieces. Litres of pure alcohol have their own dimension:
they are not litres of the product.
"""

from __future__ import annotations

import functools
from decimal import Decimal

import pint
from pint.util import UnitsContainer

from silkgate.refdata import files as refdata_files

# Units whose Rec 20 meaning pint does not know, or knows as plain numbers.
_OVERRIDES: dict[str, str] = {
    "NAR": "piece",
    "C62": "piece",
    "H87": "piece",
    "PR": "2 * piece",
    "DZN": "12 * piece",
    "GRO": "144 * piece",
    "CEN": "100 * piece",
    "MIL": "1000 * piece",
    "LPA": "litre_pure_alcohol",
    "CTM": "0.2 * gram",
}


class UnitError(ValueError):
    """A unit cannot be used, or two units cannot be converted into each other."""


@functools.cache
def _registry() -> pint.UnitRegistry[Decimal]:
    registry: pint.UnitRegistry[Decimal] = pint.UnitRegistry(non_int_type=Decimal)
    registry.define("piece = [article]")
    registry.define("litre_pure_alcohol = [pure_alcohol]")
    return registry


@functools.cache
def _expressions() -> dict[str, str]:
    expressions: dict[str, str] = {}
    for row in refdata_files.units():
        code = row["code"]
        if row["pint_symbol"] and row["pint_symbol"] != "dimensionless":
            expressions[code] = row["pint_symbol"]
        elif (
            row["si_factor"] and row["si_pint_symbol"] and row["si_pint_symbol"] != "dimensionless"
        ):
            expressions[code] = f"{row['si_factor']} * {row['si_pint_symbol']}"
    expressions.update(_OVERRIDES)
    return expressions


def is_convertible(code: str) -> bool:
    """Whether ``code`` is a Rec 20 unit silkgate can measure and convert."""
    return _quantity(code) is not None


@functools.cache
def _quantity(code: str) -> pint.Quantity | None:
    expression = _expressions().get(code)
    if expression is None:
        return None
    try:
        return _registry().Quantity(expression)
    except (pint.errors.PintError, ValueError, TypeError, AttributeError, SyntaxError):
        return None


@functools.cache
def _to_base(code: str) -> tuple[Decimal, UnitsContainer]:
    """One ``code`` unit in its dimension's base unit (TNE: 1000 kg), and the dimension."""
    q = _quantity(code)
    if q is None:
        raise UnitError(f"{code} is not a unit of measure silkgate can convert")
    base = q.to_base_units()
    # pint's own definitions are decimal text, so str() keeps them exact (1E+3, 0.2).
    return Decimal(str(base.magnitude)).normalize(), base.dimensionality


def _check(source: str, target: str) -> tuple[Decimal, Decimal]:
    f_source, dim_source = _to_base(source)
    f_target, dim_target = _to_base(target)
    if dim_source != dim_target:
        raise UnitError(
            f"{source} ({_dimension(dim_source)}) cannot be converted to {target} "
            f"({_dimension(dim_target)})"
        )
    return f_source, f_target


def factor(source: str, target: str) -> Decimal:
    """How many ``target`` units make one ``source`` unit (KGM→GRM: 1000).

    Raises :class:`UnitError` for an unknown unit or a change of dimension.
    pint works out each unit's size once; the arithmetic is then ``Decimal``.
    """
    f_source, f_target = _check(source, target)
    return f_source / f_target


def convert(value: Decimal, source: str, target: str) -> Decimal:
    """``value`` in ``source`` units expressed in ``target`` units.

    Multiplies before it divides, so metric conversions (powers of ten) are
    exact and others (dozens, pairs) lose nothing before the 28th digit.
    """
    if source == target:
        return value
    f_source, f_target = _check(source, target)
    return value * f_source / f_target


_NAMES = {
    "[mass]": "mass",
    "[length] ** 3": "volume",
    "[length] ** 2": "area",
    "[length]": "length",
    "[article]": "pieces",
    "[pure_alcohol]": "pure alcohol",
}


def _dimension(dimensionality: UnitsContainer) -> str:
    text = str(dimensionality)
    return _NAMES.get(text, text)


def dimension(code: str) -> str | None:
    """A readable name of the unit's dimension ("mass", "volume", "pieces"), if known."""
    q = _quantity(code)
    return None if q is None else _dimension(q.dimensionality)
