"""The kernel's rules for text and amounts, and the words its errors are given in."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from silkgate.kernel import amounts, text, wording
from silkgate.kernel.commands import Command, parse
from silkgate.kernel.errors import InvalidRequest

# Every character of the Basic Multilingual Plane but the surrogates.
BMP = [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
REFUSED_IN_TEXT = {
    *map(chr, range(0x00, 0x09)),
    "\x0b",
    "\x0c",
    *map(chr, range(0x0E, 0x20)),
    *map(chr, range(0x7F, 0xA0)),
    *"\u200b\u200c\u200d\u2060\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff",
}


def test_exactly_the_control_and_invisible_characters_are_refused():
    in_text = {c for c in BMP if text.refused(c, multiline=True)}
    in_line = {c for c in BMP if text.refused(c)}
    assert in_text == REFUSED_IN_TEXT
    assert in_line == REFUSED_IN_TEXT | {"\t", "\n", "\r"}


@pytest.mark.parametrize(("kind", "multiline"), [(text.Line, False), (text.Text, True)])
def test_the_model_types_refuse_what_the_check_refuses(kind: Any, multiline: bool):
    # The types run their pattern in pydantic's core; the check runs in Python: they agree.
    adapter = TypeAdapter(kind)
    for c in BMP:
        try:
            adapter.validate_python(f"a{c}b")
            accepted = True
        except ValidationError:
            accepted = False
        assert accepted is (text.refused(c, multiline=multiline) is None), hex(ord(c))


def test_a_refused_character_is_named_in_words():
    assert text.why("\x00") == "contains U+0000, a control character, which is not allowed"
    assert "invisible formatting character" in text.why("\u202e")
    assert "line break" in text.why("\n")
    assert text.escaped("a\x00b\u202ec\nd") == "a\\u0000b\\u202ec\nd"
    assert text.escaped_json({"k\x00": ["\ufeff", 1]}) == {"k\\u0000": ["\\ufeff", 1]}


def test_free_form_json_is_checked_to_the_pointer():
    value = {"a": [{"b": "ok"}, {"c": "x\u200by"}], "d\x01": "fine", "e": "two\nlines"}
    found = list(text.json_faults(value))
    assert [where for where, _ in found] == [("a", 1, "c"), ("d\x01",)]
    assert found[1][1].startswith("the name of this field contains U+0001")


def test_the_json_scan_misses_no_refused_character():
    for c in sorted(REFUSED_IN_TEXT):
        for ascii_only in (True, False):
            data = json.dumps({"name": f"a{c}b"}, ensure_ascii=ascii_only).encode()
            assert text.suspect_json(data), (hex(ord(c)), ascii_only)
    # Quotes and dashes share their first UTF-8 bytes with the invisible characters.
    plain = json.dumps(
        {"name": "Zürich 上海 \u201cquoted\u201d \u2013 naïve\n"}, ensure_ascii=False
    )
    assert not text.suspect_json(plain.encode())


class Payment(Command):
    amount: amounts.PositiveMoney
    fee: amounts.Money = Decimal(0)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (40500.0, "amount_as_number"),
        (40500, "amount_as_number"),
        ("1E+999999999", "out_of_range"),
        ("1000000000000000", "out_of_range"),
        ("0", "invalid"),
        ("1.0001", "invalid"),
        ("lots", "invalid"),
        ("NaN", "invalid"),
    ],
)
def test_money_is_a_string_within_bounds(raw: Any, code: str):
    with pytest.raises(InvalidRequest) as refused:
        parse(Payment, {"amount": raw})
    assert [(e.pointer, e.code) for e in refused.value.errors] == [("/amount", code)]


def test_a_zero_with_an_absurd_exponent_is_no_amount():
    with pytest.raises(InvalidRequest) as refused:
        parse(Payment, {"amount": "1", "fee": "0E-999999999"})
    assert refused.value.errors[0].code == "out_of_range"
    assert parse(Payment, {"amount": "999999999999999.999"}).amount == Decimal(
        "999999999999999.999"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("40500.00", Decimal("40500.00")),
        (40500, Decimal(40500)),
        ("12.3400", Decimal("12.3400")),
        ("0E+10", Decimal("0E+10")),
        ("1E+999999999", None),
        ("0E-999999999", None),
        ("1E+15", None),
        ("0.0001", None),
        ("1" * 100, None),
        (10**80, None),
        (True, None),
        ([], None),
        ("Infinity", None),
    ],
)
def test_the_bounded_reading_never_raises(raw: Any, expected: Decimal | None):
    assert amounts.bounded(raw) == expected


def test_pydantic_errors_in_plain_words():
    assert wording.explain({"type": "missing", "msg": "Field required"}) == "is required"
    pattern = {"type": "string_pattern_mismatch", "ctx": {"pattern": "^(IM|EX)$"}, "input": "X"}
    assert wording.explain(pattern) == "must be one of IM, EX"
    unknown = {"type": "string_pattern_mismatch", "ctx": {"pattern": "^[a-z]+$"}, "input": "X"}
    assert wording.explain(unknown) == "is not in the expected format"
    line = {
        "type": "string_pattern_mismatch",
        "ctx": {"pattern": text.LINE_PATTERN},
        "input": "a\x00",
    }
    assert wording.explain(line) == text.why("\x00")
    assert wording.named_code(line) == text.CODE
    big = {"type": "decimal_whole_digits", "ctx": {"whole_digits": 15}, "input": "1E+400"}
    assert "1E+400" not in wording.explain(big)
    custom = {"type": "x", "msg": "the operator's name", "ctx": {"code": "missing"}}
    assert wording.explain(custom) == "the operator's name"
    assert wording.quote("x" * 100) == repr("x" * 39 + "…")


def test_a_pattern_means_one_thing():
    wording.pattern(r"^[A-Z]{2}$", "a 2-letter ISO 3166 country code, e.g. CN")
    with pytest.raises(ValueError):
        wording.pattern(r"^[A-Z]{2}$", "two capitals")
