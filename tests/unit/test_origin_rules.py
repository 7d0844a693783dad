"""The rule language and the rules-of-origin file: parsed whole, every error with its place."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib.resources import files

import pytest

from silkgate.origin.files import FileErrors, parse_rules
from silkgate.origin.rulebook import RuleBook
from silkgate.origin.rules import (
    AllOf,
    AnyOf,
    CodeRange,
    RuleError,
    SpecificProcess,
    TariffChange,
    ValueContent,
    parse,
)
from tests.origin_helpers import countries, hs_codes

# --- the rule language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("RVC 40 or CTH", "RVC 40% or CTH"),
        ("rvc 40% AND ctsh", "RVC 40% and CTSH"),
        ("CTH except from heading 15.11", None),
        ("CTH except from 15.11", "CTH except 1511"),
        ("CC except 0901-0902, 2101.11", "CC except 0901-0902, 210111"),
        (
            'SP "Chemical-Reaction" or (RVC 40.0 and CTSH)',
            'SP "chemical reaction" or RVC 40% and CTSH',
        ),
        ("(RVC 35 or CTH) and CTSH", "(RVC 35% or CTH) and CTSH"),
        ("WO", "WO"),
        ("PE or RVC 42.5", "PE or RVC 42.5%"),
    ],
)
def test_rules_read_as_the_agreements_write_them(text, canonical):
    if canonical is None:
        with pytest.raises(RuleError):
            parse(text)
        return
    tree = parse(text)
    assert str(tree) == canonical
    assert str(parse(str(tree))) == canonical  # the canonical text reads back the same


def test_and_binds_closer_than_or():
    tree = parse("RVC 40 or RVC 35 and CTSH")
    assert isinstance(tree, AnyOf)
    first, second = tree.parts
    assert first == ValueContent(Decimal(40))
    assert isinstance(second, AllOf)
    assert second.parts == (ValueContent(Decimal(35)), TariffChange(6))


def test_a_process_and_exceptions_are_parsed_into_the_tree():
    tree = parse('CTH except 1511, 7201-7229 or SP "chemical reaction"')
    assert isinstance(tree, AnyOf)
    change, process = tree.parts
    assert change == TariffChange(4, (CodeRange("1511", "1511"), CodeRange("7201", "7229")))
    assert process == SpecificProcess("chemical reaction")


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "the rule is empty", 0),
        ("RVC", "expected a percentage after RVC", 3),
        ("RVC 140", "at most 100", 4),
        ("CTH or", "expected a criterion", 6),
        ("CTH except 151", "expected an HS chapter, heading or subheading", 11),
        ("CTH except 1520-1511", "must go up", 16),
        ("(CTH or RVC 40", "expected ')'", 14),
        ("CTH CTSH", "expected 'and', 'or'", 4),
        ('SP "chemical', "not closed", 3),
        ("SP chemical", "a process name in quotes", 3),
        ("CTH & CC", "unexpected character '&'", 4),
    ],
)
def test_a_bad_rule_says_what_and_where(text, message, position):
    with pytest.raises(RuleError) as exc:
        parse(text)
    assert message in exc.value.message
    assert exc.value.position == position


def test_an_exception_range_knows_when_a_coarse_code_cannot_tell():
    excepted = CodeRange("1511", "1511")
    assert excepted.covers("151110") is True
    assert excepted.covers("1512") is False
    assert excepted.covers("16") is False  # chapter 16 holds no heading 1511
    assert excepted.covers("15") is None  # chapter 15 may or may not be heading 1511
    assert CodeRange("15", "15").covers("1511") is True


# --- the file ---------------------------------------------------------------------------------

GOOD = """
title = "Test rules"

[ACFTA]
name = "ASEAN-China Free Trade Area"
parties = ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "CN"]
proofs = ["FORM_E", "E_CO"]
certificate_validity_months = 12
de_minimis = 10
build_up = true
cumulation = "parties"
always = "WO or PE"
minimal_operations = ["packing", "Simple-Mixing"]

[[ACFTA.rules]]
rule = "RVC 40 or CTH"
valid_from = 2019-08-20
source = "general rule"

[[ACFTA.rules]]
hs = ["1516", "8507.60"]
rule = "CTH except 1511"
valid_from = "2019-08-20"
valid_to = 2026-12-31
source = "a test"
illustrative = true
"""


def parsed(text: str):
    return parse_rules(text, countries(), hs_codes())


def test_a_good_file_gives_terms_and_rules():
    rules = parsed(GOOD)
    assert rules.title == "Test rules"
    (acfta,) = rules.terms
    assert acfta.de_minimis == 10 and acfta.build_up and str(acfta.always) == "WO or PE"
    assert acfta.minimal_operations == {"packing", "simple mixing"}
    assert acfta.transit_operations == {"unloading", "reloading", "preservation"}  # the default
    assert [(r.hs_prefix, r.text, r.line) for r in rules.rules] == [
        ("", "RVC 40% or CTH", 15),
        ("1516", "CTH except 1511", 20),
        ("850760", "CTH except 1511", 20),
    ]
    assert rules.rules[1].valid_to == dt.date(2026, 12, 31) and rules.rules[1].illustrative


def test_every_error_is_listed_with_its_line():
    bad = (
        GOOD.replace('"CN"]', '"CN", "ZZ"]')  # line 6
        .replace("de_minimis = 10", "de_minimis = 110")  # line 9
        .replace('cumulation = "parties"', 'cumulation = "full"')  # line 11
        .replace('rule = "RVC 40 or CTH"', 'rule = "RVC 40 or"')  # line 16
        .replace('hs = ["1516", "8507.60"]', 'hs = ["1516", "9999"]')  # line 21
        .replace("valid_to = 2026-12-31", "valid_to = 2019-01-01\ncolour = 1")  # lines 24, 25
    )
    with pytest.raises(FileErrors) as exc:
        parsed(bad)
    found = [(e.line, e.column) for e in exc.value.errors]
    assert found == [
        (6, "parties"),
        (6, "parties"),
        (9, "de_minimis"),
        (11, "cumulation"),
        (16, "rule"),
        (21, "hs"),
        (24, "valid_to"),
        (25, "colour"),
    ], [str(e) for e in exc.value.errors]
    text = "\n".join(str(e) for e in exc.value.errors)
    assert "'ZZ' is not an ISO 3166 country" in text
    assert "differ from the parties declarations are checked against (not ZZ)" in text
    assert "'9999' is not in HS 2022" in text
    assert "expected a criterion" in text


def test_rules_for_the_same_goods_may_not_overlap_in_time():
    overlapping = (
        GOOD
        + '\n[[ACFTA.rules]]\nhs = "1516"\nrule = "CTSH"\nvalid_from = 2026-01-01\nsource = "x"\n'
    )
    with pytest.raises(FileErrors) as exc:
        parsed(overlapping)
    (error,) = exc.value.errors
    assert error.line == 28 and "the ACFTA rule for the heading 1516 overlaps line 20" in str(error)


def test_a_missing_term_an_unknown_agreement_and_bad_toml_are_refused():
    with pytest.raises(FileErrors) as exc:
        parsed(GOOD.replace("build_up = true\n", "") + '\n[MERCOSUR]\nname = "x"\n')
    text = [str(e) for e in exc.value.errors]
    assert any("line 4, build_up: required" in t for t in text), text
    assert any("'MERCOSUR' is not an agreement silkgate knows" in t for t in text), text
    with pytest.raises(FileErrors) as exc:
        parsed(GOOD.replace("de_minimis = 10", "de_minimis = "))
    (error,) = exc.value.errors
    assert error.line == 9 and "not TOML" in error.message


def test_the_shipped_rules_load_and_say_what_is_illustrative():
    data = (files("silkgate.origin") / "files" / "rules-of-origin.toml").read_text()
    rules = parsed(data)
    assert {t.code for t in rules.terms} == {"ACFTA", "RCEP", "ATIGA"}
    book = RuleBook(rules.terms, rules.rules, version=1)
    general = book.rule_for("ACFTA", "847130", dt.date(2026, 11, 20))
    assert general is not None and general.text == "RVC 40% or CTH" and not general.illustrative
    assert str(book.applied(general)) == "WO or PE or RVC 40% or CTH"
    earlier = book.rule_for("ACFTA", "847130", dt.date(2015, 1, 1))
    assert earlier is not None and earlier.text == "RVC 40%"
    fats = book.rule_for("ACFTA", "151620", dt.date(2026, 11, 20))
    assert fats is not None and fats.text == "CTH except 1511" and fats.illustrative
    rcep = book.rule_for("RCEP", "847130", dt.date(2026, 11, 20))
    assert rcep is not None and rcep.hs_prefix == "847130" and rcep.illustrative
    # Every product-specific rule shipped is marked illustrative; the general rules of
    # ACFTA and ATIGA come from the agreements' texts.
    assert all(r.illustrative for r in rules.rules if r.hs_prefix)
    assert not any(
        r.illustrative for r in rules.rules if r.agreement in ("ACFTA", "ATIGA") and not r.hs_prefix
    )
