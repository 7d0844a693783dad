"""Properties of the origin calculator, checked on generated bills of materials."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from silkgate.origin.case import Money
from silkgate.origin.determination import determine
from tests.origin_helpers import book, material, notebook, rate

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)
# Headings other than the notebook's own (8471), and the notebook's own.
OTHER_HS = ["847330", "392690", "854442", "850440", "852852", "731815"]
SAME_HS = ["847160", "847170", "847180"]
ORIGINS = ["KR", "JP", "US", "VN", "TH", "CN", "MY", None]
a_material = st.builds(
    material,
    st.just("Part"),
    st.sampled_from(OTHER_HS + SAME_HS + [None]),
    money.map(str),
    st.sampled_from(ORIGINS),
    originating=st.booleans(),
    currency=st.sampled_from(["USD", "CNY"]),
)
CTH_ONLY = book(general="CTH")


def fob(amount: Decimal):
    return Money(amount, "USD")


@settings(max_examples=200, deadline=None)
@given(money, st.lists(money, max_size=20))
def test_build_down_is_at_most_100_and_falls_as_vnm_rises(value, vnms):
    case = notebook(
        materials=tuple(material("Part", "847330", str(v), "KR") for v in vnms), fob=fob(value)
    )
    d = determine(case, book(), rate)
    assert d.rvc <= 100
    assert d.rvc == (value - sum(vnms, Decimal(0))) * 100 / value
    more = dataclasses.replace(
        case, materials=(*case.materials, material("More", "847330", "0.01", "KR"))
    )
    assert determine(more, book(), rate).rvc < d.rvc


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value=Decimal("100.00"), max_value=Decimal("100000"), places=2),
    st.lists(st.tuples(st.sampled_from(OTHER_HS), money), max_size=10),
    st.integers(min_value=1, max_value=2000),
)
@example(value=Decimal("1000.00"), passing=[], permille=100)  # exactly 10 %: tolerated
@example(value=Decimal("1000.00"), passing=[], permille=101)
def test_de_minimis_tolerates_a_failing_material_up_to_its_share_and_no_more(
    value, passing, permille
):
    """Under "CTH", materials that change heading pass; one that does not is tolerated
    while it is worth at most 10 % of FOB, and refused above."""
    base = notebook(
        materials=tuple(material("Part", hs, str(v), "KR") for hs, v in passing), fob=fob(value)
    )
    assert determine(base, CTH_ONLY, rate).originating
    failing = (value * permille / 1000).quantize(Decimal("0.01"))
    assume(failing > 0)
    worse = dataclasses.replace(
        base, materials=(*base.materials, material("Same heading", "847160", str(failing), "KR"))
    )
    d = determine(worse, CTH_ONLY, rate)
    assert d.originating is (failing * 10 <= value)
    assert d.failing == {len(base.materials): ["CTH"]}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(a_material, min_size=1, max_size=12),
    st.data(),
    st.sampled_from([book(), book(general="RVC 60 and CTSH"), CTH_ONLY, book(general="RVC 45")]),
)
def test_marking_a_party_material_originating_never_loses_origin(materials, data, rules):
    case = notebook(*materials, fob=fob(Decimal("5000.00")))
    i = data.draw(st.integers(min_value=0, max_value=len(materials) - 1))
    party = data.draw(st.sampled_from(["VN", "TH", "CN", "MY"]))
    before = dataclasses.replace(case.materials[i], origin=party, originating=False)
    after = dataclasses.replace(before, originating=True)
    rest = list(case.materials)
    rest[i] = before
    without = determine(dataclasses.replace(case, materials=tuple(rest)), rules, rate)
    rest[i] = after
    with_proof = determine(dataclasses.replace(case, materials=tuple(rest)), rules, rate)
    assert with_proof.vnm <= without.vnm
    if without.originating:
        assert with_proof.originating
