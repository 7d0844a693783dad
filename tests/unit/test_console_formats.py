"""How the console writes money and counts, and what the risk page says of outcomes."""

from __future__ import annotations

from typing import Any

from silkgate.web.formats import money, plural
from silkgate.web.pages import templates


def test_money_is_grouped_with_its_currency_to_its_minor_unit():
    assert money("1234567.5", "CNY") == "1,234,567.50 CNY"
    assert money("48250.00", "USD") == "48,250.00 USD"
    assert money("0.00", "CNY") == "0.00 CNY"
    assert money("-1200", "CNY") == "-1,200.00 CNY"
    # No minor unit (the dong), or three (the dinar); more digits than the unit are kept.
    assert money("2500000", "VND") == "2,500,000 VND"
    assert money("12.5", "KWD") == "12.500 KWD"
    assert money("0.123456", "USD") == "0.123456 USD"
    assert money("999.99") == "999.99"
    assert money(None, "CNY") == "" and money("n/a", "CNY") == "n/a"


def test_counts_take_the_form_of_their_noun():
    assert plural(1, "check") == "1 check"
    assert plural(0, "check") == "0 checks"
    assert plural("2", "item") == "2 items"
    assert plural(3, "entry") == "3 entries"
    assert plural(2, "was", "were") == "2 were"


def _risk_page(outcomes: dict[str, Any], hit_rates: list[dict[str, Any]]) -> str:
    perf = {
        "budget": {
            "red_share": 0.05,
            "yellow_share": 0.1,
            "exploration_share": 0.02,
            "window": 2000,
            "aeo_factor": 0.5,
        },
        "channels": {},
        "hit_rates": hit_rates,
        "history": {},
        "models": [],
        "outcomes": outcomes,
    }
    return templates.env.get_template("risk.html").render(
        principal=None, administration="CN", flash=None, perf=perf, thresholds=None,
        profiles=[], can_edit=False, fields=[], form={}, errors=[], currency="CNY",
    )  # fmt: skip


def test_the_risk_page_does_not_deny_outcomes_that_exist():
    page = _risk_page(
        {"controls": 2, "in_hit_rates": 0, "fraud": 1, "revenue_recovered": "1234.50"}, []
    )
    assert "No control outcome recorded yet" not in page
    assert "No outcome yet of a declaration selected red or yellow" in page
    assert "2 controls with an outcome in all (1 with fraud, 1,234.50 CNY recovered)" in page
    assert "2 of them were not selected by selectivity" in page
    # Commands are code, not text in backticks.
    assert "`" not in page and "<code>silkgate risk train</code>" in page


def test_the_risk_page_with_no_outcome_at_all_says_so():
    none = {"controls": 0, "in_hit_rates": 0, "fraud": 0, "revenue_recovered": "0.00"}
    page = _risk_page(none, [])
    assert "No control outcome recorded yet" in page and "outcome-counts" not in page
    month = {
        "month": "2026-11", "selected_controls": 1, "selected_fraud": 1, "selected_hit_rate": 1.0,
        "random_controls": 0, "random_fraud": 0, "random_hit_rate": None,
        "revenue_recovered": "25000.00",
    }  # fmt: skip
    page = _risk_page({**none, "controls": 1, "in_hit_rates": 1, "fraud": 1}, [month])
    assert "25,000.00 CNY" in page and "all of them in the hit rates" in page
