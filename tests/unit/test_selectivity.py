"""Selectivity: profiles, model score, AEO benefit, exploration and the calibrated budget."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from silkgate.risk.expressions import compile_condition
from silkgate.risk.facts import SCHEMA
from silkgate.risk.profiles import Effect, Hit, Profile, evaluate
from silkgate.risk.selectivity import WARM_UP, Budget, Calibrator, Channel, decide

TODAY = dt.date(2026, 11, 23)


def profile(name, condition, effect, points=0, valid_to=None):
    return Profile(
        1,
        name,
        1,
        compile_condition(condition, SCHEMA),
        Effect(effect),
        Decimal(points),
        dt.date(2026, 1, 1),
        valid_to,
    )


DURIAN_RED = profile("durian-vn", 'item.hs_code.startsWith("081060") && item.origin == "VN"', "red")
CHEAP = profile("cheap", "item.unit_value < 1", "score", 30)
ITEMS = [
    {
        "item.seq": Decimal(1),
        "item.hs_code": "08106000",
        "item.origin": "VN",
        "item.unit_value": Decimal("0.5"),
    },
    {
        "item.seq": Decimal(2),
        "item.hs_code": "08134090",
        "item.origin": "VN",
        "item.unit_value": Decimal("3"),
    },
]


def test_profiles_hit_once_each_with_the_first_item_that_meets_them():
    hits = evaluate([DURIAN_RED, CHEAP], ITEMS, TODAY)
    assert [(h.profile.name, h.item_seq) for h in hits] == [("durian-vn", 1), ("cheap", 1)]
    expired = profile("old", "item.unit_value < 1", "score", 5, valid_to=dt.date(2026, 6, 30))
    assert evaluate([expired], ITEMS, TODAY) == []


DEFAULT = Budget()


def run(hits=(), model=None, aeo=False, budget=DEFAULT, calibrator=None, draw=0.5):
    return decide(
        list(hits),
        model,
        [],
        aeo=aeo,
        budget=budget,
        calibrator=calibrator if calibrator is not None else Calibrator(budget),
        draw=draw,
    )


def test_a_red_profile_forces_red_whatever_the_score():
    d = run([Hit(DURIAN_RED, 1)], model=0.0)
    assert d.channel is Channel.RED and "red forced by durian-vn" in d.reasons


def test_exploration_selects_at_random():
    d = run(draw=0.005)
    assert d.channel is Channel.RED and d.exploration
    assert run(draw=0.5).channel is Channel.GREEN


def test_an_aeo_gets_a_lower_score_and_an_audit_instead_of_documents():
    warm = Calibrator(Budget())
    for i in range(WARM_UP * 5):
        warm.observe(i % 100, "")
    plain = run(model=0.88, calibrator=warm)
    assert plain.channel is Channel.YELLOW
    aeo = run(model=0.88, aeo=True, calibrator=warm)
    assert aeo.score == 44.0 and aeo.channel is Channel.GREEN
    generous = Budget(aeo_factor=0.9)
    aeo_high = run(model=0.98, aeo=True, budget=generous, calibrator=warm)
    assert aeo_high.channel is Channel.BLUE  # would have been yellow


def test_sps_profile_sends_goods_to_quarantine():
    sps = profile("fruit", 'item.hs2 == "08"', "sps")
    d = run([Hit(sps, 1)])
    # Quarantine inspects; customs' channel stays green (the node holds the goods).
    assert d.sps and d.channel is Channel.GREEN and d.forced == ""


def test_the_budget_holds_over_a_rolling_window():
    budget = Budget(red=0.05, yellow=0.10, exploration=0.01, window=2000)
    calibrator = Calibrator(budget)
    rng = random.Random(7)
    channels = []
    for _ in range(6000):
        # Scores drift upwards over time: fixed cut-offs would select ever more.
        score = min(rng.betavariate(2, 8) + len(channels) / 60000, 1.0)
        channels.append(
            run(model=score, budget=budget, calibrator=calibrator, draw=rng.random()).channel
        )
    last = channels[-2000:]
    red = last.count(Channel.RED) / len(last)
    yellow = last.count(Channel.YELLOW) / len(last)
    # The window lags a drift a little; fixed cut-offs would have run away (see below).
    assert 0.04 <= red <= 0.065
    assert 0.08 <= yellow <= 0.13
    fixed = (
        sum(1 for _ in range(2000) if min(rng.betavariate(2, 8) + 0.1, 1.0) * 100 >= 43) / 2000
    )  # a cut-off set on the first scores' 95th percentile
    assert fixed > 2 * red


def test_forced_reds_leave_less_of_the_budget_to_the_model():
    budget = Budget(red=0.05, yellow=0.0, exploration=0.0, window=1000)
    calibrator = Calibrator(budget)
    rng = random.Random(3)
    channels = []
    for i in range(3000):
        hits = [Hit(DURIAN_RED, 1)] if i % 50 == 0 else []  # profiles force 2 %
        channels.append(run(hits, model=rng.random(), budget=budget, calibrator=calibrator).channel)
    red = channels[-1000:].count(Channel.RED) / 1000
    assert 0.04 <= red <= 0.06


def test_without_any_risk_everything_is_green():
    calibrator = Calibrator(Budget())
    assert {run(calibrator=calibrator).channel for _ in range(300)} == {Channel.GREEN}
