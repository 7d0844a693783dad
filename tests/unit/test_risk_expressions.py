"""The profile expression language: syntax, types, positions, evaluation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from silkgate.risk.expressions import ExpressionError, compile_condition
from silkgate.risk.facts import SCHEMA

FACTS = {
    "item.hs_code": "08109040",
    "item.origin": "VN",
    "item.unit_value": Decimal("2.10"),
    "item.net_mass_kg": Decimal("18000"),
    "item.preference": "ACFTA",
    "declaration.importer_aeo": False,
    "declaration.transport_mode": Decimal(1),
    "item.quantity": None,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('item.hs_code.startsWith("0810") && item.origin == "VN"', True),
        ('item.origin in ["TH", "VN"]', True),
        ('!(item.origin in ["TH", "MY"])', True),
        ("item.unit_value < 2.5 && item.net_mass_kg >= 18000", True),
        ("item.unit_value * item.net_mass_kg > 40000", False),
        ("-item.unit_value < 0", True),
        ('item.preference != "" || declaration.importer_aeo', True),
        ("declaration.importer_aeo == false", True),
        ("declaration.transport_mode == 1", True),
        ('item.hs_code.endsWith("40") && item.hs_code.contains("109")', True),
        ('"VN" == item.origin', True),
        ("item.quantity > 10", False),  # absent facts make comparisons false
        ("item.quantity == 10 || true", True),
        ("item.unit_value / 0 > 1", False),  # division by zero is no value, not a crash
    ],
)
def test_evaluation(text, expected):
    assert compile_condition(text, SCHEMA)(FACTS) is expected


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ('item.hs_code.startsWith("08"', 28, "expected ')'"),
        ('item.origin == "VN', 15, "unterminated string"),
        ("item.origin == 5", 12, "cannot compare a string with a number"),
        ('item.unit_value < "2"', 18, "'<' compares numbers"),
        ('item.orign == "VN"', 0, "unknown field 'item.orign'; did you mean item.origin?"),
        ("item.unit_value + 1", 16, "a condition must be true or false"),
        ('item.origin in ["VN", 1]', 22, "list elements must all be string"),
        ('item.origin in "VN"', 15, "'in' needs a list of string"),
        ('item.hs_code.lower() == "x"', 13, "unknown method 'lower'"),
        ("", 0, "the expression is empty"),
        ("item.origin == ", 15, "unexpected end of the expression"),
        ('item.origin == "VN" item', 20, "unexpected 'item'"),
        ("item.origin @ 1", 12, "unexpected character '@'"),
        ('__import__("os")', 10, "unexpected '('"),
        ('item.origin.__class__ == "x"', 0, "unknown field 'item.origin.__class__'"),
        ("!item.origin", 1, "'!' needs a bool"),
        ("item.preference && true", 0, "'&&' needs true/false"),
    ],
)
def test_errors_name_their_position(text, position, message):
    with pytest.raises(ExpressionError) as exc:
        compile_condition(text, SCHEMA)
    assert exc.value.position == position
    assert message in exc.value.message


def test_a_long_expression_is_refused():
    with pytest.raises(ExpressionError):
        compile_condition(" || ".join(['item.origin == "VN"'] * 400), SCHEMA)
