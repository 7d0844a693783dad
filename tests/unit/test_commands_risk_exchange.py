"""The risk and exchange commands: shape rules, pointers and codes, checked once at the edge."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from silkgate.exchange.aeo import AeoAction
from silkgate.exchange.commands import (
    AeoApplication,
    AeoCommand,
    AeoDecision,
    AeoGrant,
    AssistanceReply,
    PartnerRegistration,
    aeo_command,
)
from silkgate.kernel.commands import parse
from silkgate.kernel.errors import InvalidRequest
from silkgate.risk.commands import BudgetCommand, ControlOutcome, RiskProfileCommand
from silkgate.risk.profiles import Effect


def codes(model: type, raw: object) -> dict[str, str]:
    with pytest.raises(InvalidRequest) as refused:
        parse(model, raw)
    return {e.pointer: e.code for e in refused.value.errors}


def test_an_outcome_without_fraud_cannot_be_critical_or_recover_revenue():
    assert codes(ControlOutcome, {"fraud": False, "critical": True}) == {"/fraud": "inconsistent"}
    assert codes(ControlOutcome, {"fraud": False, "revenue_recovered": "1"}) == {
        "/fraud": "inconsistent"
    }
    assert codes(ControlOutcome, {"fraud": "yes", "revenue_recovered": "1.234"}) == {
        "/fraud": "invalid",
        "/revenue_recovered": "invalid",
    }
    outcome = parse(ControlOutcome, {"fraud": True, "revenue_recovered": "12.5", "note": "x"})
    assert outcome.revenue_recovered == Decimal("12.5")
    assert outcome.described() == "fraud found, 12.5 recovered: x"


def test_a_profile_is_trimmed_and_its_dates_checked():
    profile = parse(
        RiskProfileCommand,
        {"name": " fruit ", "condition": 'item.hs2 == "08"', "effect": "score", "points": "15"},
    )
    assert (profile.name, profile.effect, profile.points) == ("fruit", Effect.SCORE, 15.0)
    assert profile.valid_from is None
    assert codes(
        RiskProfileCommand,
        {
            "name": "x",
            "condition": " ",
            "effect": "green",
            "valid_from": "2026-02-01",
            "valid_to": "2026-01-01",
        },
    ) == {"/condition": "missing", "/effect": "invalid", "/valid_to": "before_start"}


def test_a_budget_names_each_setting_out_of_range():
    assert codes(BudgetCommand, {"red_share": 1.5, "window": 5, "colour": 1}) == {
        "/red_share": "invalid",
        "/window": "invalid",
        "/colour": "unknown_field",
    }
    assert parse(BudgetCommand, {"yellow_share": "0.12"}).yellow_share == 0.12


def test_each_aeo_action_parses_with_what_it_requires():
    assert aeo_command(AeoAction.APPLY) is AeoApplication
    assert aeo_command(AeoAction.GRANT) is AeoGrant
    assert aeo_command(AeoAction.REVOKE) is AeoDecision
    assert aeo_command(AeoAction.VALIDATE) is AeoCommand
    assert codes(AeoApplication, {"name": "  "}) == {"/name": "missing"}
    assert codes(AeoDecision, {"reason": ""}) == {"/reason": "missing"}
    assert codes(AeoGrant, {"valid_from": ""}) == {"/valid_from": "missing"}
    grant = parse(AeoGrant, {"valid_from": "2026-01-01", "valid_to": ""})
    assert (grant.valid_from, grant.valid_to) == (dt.date(2026, 1, 1), None)
    assert codes(AeoGrant, {"valid_from": "2026-02-01", "valid_to": "2026-01-01"}) == {
        "/valid_to": "invalid"
    }


def test_replies_and_registrations():
    assert parse(AssistanceReply, {"body": " ok "}).body == "ok"
    assert codes(AssistanceReply, {"body": "", "close": "yes"}) == {
        "/body": "missing",
        "/close": "invalid",
    }
    assert codes(PartnerRegistration, {"card": {}, "agreements": ["aeo_mra", "x"]}) == {
        "/agreements": "invalid"
    }
