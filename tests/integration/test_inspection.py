"""One joint customs and quarantine inspection: planned at lodging, worked by both services."""

from __future__ import annotations

import copy
import uuid

from tests.integration.conftest import auth, settle

REQUIREMENTS = (
    "hs_prefix,origin,control,document,description,valid_from,valid_to\n"
    "9701,NZ,phyto_certificate,N851,Paintings on wood: phytosanitary certificate,2024-01-01,\n"
)


def test_a_red_declaration_with_an_sps_requirement_gets_one_joint_task(
    client, tokens, node, declaration
):
    node.sps.load(REQUIREMENTS.encode(), source="test.csv", actor="test")
    exporter = f"Exporter {uuid.uuid4().hex[:8]} (test)"
    analyst, officer = auth(tokens["analyst.zhao"]), auth(tokens["officer.li"])
    inspector = auth(tokens["inspector.chen"])
    client.post(
        "/v1/risk/profiles",
        json={
            "name": f"i-{exporter}",
            "condition": f'declaration.exporter == "{exporter}"',
            "effect": "red",
        },
        headers=analyst,
    )
    doc = copy.deepcopy(declaration)
    doc["exporter"]["name"] = exporter
    doc["items"][1].update(hs_code="97012100", origin="NZ", description="Oil painting on wood")
    r = client.post("/v1/declarations", json=doc, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 201, r.text
    mrn = r.json()["mrn"]
    assert r.json()["channel"] == "red"

    d = client.get(f"/v1/declarations/{mrn}", headers=officer).json()
    task = d["inspection"]
    checks = task["checks"]
    assert [(c["service"], c["check"]) for c in checks] == [
        ("customs", "documents"),
        ("customs", "quantity"),
        ("customs", "description"),
        ("customs", "classification"),
        ("customs", "value"),
        ("customs", "origin"),
        ("sps", "certificate"),
    ]
    assert checks[-1]["item"] == 2 and "N851" in checks[-1]["description"]
    queue = client.get("/v1/inspections", params={"office": "CNSGH"}, headers=inspector).json()
    assert task["id"] in [t["id"] for t in queue["items"]]
    assert client.get("/v1/inspections", headers=auth(tokens["acme-trading"])).status_code == 403

    base = f"/v1/inspections/{task['id']}"
    r = client.post(
        f"{base}/assign",
        json={"officer": "officer.li", "sps_inspector": "inspector.chen"},
        headers=officer,
    )
    assert r.json()["officer"] == "officer.li"
    # Each service records its own checks.
    r = client.post(f"{base}/checks/7", json={"status": "compliant"}, headers=officer)
    assert r.status_code == 403 and "SPS inspectors" in r.json()["detail"]
    r = client.post(f"{base}/checks/7", json={"status": "non_compliant"}, headers=inspector)
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/finding"
    r = client.post(
        f"{base}/checks/7",
        json={
            "status": "non_compliant",
            "finding": {"kind": "certificate", "note": "certificate missing"},
        },
        headers=inspector,
    )
    assert r.status_code == 200 and r.json()["started_at"]
    r = client.post(f"{base}/complete", headers=officer)
    assert r.status_code == 409 and "1 (customs documents)" in r.json()["detail"]
    # Release waits for the inspection.
    settle(client, tokens["officer.li"], mrn)
    r = client.post(f"/v1/declarations/{mrn}/release", headers=officer)
    assert r.status_code == 409 and "joint inspection" in r.json()["detail"]
    for seq in range(1, 7):
        r = client.post(f"{base}/checks/{seq}", json={"status": "compliant"}, headers=officer)
        assert r.status_code == 200
    r = client.post(f"{base}/complete", headers=officer)
    assert r.json()["status"] == "completed" and r.json()["result"] == "findings"
    r = client.post(f"{base}/checks/1", json={"status": "compliant"}, headers=officer)
    assert r.status_code == 409
    r = client.post(f"/v1/declarations/{mrn}/release", headers=officer)
    assert r.status_code == 200
    events = [
        e["event"]
        for e in client.get(f"/v1/declarations/{mrn}/journal", headers=officer).json()["items"]
    ]
    assert events[:4] == ["lodged", "assessed", "channel", "inspection_planned"]
    assert events.count("inspection_check") == 7 and "inspected" in events
    client.delete(f"/v1/risk/profiles/i-{exporter}", headers=analyst)


def test_a_green_declaration_needs_no_inspection(client, tokens, declaration):
    r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    d = client.get(f"/v1/declarations/{r.json()['mrn']}", headers=auth(tokens["officer.li"]))
    assert d.json()["inspection"] is None


def test_findings_correct_the_declaration_and_become_the_controls_outcome(
    client, tokens, node, declaration
):
    node.sps.load(REQUIREMENTS.encode(), source="test.csv", actor="test")
    exporter = f"Exporter {uuid.uuid4().hex[:8]} (test)"
    analyst, officer = auth(tokens["analyst.zhao"]), auth(tokens["officer.li"])
    inspector = auth(tokens["inspector.chen"])
    client.post(
        "/v1/risk/profiles",
        json={
            "name": f"f-{exporter}",
            "condition": f'declaration.exporter == "{exporter}"',
            "effect": "red",
        },
        headers=analyst,
    )
    doc = copy.deepcopy(declaration)
    doc["exporter"]["name"] = exporter
    doc["items"][1].update(hs_code="97012100", origin="NZ", description="Oil painting on wood")
    mrn = client.post("/v1/declarations", json=doc, headers=auth(tokens["acme-trading"])).json()[
        "mrn"
    ]
    task = client.get(f"/v1/declarations/{mrn}", headers=officer).json()["inspection"]
    base = f"/v1/inspections/{task['id']}"
    before = client.get(f"/v1/declarations/{mrn}/payments", headers=officer).json()["assessed"]

    # Undervalued: the officer corrects the value of item 2; the duties are assessed again.
    bad = client.post(
        f"{base}/checks/5",
        json={
            "status": "non_compliant",
            "finding": {"kind": "value", "item": 2, "note": "x", "corrected": {"value": "-1"}},
        },
        headers=officer,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"].startswith(
        "/finding/corrected"
    )
    r = client.post(
        f"{base}/checks/5",
        json={
            "status": "non_compliant",
            "finding": {
                "kind": "value",
                "item": 2,
                "note": "price list shows 12,000 USD",
                "corrected": {"value": "12000.00"},
            },
        },
        headers=officer,
    )
    assert r.status_code == 200, r.text
    finding = next(c for c in r.json()["checks"] if c["seq"] == 5)["finding"]
    d = client.get(f"/v1/declarations/{mrn}", headers=officer).json()
    assert d["version"] == 2 and d["document"]["items"][1]["value"] == "12000.00"
    assert d["document"]["invoice"]["amount"] == "52500.00"
    after = d["account"]["assessed"]
    assert float(after) > float(before) and float(finding["revenue"]) > 0
    # A pest is named by its scientific name.
    r = client.post(
        f"{base}/checks/7",
        json={"status": "non_compliant", "finding": {"kind": "pest", "note": "larvae"}},
        headers=inspector,
    )
    assert (
        r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/finding/pest/scientific_name"
    )
    r = client.post(
        f"{base}/checks/7",
        json={
            "status": "non_compliant",
            "finding": {
                "kind": "pest",
                "note": "larvae in the frame",
                "pest": {"scientific_name": "Anoplophora glabripennis"},
            },
        },
        headers=inspector,
    )
    assert r.status_code == 200
    for seq in (1, 2, 3, 4, 6):
        client.post(f"{base}/checks/{seq}", json={"status": "compliant"}, headers=officer)
    assert client.post(f"{base}/complete", headers=officer).json()["result"] == "findings"
    events = client.get(f"/v1/declarations/{mrn}/journal", headers=officer).json()["items"]
    outcome = [e for e in events if e["event"] == "outcome"]
    assert outcome and "fraud found, critical" in outcome[0]["reason"]
    assert any(e["event"] == "corrected" for e in events)
    client.delete(f"/v1/risk/profiles/f-{exporter}", headers=analyst)


def test_the_planned_inspection_counts_its_checks_in_words(client, tokens, declaration):
    exporter = f"Exporter {uuid.uuid4().hex[:8]} (test)"
    analyst, officer = auth(tokens["analyst.zhao"]), auth(tokens["officer.li"])
    client.post(
        "/v1/risk/profiles",
        json={"name": f"p-{exporter}", "condition": f'declaration.exporter == "{exporter}"',
              "effect": "yellow"},
        headers=analyst,
    )  # fmt: skip
    doc = copy.deepcopy(declaration)
    doc["exporter"]["name"] = exporter
    mrn = client.post("/v1/declarations", json=doc, headers=auth(tokens["acme-trading"])).json()[
        "mrn"
    ]
    journal = client.get(f"/v1/declarations/{mrn}/journal", headers=officer).json()["items"]
    [planned] = [e["reason"] for e in journal if e["event"] == "inspection_planned"]
    assert planned == "joint inspection (customs), 1 check at CNSGH"
    client.delete(f"/v1/risk/profiles/p-{exporter}", headers=analyst)


def test_the_completed_inspection_is_the_controls_outcome_each_finding_said_once(
    client, tokens, declaration
):
    exporter = f"Exporter {uuid.uuid4().hex[:8]} (test)"
    analyst, officer = auth(tokens["analyst.zhao"]), auth(tokens["officer.li"])
    client.post(
        "/v1/risk/profiles",
        json={
            "name": f"o-{exporter}",
            "condition": f'declaration.exporter == "{exporter}"',
            "effect": "red",
        },
        headers=analyst,
    )
    doc = copy.deepcopy(declaration)
    doc["exporter"]["name"] = exporter
    mrn = client.post("/v1/declarations", json=doc, headers=auth(tokens["acme-trading"])).json()[
        "mrn"
    ]
    # An officer records an outcome while the inspection is still open...
    r = client.post(f"/v1/declarations/{mrn}/outcome", json={"fraud": False}, headers=officer)
    assert r.status_code == 201
    task = client.get(f"/v1/declarations/{mrn}", headers=officer).json()["inspection"]
    base = f"/v1/inspections/{task['id']}"
    below = {"status": "non_compliant", "finding": {"kind": "value", "note": "price too low"}}
    for seq in range(1, 7):  # the documents and the value find the same
        body = below if seq in (1, 5) else {"status": "compliant"}
        assert client.post(f"{base}/checks/{seq}", json=body, headers=officer).status_code == 200
    assert client.post(f"{base}/complete", headers=officer).status_code == 200
    # ...the completed inspection's findings replace it, as a correction that says why.
    journal = client.get(f"/v1/declarations/{mrn}/journal", headers=officer).json()["items"]
    [corrected] = [e for e in journal if e["event"] == "outcome_corrected"]
    assert corrected["reason"] == (
        "the completed joint inspection's findings; was: no fraud found; "
        "now: fraud found: joint inspection: price too low"
    )
    r = client.post(f"/v1/declarations/{mrn}/outcome", json={"fraud": False}, headers=officer)
    assert r.status_code == 409
    client.delete(f"/v1/risk/profiles/o-{exporter}", headers=analyst)


def test_an_ephyto_that_matches_clears_the_certificate_check_and_a_tampered_one_opens_checks(
    client, tokens, node, declaration
):
    from tests.ephyto_samples import certificate

    node.sps.load(REQUIREMENTS.encode(), source="test.csv", actor="test")
    trader = auth(tokens["acme-trading"])
    officer = auth(tokens["officer.li"])
    doc = copy.deepcopy(declaration)
    doc["items"][1].update(hs_code="97012100", origin="NZ", description="Oil painting on wood")
    mrn = client.post("/v1/declarations", json=doc, headers=trader).json()["mrn"]
    task = client.get(f"/v1/declarations/{mrn}", headers=officer).json()["inspection"]
    # Green, but held for quarantine: customs looks at what the opened container shows.
    assert [(c["service"], c["check"]) for c in task["checks"]] == [
        ("customs", "quantity"),
        ("customs", "description"),
        ("sps", "certificate"),
    ]

    r = client.post(
        f"/v1/declarations/{mrn}/ephyto",
        content=b"<c:SPSCertificate",
        headers={**trader, "Content-Type": "application/xml"},
    )
    assert r.status_code == 422 and "not well-formed" in r.json()["errors"][0]["detail"]
    good = certificate(consignor=doc["exporter"]["name"], consignee=doc["importer"]["name"])
    r = client.post(
        f"/v1/declarations/{mrn}/ephyto",
        content=good,
        headers={**trader, "Content-Type": "application/xml"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["matches"] is True
    task = client.get(f"/v1/inspections/{task['id']}", headers=officer).json()
    assert task["checks"][2]["status"] == "compliant"
    assert task["checks"][2]["recorded_by"] == "silkgate"

    tampered = certificate(
        consignor=doc["exporter"]["name"],
        consignee="Another Importer Ltd",
        status="40",
        number="NZ2026-0002",
    )
    r = client.post(
        f"/v1/declarations/{mrn}/ephyto",
        content=tampered,
        headers={**trader, "Content-Type": "application/xml"},
    )
    assert [m["field"] for m in r.json()["mismatches"]] == ["status", "consignee"]
    task = client.get(f"/v1/inspections/{task['id']}", headers=officer).json()
    opened = [c for c in task["checks"] if c["status"] == "open" and c["service"] == "sps"]
    assert len(opened) == 2 and "NZ2026-0002" in opened[0]["description"]
    listed = client.get(f"/v1/declarations/{mrn}/ephyto", headers=trader).json()["items"]
    assert [c["number"] for c in listed] == ["NZ2026-0001", "NZ2026-0002"]

    # Another declarant presenting the same certificate learns it was used, not where.
    broker = auth(tokens["lotus-broker"])
    other = dict(
        doc, lrn=doc["lrn"] + "B", declarant={**doc["declarant"], "id": "91450100MA5LDEMO02"}
    )
    lodged = client.post("/v1/declarations", json=other, headers=broker)
    assert lodged.status_code == 201, lodged.text
    r = client.post(
        f"/v1/declarations/{lodged.json()['mrn']}/ephyto",
        content=good,
        headers={**broker, "Content-Type": "application/xml"},
    )
    [reused] = [m for m in r.json()["mismatches"] if m["field"] == "number"]
    assert "another declaration" in reused["declaration"] and mrn not in r.text


def test_decisions_on_goods_found_wanting_and_the_release_note(client, tokens, declaration):
    officer = auth(tokens["officer.li"])
    trader = auth(tokens["acme-trading"])

    def lodged(suffix):
        doc = dict(declaration, lrn=declaration["lrn"] + suffix)
        r = client.post("/v1/declarations", json=doc, headers=trader)
        mrn = r.json()["mrn"]
        client.post(f"/v1/declarations/{mrn}/control", headers=officer)
        return mrn

    seized = lodged("S")
    r = client.post(f"/v1/declarations/{seized}/seize", headers=officer)
    assert r.status_code == 422  # a seizure says why
    r = client.post(
        f"/v1/declarations/{seized}/seize", json={"reason": "counterfeit marks"}, headers=officer
    )
    assert r.json()["status"] == "seized"
    events = client.get(f"/v1/declarations/{seized}/journal", headers=officer).json()["items"]
    assert "enforcement case" in events[-1]["reason"]
    assert client.post(f"/v1/declarations/{seized}/release", headers=officer).status_code == 409

    returned = lodged("R")
    r = client.post(
        f"/v1/declarations/{returned}/return", json={"reason": "no import licence"}, headers=officer
    )
    assert r.json()["status"] == "returned"

    conditional = lodged("C")
    r = client.post(
        f"/v1/declarations/{conditional}/conditional_release",
        json={"reason": "pending the lab result"},
        headers=officer,
    )
    assert r.status_code == 409  # duties first
    settle(client, tokens["officer.li"], conditional)
    r = client.post(
        f"/v1/declarations/{conditional}/conditional_release",
        json={"reason": "pending the lab result"},
        headers=officer,
    )
    assert r.json()["status"] == "conditionally_released"
    r = client.post(f"/v1/declarations/{conditional}/release", headers=officer)
    assert r.json()["status"] == "released"


def test_the_time_release_study_is_published(client, tokens, declaration):
    before = client.get("/v1/trs").json()["overall"]["released"]
    mrn = client.post(
        "/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"])
    ).json()["mrn"]
    settle(client, tokens["officer.li"], mrn)  # green: released once paid
    r = client.get("/v1/trs", params={"by": "office"})
    assert r.status_code == 200
    body = r.json()
    assert body["overall"]["released"] == before + 1
    assert "CNSGH" in body["groups"] and body["overall"]["within_24h"] is not None
    assert client.get("/v1/trs", params={"by": "colour"}).status_code == 422
    page = client.get("/console/trs", params={"by": "channel"})
    assert page.status_code == 200 and "Time Release Study" in page.text


TH_RESULT = {
    "administration": "TH",
    "reference": "TH-DOA-2026-0042",
    "inspected_on": "2026-11-18",
    "result": "compliant",
    "checks": ["pests", "certificate"],
}


def test_a_partners_result_satisfies_the_checks_an_arrangement_recognises(
    client, tokens, node, declaration
):
    durian = (
        "hs_prefix,origin,control,document,description,valid_from,valid_to\n"
        "081060,,phyto_certificate,N851,Durians: phytosanitary certificate,2024-01-01,\n"
        "081060,,quarantine_hold,,Durians: pest inspection,2024-01-01,\n"
    )
    node.sps.load(durian.encode(), source="test.csv", actor="test")
    officer = auth(tokens["officer.li"])
    doc = copy.deepcopy(declaration)
    doc["items"][0].update(hs_code="08106000", origin="TH", description="Fresh durians")
    doc["items"][0]["preference"]["agreement"] = "ACFTA"
    mrn = client.post("/v1/declarations", json=doc, headers=auth(tokens["acme-trading"])).json()[
        "mrn"
    ]
    task = client.get(f"/v1/declarations/{mrn}", headers=officer).json()["inspection"]
    assert {c["check"] for c in task["checks"]} == {
        "quantity",
        "description",
        "certificate",
        "pests",
    }
    bad = client.post(
        f"/v1/declarations/{mrn}/partner-results", json={"administration": "thai"}, headers=officer
    )
    assert bad.status_code == 422
    assert {e["pointer"] for e in bad.json()["errors"]} >= {
        "/administration",
        "/reference",
        "/result",
    }
    r = client.post(
        f"/v1/declarations/{mrn}/partner-results",
        json=TH_RESULT,
        headers=officer,
    )
    # A customs officer cannot settle the quarantine service's checks.
    assert r.status_code == 201 and r.json()["satisfied_checks"] == []
    r = client.post(
        f"/v1/declarations/{mrn}/partner-results",
        json=TH_RESULT,
        headers=auth(tokens["inspector.chen"]),
    )
    assert r.status_code == 201, r.text
    task = client.get(f"/v1/inspections/{task['id']}", headers=officer).json()
    by_check = {c["check"]: c for c in task["checks"]}
    # The arrangement recognises Thailand's pest inspection, not its word on the certificate.
    assert by_check["pests"]["status"] == "compliant"
    assert by_check["pests"]["recorded_by"] == "partner TH"
    assert "recognised under" in by_check["pests"]["finding"]["note"]
    assert by_check["certificate"]["status"] == "open"
    # A partner outside the arrangement satisfies nothing.
    r = client.post(
        f"/v1/declarations/{mrn}/partner-results",
        json={
            "administration": "US",
            "reference": "US-1",
            "inspected_on": "2026-11-18",
            "result": "compliant",
            "checks": ["certificate"],
        },
        headers=officer,
    )
    assert r.json()["satisfied_checks"] == []


def test_a_lab_finding_gives_the_test_the_result_and_the_limit():
    from silkgate.inspection.commands import CheckResult
    from silkgate.kernel.commands import parse
    from silkgate.kernel.errors import InvalidRequest

    def pointers(finding):
        try:
            parse(CheckResult, {"status": "non_compliant", "finding": finding})
        except InvalidRequest as exc:
            return [e.pointer for e in exc.errors]
        return []

    assert pointers({"kind": "lab", "note": "failed"}) == ["/finding/lab/test"]
    bad = {"kind": "lab", "note": "failed", "lab": {"test": "Listeria", "result": "high"}}
    assert pointers(bad) == ["/finding/lab/result", "/finding/lab/limit"]
    lab = {"test": "Listeria", "result": "210", "limit": "100"}
    assert pointers({"kind": "lab", "note": "failed", "lab": lab}) == []


def test_inspection_rules_found_in_review(client, tokens, node, declaration):
    """Results are final, inspected declarations are not amended, quarantine findings hold."""
    from tests.ephyto_samples import certificate

    node.sps.load(REQUIREMENTS.encode(), source="test.csv", actor="test")
    trader, officer = auth(tokens["acme-trading"]), auth(tokens["officer.li"])
    inspector = auth(tokens["inspector.chen"])
    doc = copy.deepcopy(declaration)
    doc["items"][1].update(hs_code="97012100", origin="NZ", description="Oil painting on wood")
    mrn = client.post("/v1/declarations", json=doc, headers=trader).json()["mrn"]
    task = client.get(f"/v1/declarations/{mrn}", headers=officer).json()["inspection"]
    base = f"/v1/inspections/{task['id']}"
    assert task["channel"] == "green"
    r = client.post(f"{base}/assign", json={"officer": "inspector.chen"}, headers=officer)
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/officer"
    xml = certificate(
        consignor=doc["exporter"]["name"], consignee=doc["importer"]["name"], number="NZ-REVIEW-1"
    )
    r = client.post(
        f"/v1/declarations/{mrn}/ephyto",
        content=xml,
        headers={**trader, "Content-Type": "application/json"},
    )
    assert r.status_code == 415
    pest = {
        "status": "non_compliant",
        "finding": {"kind": "pest", "note": "larvae", "pest": {"scientific_name": PEST}},
    }
    assert client.post(f"{base}/checks/3", json=pest, headers=inspector).status_code == 200
    # A result is final.
    r = client.post(f"{base}/checks/3", json={"status": "compliant"}, headers=inspector)
    assert r.status_code == 409
    # Once inspected, the trader cannot amend the findings away.
    r = client.put(f"/v1/declarations/{mrn}", json=doc, headers=trader)
    assert r.status_code == 409 and "inspected" in r.json()["detail"]
    for seq in (1, 2):
        client.post(f"{base}/checks/{seq}", json={"status": "compliant"}, headers=officer)
    client.post(f"{base}/complete", headers=officer)
    settle(client, tokens["officer.li"], mrn)
    r = client.post(f"/v1/declarations/{mrn}/release", headers=officer)
    assert r.status_code == 409 and "pests" in r.json()["detail"]
    r = client.post(f"/v1/declarations/{mrn}/destroy", json={"reason": "pest"}, headers=officer)
    assert r.json()["status"] == "destroyed"
    account = client.get(f"/v1/declarations/{mrn}/payments", headers=officer).json()
    assert float(account["due"]) < 0  # paid, nothing due: a refund
    # The same certificate number cannot serve another declaration.
    other = client.post("/v1/declarations", json=dict(doc, lrn=doc["lrn"] + "2"), headers=trader)
    first = client.post(
        f"/v1/declarations/{mrn}/ephyto",
        content=xml,
        headers={**trader, "Content-Type": "application/xml"},
    )
    assert first.status_code == 201
    r = client.post(
        f"/v1/declarations/{other.json()['mrn']}/ephyto",
        content=xml,
        headers={**trader, "Content-Type": "application/xml"},
    )
    assert "number" in [m["field"] for m in r.json()["mismatches"]]


PEST = "Anoplophora glabripennis"


def test_starting_the_inspection_ends_amendment_and_is_journaled(client, tokens, node, declaration):
    node.sps.load(REQUIREMENTS.encode(), source="test.csv", actor="test")
    officer, trader = auth(tokens["officer.li"]), auth(tokens["acme-trading"])
    doc = copy.deepcopy(declaration)
    doc["items"][1].update(hs_code="97012100", origin="NZ", description="Oil painting on wood")
    r = client.post("/v1/declarations", json=doc, headers=trader)
    assert r.status_code == 201, r.text
    mrn = r.json()["mrn"]
    task = client.get(f"/v1/declarations/{mrn}", headers=officer).json()["inspection"]
    base = f"/v1/inspections/{task['id']}"

    assert client.post(f"{base}/start", headers=trader).status_code == 404
    r = client.post(f"{base}/start", headers=officer)
    assert r.status_code == 200 and r.json()["started_at"]
    again = client.post(f"{base}/start", headers=officer)
    assert again.status_code == 409 and "already started" in again.json()["detail"]
    doc["items"][0]["value"] = "40000.00"
    doc["invoice"]["amount"] = "47750.00"
    amended = client.put(f"/v1/declarations/{mrn}", json=doc, headers=trader)
    assert amended.status_code == 409 and "inspected" in amended.json()["detail"]
    journal = client.get(f"/v1/declarations/{mrn}/journal", headers=officer).json()["items"]
    started = [e for e in journal if e["event"] == "inspection_started"]
    assert len(started) == 1 and started[0]["actor"] == "officer.li"
    assert started[0]["reason"] == "joint inspection started at CNSGH"


def test_the_trader_reads_why_the_quarantine_service_holds_the_goods(
    client, tokens, node, declaration
):
    node.sps.load(REQUIREMENTS.encode(), source="test.csv", actor="test")
    officer, trader = auth(tokens["officer.li"]), auth(tokens["acme-trading"])
    doc = copy.deepcopy(declaration)
    doc["items"][1].update(hs_code="97012100", origin="NZ", description="Oil painting on wood")
    mrn = client.post("/v1/declarations", json=doc, headers=trader).json()["mrn"]

    def channel(headers: dict[str, str]) -> str:
        journal = client.get(f"/v1/declarations/{mrn}/journal", headers=headers).json()["items"]
        return next(e["reason"] for e in journal if e["event"] == "channel")

    held = (
        "held for quarantine inspection "
        "(SPS requirements item 2 phyto certificate N851 (HS 9701 from NZ))"
    )
    assert channel(trader) == f"green; {held}"
    # Officers read the same, then the reasons behind the channel.
    assert channel(officer).startswith(f"green; {held}: SPS requirement, item 2: phyto certificate")
