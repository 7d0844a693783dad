"""The origin calculator, case by case: pure, no database (rates are a dictionary)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from silkgate.kernel.errors import InvalidRequest
from silkgate.origin.case import CostElements, Money, Transit
from silkgate.origin.determination import determine
from silkgate.origin.rulebook import Cumulation
from tests.origin_helpers import book, material, notebook, rate, rule


def run(case, rules=None):
    return determine(case, rules or book(), rate).as_json()


def test_the_notebook_originates_by_rvc_as_the_docs_work_it_out():
    d = run(notebook())
    assert d["originating"] is True and d["eligible"] is True
    assert (d["criterion"], d["box8"]) == ("RVC", "RVC 70%")
    assert d["fob"] == {"amount": "1000.00", "currency": "USD"}
    assert d["rvc"] == "70.00" and d["rvc_build_up"] is None
    assert d["vnm"] == {"amount": "300.00", "currency": "USD"}
    assert (
        d["rule"]["text"] == "WO or PE or RVC 40% or CTH" and d["rule"]["scope"] == "general rule"
    )
    steps = "\n".join(d["explanation"])
    assert "VNM 300.00 USD: Mainboard, 8473.30 (KR, not a party to ACFTA; 300.00)." in steps
    assert "Housing, 3926.90 (VN, a party, with proof of origin under ACFTA: cumulation" in steps
    assert "100 * (FOB 1000.00 - VNM 300.00) / FOB 1000.00 = 70.00 %" in steps
    assert "RVC 40%: met: 70.00 % ≥ 40 % (build-down)" in steps
    assert "Not tested, as RVC 40% is met: CTH." in steps  # the exporter's first choice stands
    by_cth = run(notebook(), book(general="CTH"))
    assert "CTH: Mainboard, 8473.30 changes heading (8473 → 8471)." in by_cth["explanation"]


def test_cth_qualifies_where_rvc_fails():
    case = notebook(
        material("Display", "852852", "450.00", "KR"),
        material("Battery", "850760", "250.00", "JP"),
    )
    d = run(case)
    assert d["rvc"] == "30.00"
    assert (d["originating"], d["criterion"], d["box8"]) == (True, "CTH", "CTH")
    assert d["fob"] is None  # box 9 carries FOB only when an RVC was used
    assert "RVC 40%: not met: 30.00 % (build-down) < 40 %." in d["explanation"]


def test_neither_rvc_nor_cth_and_the_failing_material_is_named():
    case = notebook(
        material("Processor board", "847330", "500.00", "KR"),
        material("Keyboard unit", "847160", "200.00", "KR"),  # heading 8471: no change
    )
    d = run(case)
    assert d["originating"] is False and d["criterion"] is None and d["box8"] is None
    assert d["fob"] is None
    (failing,) = d["failing_materials"]
    assert failing["description"] == "Keyboard unit" and failing["fails"] == ["CTH"]
    assert failing["index"] == 1
    steps = "\n".join(d["explanation"])
    assert "Keyboard unit, 8471.60 (200.00 USD) fails: heading 8471 is the product's own" in steps
    assert "20.00 % of FOB, more than ACFTA's de minimis of 10 %" in steps
    assert d["explanation"][-1] == "Result: the product does not originate under ACFTA."


def test_de_minimis_rescues_a_cth_failure():
    case = notebook(
        material("Processor board", "847330", "600.00", "KR"),
        material("Keyboard unit", "847160", "100.00", "KR"),  # 10 % of FOB: within
    )
    d = run(case)
    assert (d["originating"], d["criterion"]) == (True, "CTH")
    assert d["failing_materials"][0]["fails"] == ["CTH"]
    assert any("met by de minimis" in s and "10.00 % of FOB" in s for s in d["explanation"])
    assert run(case, book(de_minimis=Decimal(0)))["originating"] is False


def test_de_minimis_by_value_does_not_apply_to_excluded_chapters():
    case = notebook(
        material("Processor board", "847330", "600.00", "KR"),
        material("Keyboard unit", "847160", "50.00", "KR"),
    )
    assert run(case)["originating"] is True
    assert run(case, book(de_minimis_not_for=frozenset({"84"})))["originating"] is False


def test_cumulation_of_a_partners_originating_material_decides():
    screen = material("Display", "847130", "500.00", "VN")  # same heading as the product
    board = material("Board", "847330", "200.00", "KR")
    without = run(notebook(screen, board))
    assert without["originating"] is False and without["rvc"] == "30.00"
    proven = dataclasses.replace(screen, originating=True)
    d = run(notebook(proven, board))
    assert (d["originating"], d["criterion"], d["rvc"]) == (True, "RVC", "80.00")
    assert any("with proof of origin under ACFTA: cumulation" in s for s in d["explanation"])
    # A proof from a non-party counts for nothing, and without cumulation only the exporter's do.
    korean = dataclasses.replace(proven, origin="KR")
    assert run(notebook(korean, board))["originating"] is False
    assert run(notebook(proven, board), book(cumulation=Cumulation.NONE))["originating"] is False


def test_a_minimal_operation_never_confers_origin():
    packed = notebook(processes=("Packing", "labelling"))
    d = run(packed)
    assert d["originating"] is False and d["criterion"] is None
    assert d["rvc"] == "70.00"  # the figures still stand; they just do not count
    assert (
        "Every process stated (packing, labelling) is a minimal operation under ACFTA."
        in (d["explanation"])
    )
    assert (
        run(notebook(processes=("assembly",), minimal_operations_only=True))["originating"] is False
    )
    # Packing what is wholly obtained takes nothing away.
    fruit = notebook(hs="081060", processes=("packing",), wholly_obtained=True, materials=())
    assert run(fruit)["criterion"] == "WO"


def test_wholly_obtained_and_produced_entirely():
    fruit = notebook(hs="081060", description="Durians", wholly_obtained=True, materials=())
    d = run(fruit)
    assert (d["criterion"], d["box8"], d["fob"]) == ("WO", "WO", None)
    claimed = dataclasses.replace(fruit, materials=(material("Wax", "152110", "5.00", "US"),))
    d = run(claimed, book(general="WO"))
    assert d["originating"] is False
    assert any(
        "stated to be wholly obtained, but Wax is non-originating" in s for s in d["explanation"]
    )
    made = notebook(
        material("Mainboard", "847330", "300.00", "CN", originating=True),
        material("Housing", "392690", "120.00", "VN", originating=True),
    )
    d = run(made)
    assert (d["criterion"], d["box8"], d["fob"]) == ("PE", "PE", None)


def test_a_change_of_chapter_rule_with_exceptions():
    rules = book(rule("CC except 5205-5207", "6109"), rule("CTH except 1511", "1516"))
    shirt = notebook(
        material("Yarn", "520524", "300.00", "IN"),
        material("Fabric", "600622", "200.00", "IN"),
        hs="610910",
        description="T-shirts",
    )
    d = run(shirt, rules)
    assert d["originating"] is False and d["rule"]["scope"] == "heading 6109"
    assert {m["description"]: m["fails"] for m in d["failing_materials"]} == {
        "Yarn": ["CC except 5205-5207"],
    }
    assert any("Yarn, 5205.24" in s and "comes from 5205-5207" in s for s in d["explanation"])
    fabric_only = dataclasses.replace(shirt, materials=(shirt.materials[1],))
    assert run(fabric_only, rules)["criterion"] == "CC"
    fat = notebook(
        material("Palm oil", "151190", "300.00", "MY"),
        material("Soya oil", "150710", "300.00", "AR"),
        hs="151620",
        description="Hydrogenated fats",
    )
    d = run(fat, rules)
    assert [m["description"] for m in d["failing_materials"]] == ["Palm oil"]
    assert d["originating"] is False  # palm oil is 30 % of FOB, above the de minimis


def test_a_change_of_subheading_and_codes_known_only_to_the_heading():
    rules = book(rule("CTSH", "847130"))
    d = run(notebook(material("Unit", "8471", "500.00", "KR")), rules)
    assert d["originating"] is False
    assert any(
        "classified only to 8471, a change of subheading cannot be shown" in s
        for s in d["explanation"]
    )
    assert run(notebook(material("Board", "8473", "500.00", "KR")), rules)["criterion"] == "CTSH"


def test_and_and_or_combinations():
    both = book(rule("RVC 40 and CTSH", "847130"))
    d = run(notebook(), both)
    assert (d["criterion"], d["box8"]) == ("PSR", "RVC 70%+CTSH")
    assert d["fob"] == {"amount": "1000.00", "currency": "USD"}
    same = notebook(material("Unit", "847130", "200.00", "KR"))
    assert run(same, both)["originating"] is False  # RVC 80 % but no change of subheading
    either = book(rule("CTSH or RVC 40", "847130"))
    assert run(notebook(), either)["criterion"] == "CTSH"  # the first alternative met counts
    assert run(same, either)["criterion"] == "RVC"


def test_a_specific_process():
    rules = book(rule('SP "chemical reaction" or RVC 60', "290110"))
    case = notebook(
        material("Naphtha", "271012", "800.00", "SA"),
        hs="290110",
        description="Ethylene",
        processes=("Chemical-Reaction",),
    )
    d = run(case, rules)
    assert (d["criterion"], d["box8"]) == ("PSR", "SP")
    d = run(dataclasses.replace(case, processes=("distillation",)), rules)
    assert d["originating"] is False
    assert (
        'SP "chemical reaction": not met: the processes stated are distillation.'
        in d["explanation"]
    )


def test_build_up_where_the_agreement_allows_it():
    case = notebook(
        material("Panel", "852852", "650.00", "KR"),
        material("Frame", "392690", "150.00", "CN", originating=True),
        build_up=CostElements(
            direct_labour=Money(Decimal("150.00"), "USD"),
            direct_overhead=Money(Decimal("50.00"), "USD"),
            other_cost=Money(Decimal("0"), "USD"),
            profit=Money(Decimal("350.00"), "CNY"),  # 50.00 USD at 7 CNY per USD
        ),
    )
    rules = book(general="RVC 40")
    d = run(case, rules)
    assert d["rvc"] == "35.00" and d["rvc_build_up"] == "40.00"
    assert (d["originating"], d["box8"]) == (True, "RVC 40%")
    assert any(
        "100 * (originating materials 150.00 + direct labour 150.00 + direct overhead 50.00 "
        "+ other cost 0.00 + profit 50.00) / FOB 1000.00 = 40.00 %" in s
        for s in d["explanation"]
    )
    refused = run(case, book(general="RVC 40", build_up=False))
    assert refused["originating"] is False and refused["rvc_build_up"] == "40.00"
    assert any("ACFTA does not allow this method" in s for s in refused["explanation"])


def test_a_rule_valid_only_until_a_date():
    rules = book(rule("CTSH and RVC 60", "850760", valid_to=dt.date(2026, 12, 31)))
    battery = notebook(
        material("Cells", "850760", "300.00", "KR"),
        hs="850760",
        description="Battery packs",
    )
    last_day = run(dataclasses.replace(battery, date=dt.date(2026, 12, 31)), rules)
    assert last_day["originating"] is False and last_day["rule"]["scope"] == "subheading 8507.60"
    next_day = run(dataclasses.replace(battery, date=dt.date(2027, 1, 1)), rules)
    assert next_day["rule"]["scope"] == "general rule"
    assert (next_day["originating"], next_day["criterion"]) == (True, "RVC")


def test_direct_consignment_is_a_condition_of_the_preference():
    through_party = notebook(transit=Transit(("SG",), ("unloading", "reloading")))
    assert run(through_party)["eligible"] is True
    worked_on = notebook(transit=Transit(("HK",), ("unloading", "repacking")))
    d = run(worked_on)
    assert (d["originating"], d["direct_consignment"], d["eligible"]) == (True, False, False)
    assert any("in HK (not a party) the goods underwent repacking" in s for s in d["explanation"])
    assert run(notebook(direct_consignment=False))["eligible"] is False


def test_values_in_other_currencies_are_converted_at_the_customs_rates():
    case = notebook(material("Board", "847330", "2100.00", "KR", currency="CNY"))
    d = run(case)
    assert d["vnm"] == {"amount": "300.00", "currency": "USD"} and d["rvc"] == "70.00"
    assert any(
        "Board, 8473.30 (KR, not a party to ACFTA; 2100.00 CNY = 300.00)" in s
        for s in d["explanation"]
    )
    assert (
        "at the customs exchange rates of 2026-11-20 (national currency per unit: CNY 1, USD 7.0)"
        in d["explanation"][1]
    )
    unknown = notebook(material("Board", "847330", "300.00", "KR", currency="EUR"))
    with pytest.raises(InvalidRequest) as exc:
        run(unknown)
    (error,) = exc.value.errors
    assert error.pointer == "/materials/0/value/currency" and "EUR" in error.detail


@pytest.mark.parametrize(
    ("change", "where", "code"),
    [
        ({"agreement": "MERCOSUR"}, "/agreement", "unknown_agreement"),
        ({"exporting_country": "KR"}, "/exporting_country", "not_a_party"),
        ({"date": dt.date(2018, 1, 1)}, "/date", "no_rule_in_force"),
    ],
)
def test_what_cannot_be_asked_is_refused_with_the_field(change, where, code):
    with pytest.raises(InvalidRequest) as exc:
        run(notebook(**change))
    assert [(e.pointer, e.code) for e in exc.value.errors] == [(where, code)]


def test_the_variants_of_the_worked_example_in_the_docs():
    board = material("Mainboard", "847330", "300.00", "KR")
    housing = material("Housing", "392690", "120.00", "VN", originating=True)
    unproven = dataclasses.replace(housing, originating=False)
    assert run(notebook(board, unproven))["rvc"] == "58.00"
    costs = CostElements(*(Money(Decimal(a), "USD") for a in ("80.00", "40.00", "20.00", "60.00")))
    d = run(notebook(board, housing, build_up=costs))
    assert (d["rvc"], d["rvc_build_up"], d["box8"]) == ("70.00", "32.00", "RVC 70%")
    keyboard = material("Keyboard unit", "847160", "150.00", "TW")
    d = run(notebook(board, housing, keyboard), book(general="CTH or RVC 40"))
    assert (d["rvc"], d["criterion"]) == ("55.00", "RVC")
    assert any(
        "CTH: not met: the materials that fail are worth 150.00 USD" in s for s in d["explanation"]
    )
    cheaper = dataclasses.replace(keyboard, value=Money(Decimal("100.00"), "USD"))
    assert run(notebook(board, housing, cheaper), book(general="CTH"))["criterion"] == "CTH"
