"""The lifecycle over HTTP: amend, officer decisions, illegal transitions, the timeline."""

from __future__ import annotations

import pytest

from tests.integration.conftest import auth, settle


@pytest.fixture
def mrn(client, tokens, declaration):
    r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 201
    return r.json()["mrn"]


def test_officer_controls_holds_resumes_and_releases(client, tokens, mrn):
    officer = auth(tokens["officer.li"])
    assert (
        client.post(f"/v1/declarations/{mrn}/control", headers=officer).json()["status"]
        == "under_control"
    )
    r = client.post(
        f"/v1/declarations/{mrn}/hold", json={"reason": "check Form E"}, headers=officer
    )
    assert r.json()["status"] == "held"
    r = client.post(f"/v1/declarations/{mrn}/release", headers=officer)
    assert r.status_code == 409 and "lift the hold" in r.json()["detail"]
    client.post(f"/v1/declarations/{mrn}/resume", headers=officer)
    r = client.post(f"/v1/declarations/{mrn}/release", headers=officer)
    assert r.status_code == 409 and r.json()["type"] == "/problems/unpaid-duties"
    assert "43702.25 CNY" in r.json()["detail"] or "CNY are neither paid" in r.json()["detail"]
    settle(client, tokens["officer.li"], mrn)
    r = client.post(
        f"/v1/declarations/{mrn}/release", json={"reason": "documents in order"}, headers=officer
    )
    assert r.status_code == 200 and r.json()["status"] == "released"
    events = client.get(f"/v1/declarations/{mrn}/journal", headers=officer).json()["items"]
    assert [e["event"] for e in events] == [
        "lodged",
        "assessed",
        "channel",
        "control",
        "hold",
        "resume",
        "payment",
        "release",
    ]
    assert events[4]["reason"] == "check Form E" and events[4]["actor"] == "officer.li"
    assert all(e["at"].endswith("Z") for e in events)
    assert events[-1]["elapsed_seconds"] >= 0


def test_a_released_declaration_cannot_be_cancelled_or_amended(client, tokens, mrn, declaration):
    # Green channel: paying releases it.
    assert settle(client, tokens["officer.li"], mrn)["status"] == "released"
    r = client.post(
        f"/v1/declarations/{mrn}/cancel",
        json={"reason": "oops"},
        headers=auth(tokens["acme-trading"]),
    )
    assert r.status_code == 409
    assert r.json()["type"] == "/problems/illegal-transition"
    assert "released" in r.json()["detail"]
    r = client.put(
        f"/v1/declarations/{mrn}", json=declaration, headers=auth(tokens["acme-trading"])
    )
    assert r.status_code == 409


def test_hold_reject_and_cancel_need_a_reason(client, tokens, mrn):
    for action, who in (
        ("hold", "officer.li"),
        ("reject", "officer.li"),
        ("cancel", "acme-trading"),
    ):
        r = client.post(f"/v1/declarations/{mrn}/{action}", json={}, headers=auth(tokens[who]))
        assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/reason"


def test_reject_with_reason(client, tokens, mrn):
    r = client.post(
        f"/v1/declarations/{mrn}/reject",
        json={"reason": "goods misdescribed"},
        headers=auth(tokens["officer.li"]),
    )
    assert r.json()["status"] == "rejected"


def test_declarant_cancels_its_own(client, tokens, mrn):
    r = client.post(
        f"/v1/declarations/{mrn}/cancel",
        json={"reason": "shipment lost"},
        headers=auth(tokens["acme-trading"]),
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_amendment_keeps_the_old_version(client, tokens, mrn, declaration):
    me = auth(tokens["acme-trading"])
    declaration["items"][1]["description"] = "Dried mango slices, 1 kg bags"
    r = client.put(
        f"/v1/declarations/{mrn}?reason=wrong+bag+size",
        json=declaration,
        headers={**me, "If-Match": '"1"'},
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    v1 = client.get(f"/v1/declarations/{mrn}/versions/1", headers=me).json()
    v2 = client.get(f"/v1/declarations/{mrn}", headers=me).json()
    assert v1["document"]["items"][1]["description"] == "Dried mango slices, 500 g retail bags"
    assert v2["document"]["items"][1]["description"] == "Dried mango slices, 1 kg bags"
    versions = client.get(f"/v1/declarations/{mrn}/versions", headers=me).json()["items"]
    assert [v["version"] for v in versions] == [1, 2] and versions[1]["reason"] == "wrong bag size"
    timeline = client.get(f"/v1/declarations/{mrn}/journal", headers=me).json()["items"]
    assert [(e["event"], e["version"]) for e in timeline[-3:]] == [
        ("amended", 2),
        ("assessed", 2),
        ("channel", 2),
    ]


def test_amendment_against_a_stale_version_is_refused(client, tokens, mrn, declaration):
    me = auth(tokens["acme-trading"])
    assert client.put(f"/v1/declarations/{mrn}", json=declaration, headers=me).status_code == 200
    r = client.put(f"/v1/declarations/{mrn}", json=declaration, headers={**me, "If-Match": '"1"'})
    assert r.status_code == 412


def test_an_amendment_keeps_the_lrn(client, tokens, mrn, declaration):
    declaration["lrn"] = "SOMETHING-ELSE"
    r = client.put(
        f"/v1/declarations/{mrn}", json=declaration, headers=auth(tokens["acme-trading"])
    )
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/lrn"


def test_invalid_amendment_changes_nothing(client, tokens, mrn, declaration):
    me = auth(tokens["acme-trading"])
    declaration["items"][0]["hs_code"] = "000000"
    declaration["type"] = "EX"
    r = client.put(f"/v1/declarations/{mrn}", json=declaration, headers=me)
    assert r.status_code == 422
    assert client.get(f"/v1/declarations/{mrn}", headers=me).json()["version"] == 1


def test_unknown_declaration_is_404(client, tokens):
    r = client.get("/v1/declarations/26CN00000000000000", headers=auth(tokens["officer.li"]))
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


def test_list_filters_and_pages(client, tokens, declaration):
    me = auth(tokens["acme-trading"])
    mrns = []
    for i in range(3):
        declaration["lrn"] = declaration["lrn"][:20] + f"-P{i}"
        mrns.append(client.post("/v1/declarations", json=declaration, headers=me).json()["mrn"])
    officer = auth(tokens["officer.li"])
    page1 = client.get("/v1/declarations?limit=2&office=CNSGH&hs_code=0810", headers=officer).json()
    assert len(page1["items"]) == 2 and page1["next_cursor"]
    page2 = client.get(
        f"/v1/declarations?limit=2&office=CNSGH&hs_code=0810&cursor={page1['next_cursor']}",
        headers=officer,
    ).json()
    seen = [d["mrn"] for d in page1["items"] + page2["items"]]
    assert len(seen) == len(set(seen))
    assert seen[:2] == mrns[::-1][:2]  # newest first
    only = client.get(f"/v1/declarations?lrn={declaration['lrn']}", headers=officer).json()
    assert [d["mrn"] for d in only["items"]] == [mrns[-1]]
    r = client.get("/v1/declarations?status=bogus&limit=0", headers=officer)
    assert r.status_code == 422
    assert {e["pointer"] for e in r.json()["errors"]} == {"/status", "/limit"}


def test_openapi_is_served(client):
    spec = client.get("/openapi.json").json()
    assert "/v1/declarations" in spec["paths"]
    assert "/v1/declarations/{mrn}/release" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_a_decision_with_a_malformed_body_is_400(client, tokens, mrn):
    r = client.post(
        f"/v1/declarations/{mrn}/release",
        content=b"not json",
        headers={**auth(tokens["officer.li"]), "Content-Type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["type"] == "/problems/malformed-json"
