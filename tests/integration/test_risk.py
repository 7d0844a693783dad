"""Risk over HTTP: profiles, channels on lodging, the budget, outcomes and performance."""

from __future__ import annotations

import copy
import uuid

import pytest

from tests.integration.conftest import auth


@pytest.fixture
def analyst(tokens):
    return auth(tokens["analyst.zhao"])


@pytest.fixture
def exporter():
    """A unique exporter name, so a profile in one test meets only that test's declarations."""
    return f"Exporter {uuid.uuid4().hex[:8]} (test)"


def lodge(client, tokens, declaration):
    r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 201, r.text
    return r.json()


def test_a_profile_with_an_error_is_refused_with_its_position(client, analyst):
    r = client.post(
        "/v1/risk/profiles",
        json={"name": "bad", "condition": 'item.origin == "VN" &&', "effect": "red"},
        headers=analyst,
    )
    assert r.status_code == 422
    error = r.json()["errors"][0]
    assert error["pointer"] == "/condition" and "at position 22" in error["detail"]
    r = client.post(
        "/v1/risk/profiles",
        json={"name": "bad", "condition": 'item.net_mass_kg > "heavy"', "effect": "score"},
        headers=analyst,
    )
    pointers = {e["pointer"] for e in r.json()["errors"]}
    assert pointers == {"/condition", "/points"}
    names = [p["name"] for p in client.get("/v1/risk/profiles", headers=analyst).json()["items"]]
    assert "bad" not in names


def test_a_red_profile_for_one_heading_and_origin(client, tokens, analyst, declaration, exporter):
    condition = f'item.hs4 == "0810" && item.origin == "VN" && declaration.exporter == "{exporter}"'
    r = client.post(
        "/v1/risk/profiles",
        json={"name": f"red-{exporter}", "condition": condition, "effect": "red"},
        headers=analyst,
    )
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 1
    declaration["exporter"]["name"] = exporter
    body = lodge(client, tokens, declaration)
    assert body["channel"] == "red" and body["status"] == "under_control"
    officer = auth(tokens["officer.li"])
    d = client.get(f"/v1/declarations/{body['mrn']}", headers=officer).json()
    assert d["risk"]["channel"] == "red"
    assert any("red forced by" in reason for reason in d["risk"]["reasons"])
    # The trader sees the channel, not why.
    mine = client.get(f"/v1/declarations/{body['mrn']}", headers=auth(tokens["acme-trading"]))
    assert mine.json()["channel"] == "red" and mine.json()["risk"] is None
    events = client.get(f"/v1/declarations/{body['mrn']}/journal", headers=officer).json()["items"]
    assert events[2]["event"] == "channel" and events[2]["to_status"] == "under_control"
    # Other origins are not affected.
    other = dict(declaration, lrn=declaration["lrn"] + "B")
    other["items"] = [dict(i, origin="TH") for i in declaration["items"]]
    assert lodge(client, tokens, other)["channel"] == "green"
    # A new version, then retirement.
    r = client.post(
        "/v1/risk/profiles",
        json={"name": f"red-{exporter}", "condition": condition, "effect": "yellow"},
        headers=analyst,
    )
    assert r.json()["version"] == 2
    versions = client.get(f"/v1/risk/profiles/red-{exporter}", headers=analyst).json()["items"]
    assert [v["effect"] for v in versions] == ["red", "yellow"]
    assert client.delete(f"/v1/risk/profiles/red-{exporter}", headers=analyst).status_code == 204
    gone = client.get(f"/v1/risk/profiles/red-{exporter}", headers=analyst)
    assert gone.status_code == 410 and "retired=true" in gone.json()["detail"]
    kept = client.get("/v1/risk/profiles?retired=true", headers=analyst).json()["items"]
    assert [v["retired"] for v in kept if v["name"] == f"red-{exporter}"] == [True]
    third = dict(declaration, lrn=declaration["lrn"] + "C")
    assert lodge(client, tokens, third)["channel"] == "green"


def test_only_analysts_manage_profiles_and_traders_see_nothing(client, tokens):
    profile = {"name": "x", "condition": 'item.origin == "ZZ"', "effect": "red"}
    officer = auth(tokens["officer.li"])
    trader = auth(tokens["acme-trading"])
    assert client.post("/v1/risk/profiles", json=profile, headers=officer).status_code == 403
    assert client.get("/v1/risk/profiles", headers=trader).status_code == 403
    assert client.get("/v1/risk/profiles", headers=officer).status_code == 200
    assert client.get("/v1/risk/budget", headers=trader).status_code == 403


def test_the_budget_is_validated_and_changed(client, analyst):
    r = client.put("/v1/risk/budget", json={"red_share": 1.5, "window": 5}, headers=analyst)
    assert r.status_code == 422
    assert {e["pointer"] for e in r.json()["errors"]} == {"/red_share", "/window"}
    before = client.get("/v1/risk/budget", headers=analyst).json()
    r = client.put("/v1/risk/budget", json={"yellow_share": 0.12}, headers=analyst)
    assert r.status_code == 200 and r.json()["yellow_share"] == 0.12
    r = client.put(
        "/v1/risk/budget", json={"yellow_share": before["yellow_share"]}, headers=analyst
    )
    assert r.json()["yellow_share"] == before["yellow_share"]
    assert r.json()["exploration_share"] == 0  # as the test database is set up


def test_an_outcome_becomes_history_and_a_hit(client, tokens, analyst, declaration, exporter):
    condition = f'declaration.exporter == "{exporter}"'
    client.post(
        "/v1/risk/profiles",
        json={"name": f"y-{exporter}", "condition": condition, "effect": "yellow"},
        headers=analyst,
    )
    declaration["exporter"]["name"] = exporter
    mrn = lodge(client, tokens, declaration)["mrn"]
    officer = auth(tokens["officer.li"])
    r = client.post(
        f"/v1/declarations/{mrn}/outcome",
        json={"fraud": False, "critical": True},
        headers=officer,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/fraud"
    r = client.post(
        f"/v1/declarations/{mrn}/outcome",
        json={
            "fraud": True,
            "critical": False,
            "revenue_recovered": "1200.50",
            "note": "undervalued",
        },
        headers=officer,
    )
    assert r.status_code == 201, r.text
    assert r.json()["channel"] == "yellow" and r.json()["outcomes"][0]["fraud"] is True
    assert (
        client.post(
            f"/v1/declarations/{mrn}/outcome",
            json={"fraud": True},
            headers=auth(tokens["acme-trading"]),
        ).status_code
        == 403
    )
    perf = client.get("/v1/risk/performance", headers=analyst).json()
    assert perf["history"]["node"]["rows"] >= 2  # one row per item
    assert sum(m["selected_fraud"] for m in perf["hit_rates"]) >= 1
    assert "yellow" in perf["channels"]
    client.delete(f"/v1/risk/profiles/y-{exporter}", headers=analyst)


def test_an_amendment_is_selected_again_and_keeps_the_stricter_channel(
    client, tokens, analyst, declaration, exporter
):
    trader = auth(tokens["acme-trading"])
    mrn = lodge(client, tokens, declaration)["mrn"]
    condition = f'item.origin == "TH" && declaration.exporter == "{exporter}"'
    client.post(
        "/v1/risk/profiles",
        json={"name": f"th-{exporter}", "condition": condition, "effect": "red"},
        headers=analyst,
    )
    # The amendment brings a new risk: the declaration turns red and goes under control.
    amended = dict(declaration, exporter=dict(declaration["exporter"], name=exporter))
    amended["items"] = [
        dict(declaration["items"][1], seq=1, origin="TH"),
        dict(declaration["items"][0], seq=2),
    ]
    r = client.put(f"/v1/declarations/{mrn}", json=amended, headers=trader)
    assert r.status_code == 200, r.text
    assert r.json()["channel"] == "red" and r.json()["status"] == "under_control"
    # Amending the risk away does not make it green again.
    client.delete(f"/v1/risk/profiles/th-{exporter}", headers=analyst)
    r = client.put(f"/v1/declarations/{mrn}", json=declaration, headers=trader)
    assert r.json()["channel"] == "red"
    officer = auth(tokens["officer.li"])
    events = client.get(f"/v1/declarations/{mrn}/journal", headers=officer).json()["items"]
    assert "kept from before the amendment" in events[-1]["reason"]
    # The trader's timeline says red, not why.
    mine = client.get(f"/v1/declarations/{mrn}/journal", headers=trader).json()["items"]
    assert [e["reason"] for e in mine if e["event"] == "channel"] == ["green", "red", "red"]


def test_sps_requirements_send_goods_to_quarantine(client, tokens, node, declaration):
    """A requirement on paintings from New Zealand (no other test lodges those)."""
    requirements = (
        "hs_prefix,origin,control,document,description,valid_from,valid_to\n"
        "9701,NZ,phyto_certificate,N851,Paintings on wood: phytosanitary certificate,2024-01-01,\n"
        "9701,NZ,prohibited,,Paintings from NZ: prohibited (test),2030-01-01,\n"
    )
    node.sps.load(requirements.encode(), source="test.csv", actor="test")
    r = client.get("/v1/sps/requirements", params={"hs_code": "970121", "origin": "NZ"})
    assert [x["control"] for x in r.json()["requirements"]] == ["phyto_certificate"]
    painting = copy.deepcopy(declaration)
    painting["items"][1].update(hs_code="97012100", origin="NZ", description="Oil painting")
    body = lodge(client, tokens, painting)
    # Held for quarantine; the customs channel is unchanged (green: no documentary check).
    assert body["channel"] == "green" and body["status"] == "under_control"
    d = client.get(f"/v1/declarations/{body['mrn']}", headers=auth(tokens["officer.li"])).json()
    assert d["risk"]["sps"] is True
    assert any("document N851 not attached" in reason for reason in d["risk"]["reasons"])


def test_only_controls_count_and_a_corrected_outcome_replaces_the_first(
    client, tokens, analyst, declaration, exporter
):
    officer = auth(tokens["officer.li"])

    def totals():
        months = client.get("/v1/risk/performance", headers=analyst).json()["hit_rates"]
        return (
            sum(m["selected_controls"] for m in months),
            sum(m["selected_fraud"] for m in months),
        )

    before = totals()
    green = lodge(client, tokens, declaration)["mrn"]  # never controlled
    client.post(f"/v1/declarations/{green}/outcome", json={"fraud": True}, headers=officer)
    assert totals() == before
    condition = f'declaration.exporter == "{exporter}"'
    client.post(
        "/v1/risk/profiles",
        json={"name": f"c-{exporter}", "condition": condition, "effect": "yellow"},
        headers=analyst,
    )
    declaration = dict(declaration, lrn=declaration["lrn"] + "Y")
    declaration["exporter"] = dict(declaration["exporter"], name=exporter)
    controlled = lodge(client, tokens, declaration)["mrn"]
    client.post(f"/v1/declarations/{controlled}/outcome", json={"fraud": True}, headers=officer)
    assert totals() == (before[0] + 1, before[1] + 1)
    r = client.post(
        f"/v1/declarations/{controlled}/outcome/correction",
        json={"fraud": False, "reason": "the price was confirmed by the seller's bank"},
        headers=officer,
    )
    assert r.status_code == 201, r.text
    assert [o["correction"] for o in r.json()["outcomes"]] == [False, True]
    assert totals() == (before[0] + 1, before[1])
    mine = client.get(
        f"/v1/declarations/{controlled}/journal", headers=auth(tokens["acme-trading"])
    ).json()["items"]
    assert [(e["event"], e["reason"]) for e in mine if e["event"].startswith("outcome")] == [
        ("outcome", None),
        ("outcome_corrected", None),
    ]
    client.delete(f"/v1/risk/profiles/c-{exporter}", headers=analyst)


def test_a_control_has_one_outcome_and_a_correction_says_why(client, tokens, declaration):
    officer = auth(tokens["officer.li"])
    mrn = lodge(client, tokens, dict(declaration, lrn=declaration["lrn"] + "O"))["mrn"]
    url = f"/v1/declarations/{mrn}/outcome"
    r = client.post(f"{url}/correction", json={"fraud": False, "reason": "x"}, headers=officer)
    assert r.status_code == 409 and "no outcome to correct" in r.json()["detail"]
    first = {"fraud": True, "revenue_recovered": "300.00", "note": "undervalued"}
    assert client.post(url, json=first, headers=officer).status_code == 201

    # A second, contradictory outcome is refused and changes nothing.
    r = client.post(url, json={"fraud": False}, headers=auth(tokens["officer.wang"]))
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    assert "already has its outcome (fraud found, 300.00 recovered" in r.json()["detail"]
    # A plain outcome cannot carry a reason; a correction must.
    r = client.post(url, json={"fraud": False, "reason": "x"}, headers=officer)
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/reason"
    for reason in (None, "  "):
        body = {"fraud": False} if reason is None else {"fraud": False, "reason": reason}
        r = client.post(f"{url}/correction", json=body, headers=officer)
        assert r.status_code == 422
        assert [(e["pointer"], e["code"]) for e in r.json()["errors"]] == [("/reason", "missing")]
    trader = auth(tokens["acme-trading"])
    r = client.post(f"{url}/correction", json={"fraud": False, "reason": "x"}, headers=trader)
    assert r.status_code == 403
    journal = client.get(f"/v1/declarations/{mrn}/journal", headers=officer).json()["items"]
    assert [e["event"] for e in journal].count("outcome") == 1
    assert "outcome_corrected" not in [e["event"] for e in journal]

    r = client.post(
        f"{url}/correction",
        json={"fraud": True, "revenue_recovered": "450.00", "reason": "second valuation"},
        headers=officer,
    )
    assert r.status_code == 201, r.text
    outcomes = r.json()["outcomes"]
    assert [(o["revenue_recovered"], o["correction"], o["reason"]) for o in outcomes] == [
        ("300.00", False, None),
        ("450.00", True, "second valuation"),
    ]
    journal = client.get(f"/v1/declarations/{mrn}/journal", headers=officer).json()["items"]
    assert journal[-1]["event"] == "outcome_corrected"
    assert journal[-1]["reason"] == (
        "second valuation; was: fraud found, 300.00 recovered: undervalued; "
        "now: fraud found, 450.00 recovered"
    )


def test_outcomes_of_controls_selectivity_did_not_choose_are_counted_apart(
    client, tokens, analyst, declaration
):
    officer = auth(tokens["officer.li"])
    before = client.get("/v1/risk/performance", headers=analyst).json()["outcomes"]
    green = lodge(client, tokens, dict(declaration, lrn=declaration["lrn"] + "G"))
    assert green["channel"] == "green"
    client.post(f"/v1/declarations/{green['mrn']}/outcome", json={"fraud": True}, headers=officer)
    after = client.get("/v1/risk/performance", headers=analyst).json()["outcomes"]
    assert after["controls"] == before["controls"] + 1
    assert after["in_hit_rates"] == before["in_hit_rates"]
    assert after["fraud"] == before["fraud"] + 1


def test_an_outcome_is_recorded_in_the_callers_transaction(client, tokens, node, declaration):
    """What a completed joint inspection does: the outcome commits or rolls back with it."""
    import datetime as dt
    from decimal import Decimal

    from silkgate.risk.commands import ControlOutcome
    from silkgate.risk.services.control import record_outcome_in
    from silkgate.store import declarations as declaration_store
    from silkgate.store import journal as journal_store
    from silkgate.store import outcomes as outcome_store
    from silkgate.store.db import reading, writing

    declaration = dict(declaration, lrn=declaration["lrn"] + "T")
    mrn = lodge(client, tokens, declaration)["mrn"]
    with reading(node.engine) as conn:
        stored = declaration_store.get(conn, mrn)
    assert stored is not None
    outcome = ControlOutcome(fraud=True, revenue_recovered=Decimal("12.50"), note="joint")
    at = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), writing(node.engine) as conn:
        record_outcome_in(conn, declaration_id=stored.id, outcome=outcome, at=at, actor="x")
        raise Abandoned
    with reading(node.engine) as conn:
        assert outcome_store.outcomes_of(conn, stored.id) == []
    with writing(node.engine) as conn:
        result, note = record_outcome_in(
            conn, declaration_id=stored.id, outcome=outcome, at=at, actor="inspector"
        )
        journal_store.append(conn, node.journal.keys, note)
    assert result["mrn"] == mrn
    assert result["outcomes"][0]["revenue_recovered"] == "12.50"
    assert result["outcomes"][0]["recorded_by"] == "inspector"
    journal = client.get(
        f"/v1/declarations/{mrn}/journal", headers=auth(tokens["officer.li"])
    ).json()["items"]
    assert [e["reason"] for e in journal if e["event"] == "outcome"] == [
        "fraud found, 12.50 recovered: joint"
    ]
