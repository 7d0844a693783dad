"""Properties of assessment and of unit conversion, checked on generated cases."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from silkgate.tariff import units
from silkgate.tariff.money import round_money
from tests.unit.test_assessment import ACFTA, US, doc, run

LINES = ["08109040", "08134090", "10063000", "64039900", "37023200"]
QUANTITY = {"supplementary_quantity": {"value": "40", "unit": "NAR"}}  # what per-unit lines need
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000000"), places=2)
item = st.tuples(st.sampled_from(LINES), money, st.sampled_from([US, ACFTA]))
terms = st.sampled_from(["EXW", "FOB", "CFR", "CIF", "DAP"])


def with_quantity(items):
    out = []
    for hs, value, extra in items:
        extra = {**extra, **(QUANTITY if hs in ("64039900",) else {})}
        if hs == "37023200":
            extra = {**extra, "supplementary_quantity": {"value": "40", "unit": "MTK"}}
        out.append((hs, value, extra))
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(item, min_size=1, max_size=6), terms, money)
def test_totals_are_the_sums_of_the_rounded_items(items, term, freight):
    a = run(doc(*with_quantity(items), incoterm=term, freight=str(freight)))
    for name in ("customs_value", "duty", "excise", "vat"):
        attr = (
            (lambda i: i.customs_value)
            if name == "customs_value"
            else (lambda i, n=name: getattr(i, n).amount)
        )
        assert a.totals[name] == sum(attr(i) for i in a.items)
    assert a.totals["total"] == a.totals["duty"] + a.totals["excise"] + a.totals["vat"]
    for i in a.items:
        for amount in (i.customs_value, i.duty.amount, i.excise.amount, i.vat.amount):
            assert amount == round_money(amount, 2) and amount >= 0


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(LINES), money, money, st.sampled_from([US, ACFTA]), terms)
def test_more_value_never_costs_less(hs, low, high, origin, term):
    low, high = sorted((low, high))
    [(hs, _, extra)] = with_quantity([(hs, low, origin)])
    cheap = run(doc((hs, low, extra), incoterm=term, freight="10.00")).items[0]
    dear = run(doc((hs, high, extra), incoterm=term, freight="10.00")).items[0]
    assert dear.customs_value >= cheap.customs_value
    assert dear.duty.amount >= cheap.duty.amount
    assert dear.vat.amount >= cheap.vat.amount
    assert dear.total >= cheap.total


DECIMAL = {
    "KGM",
    "GRM",
    "TNE",
    "MGM",
    "LTR",
    "MTQ",
    "MLT",
    "HLT",
    "NAR",
    "C62",
    "MTR",
    "CMT",
    "KMT",
}
DIMENSIONS = [
    ["KGM", "GRM", "TNE", "MGM", "CTM"],
    ["LTR", "MTQ", "MLT", "HLT"],
    ["NAR", "C62", "PR", "DZN"],
    ["MTR", "CMT", "KMT"],
]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(DIMENSIONS).flatmap(
        lambda d: st.tuples(st.sampled_from(d), st.sampled_from(d))
    ),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000000"), places=3),
)
def test_conversions_round_trip(pair, value):
    source, target = pair
    back = units.convert(units.convert(value, source, target), target, source)
    if source in DECIMAL and target in DECIMAL:
        assert back == value  # powers of ten: exact
    else:
        assert abs(back - value) <= value * Decimal("1e-25")  # dozens, pairs, carats


@given(
    st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=6),
    st.integers(min_value=0, max_value=3),
)
def test_rounding_is_to_the_nearest_with_halves_away_from_zero(value, minor):
    rounded = round_money(value, minor)
    step = Decimal(1).scaleb(-minor)
    assert abs(rounded - value) <= step / 2
    assert rounded == rounded.quantize(step)
    if abs(rounded - value) == step / 2:
        assert abs(rounded) > abs(value)
