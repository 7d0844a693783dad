"""The e-commerce core without a database: terms, the three-list check, tax, allocation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from silkgate.ecommerce import clearance, facts, terms
from silkgate.ecommerce.clearance import Ledgers, Outcome, Parcel
from silkgate.ecommerce.identity import ConsumerHasher, consumer_key
from silkgate.ecommerce.matching import check
from silkgate.ecommerce.samples import parcel
from silkgate.ecommerce.tax import ParcelTax, assess_parcel
from silkgate.tariff.schedule import Measure, MeasureKind, TariffLine

TERMS = terms.load()
HASH = ConsumerHasher(consumer_key("unit-secret"))


def stored(n: int = 0, **options) -> Parcel:
    r = parcel(n, **options)
    bodies = []
    for body in (r.order, r.payment, r.waybill, r.entry):
        body = {**body}
        for key in ("consumer", "payer"):
            if key in body:
                person = {**body[key]}
                person["id_hash"] = HASH(person.pop("id_number"))
                body[key] = person
        bodies.append(body)
    bodies[3]["agent"] = "AGENT1"
    return Parcel(n, r.order["platform"], r.order["order_no"], *bodies)


def test_the_shipped_terms_are_chinas():
    assert (TERMS.per_transaction, TERMS.per_year) == (Decimal(5000), Decimal(26000))
    assert (TERMS.duty_share, TERMS.vat_share, TERMS.excise_share) == (
        0,
        Decimal("0.7"),
        Decimal("0.7"),
    )
    assert TERMS.return_days == 30 and TERMS.waybill_requires_order


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('per_year = "26000"', 'per_year = "-1"', "per_year"),
        ('vat_percent = "70"', 'vat_percent = "170"', "vat_percent"),
        ("within_days = 30", "within_days = 0", "within_days"),
        ('currency = "CNY"', 'currency = "cny"', "currency"),
    ],
)
def test_a_wrong_terms_file_names_the_key(old, new, key):
    with pytest.raises(terms.InvalidTerms, match=key):
        terms.parse(terms.default_text().replace(old, new))


def test_records_that_agree_pass_and_each_disagreement_is_a_reason():
    p = stored()
    assert check(p.order, p.payment, p.waybill, p.entry) == []
    p.payment["amount"] = "1.00"
    p.entry["goods"][0]["quantity"] = 5
    p.payment["payer"] = {**p.payment["payer"], "id_hash": HASH("SOMEONEELSE")}
    codes = [r.code for r in check(p.order, p.payment, p.waybill, p.entry)]
    assert codes == [
        "payment_amount_mismatch",
        "declared_value_mismatch",
        "payer_mismatch",
        "goods_mismatch",
    ]


def _line(vat: str, excise: str | None = None) -> TariffLine:
    start = dt.date(2024, 1, 1)
    measures = [Measure(MeasureKind.DUTY, None, start, None, Decimal(10), None, None)]
    measures.append(Measure(MeasureKind.VAT, None, start, None, Decimal(vat), None, None))
    if excise:
        measures.append(Measure(MeasureKind.EXCISE, None, start, None, Decimal(excise), None, None))
    return TariffLine("33049900", "cosmetics", None, tuple(measures))


def test_the_tax_is_seventy_percent_of_excise_and_vat_with_no_duty():
    p = stored()  # 189.00 + 12.50 = 201.50 CNY
    tax = assess_parcel(
        p.entry, line_of=lambda code: _line("13", "15"), rate=Decimal(1),
        on=dt.date(2026, 11, 1), terms=TERMS, minor_unit=2,
    )  # fmt: skip
    excise = Decimal("201.50") * Decimal("0.15")  # 30.225
    vat = (Decimal("201.50") + excise) * Decimal("0.13")
    assert tax.duty == 0
    assert tax.excise == (excise * Decimal("0.7")).quantize(Decimal("0.01"))
    assert tax.vat == (vat * Decimal("0.7")).quantize(Decimal("0.01"))


def test_allocation_keeps_the_quota_and_the_guarantee_within_their_limits():
    tax = ParcelTax(Decimal(0), Decimal(0), Decimal(0), Decimal("100"))
    outcomes = [
        Outcome(stored(n, consumers=1), clearance.RELEASED, [], Decimal("10000"), tax)
        for n in range(4)
    ]
    ledgers = Ledgers(used={}, left={"AGENT1": Decimal("250")})
    clearance.allocate(outcomes, ledgers, TERMS)
    assert [o.status for o in outcomes] == ["released", "released", "refused", "refused"]
    assert outcomes[2].reason_code == "over_annual_limit"
    assert ledgers.left["AGENT1"] == Decimal("50")
    poor = Ledgers(used={}, left={"AGENT1": Decimal("50")})
    last = [Outcome(stored(9), clearance.RELEASED, [], Decimal("10"), outcomes[0].tax)]
    clearance.allocate(last, poor, TERMS)
    assert (last[0].status, last[0].reason_code) == ("held", "tax_not_secured")
    assert poor.left["AGENT1"] == Decimal("50") and poor.used == {}


class LineScorer:
    """A stand-in model: a line's score is its value over 10,000; counts its calls."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def score_items(self, facts, on):
        self.calls.append(len(facts))
        return [min(float(f["item.value"]) / 10_000, 1.0) for f in facts]


def _released(n: int, price: str) -> Outcome:
    p = stored(n)
    p.entry["goods"] = [{**g, "unit_price": "1.00"} for g in p.entry["goods"]]
    p.entry["goods"][-1]["unit_price"] = price
    tax = ParcelTax(Decimal(100), Decimal(0), Decimal(0), Decimal(9))
    return Outcome(p, clearance.RELEASED, value=Decimal(100), tax=tax)


def test_the_model_scores_a_whole_batch_in_one_call_within_the_parcels_budget():
    budget = facts.ModelBudget(Decimal("0.01"))
    model = LineScorer()
    # Warm: the budget has seen a thousand ordinary parcels.
    budget.select(np.full(facts.WARM_UP, 0.01))
    batch = [_released(n, "2.00") for n in range(200)]
    batch[7] = _released(7, "900.00")  # one parcel with a far riskier line
    batch[9].status = clearance.REFUSED  # not scored: it goes nowhere
    held = facts.select_by_model(batch, model, budget, dt.date(2026, 11, 29))
    assert model.calls == [sum(len(o.parcel.entry["goods"]) for o in batch if o is not batch[9])]
    assert held == 1
    assert [o.parcel.id for o in batch if o.selected] == [7]
    assert batch[7].status == clearance.HELD
    assert batch[7].reasons[0].code == "selected_for_inspection"


def test_a_cold_budget_holds_only_what_the_model_is_sure_of_and_a_zero_share_nothing():
    cold = facts.ModelBudget(Decimal("0.5"))
    assert cold.select(np.array([0.2, 0.95, 0.5])).tolist() == [False, True, False]
    none = facts.ModelBudget(Decimal(0))
    assert not none.select(np.array([0.99, 1.0])).any()
    assert terms.load().model_share == Decimal("0.01")
