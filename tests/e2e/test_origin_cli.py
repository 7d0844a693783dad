"""The `origin rules` and `origin determine` commands, as administrators and exporters use them."""

from __future__ import annotations

import json

from silkgate import demo
from tests.conftest import ROOT
from tests.e2e.conftest import run_cli

NOTEBOOK = ROOT / "examples" / "origin-notebook.json"


def test_determine_against_a_node_and_on_this_machine(settings, prepared, live_node):
    remote = run_cli(settings, "origin", "determine", str(NOTEBOOK), "--json", node=live_node)
    assert remote.returncode == 0, remote.stderr
    result = json.loads(remote.stdout)
    assert (result["originating"], result["box8"]) == (True, "RVC 70%")
    assert result["fob"] == {"amount": "1000.00", "currency": "USD"}
    local = run_cli(settings, "origin", "determine", str(NOTEBOOK), "--json")
    assert local.returncode == 0, local.stderr
    assert json.loads(local.stdout)["explanation"] == result["explanation"]
    table = run_cli(settings, "origin", "determine", str(NOTEBOOK), node=live_node)
    assert table.returncode == 0, table.stderr
    assert "originating under ACFTA" in table.stdout and "RVC 70%" in table.stdout
    assert "100 * (FOB 1000.00 - VNM 300.00) / FOB 1000.00 = 70.00 %" in table.stdout


def test_a_refused_request_names_the_fields(settings, prepared, live_node, tmp_path):
    body = json.loads(NOTEBOOK.read_text())
    body["exporting_country"] = "KR"
    body["materials"][0]["value"]["amount"] = "-5"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(body))
    remote = run_cli(settings, "origin", "determine", str(bad), node=live_node)
    assert remote.returncode == 1
    assert "/materials/0/value/amount" in remote.stderr
    body["materials"][0]["value"]["amount"] = "5"
    bad.write_text(json.dumps(body))
    local = run_cli(settings, "origin", "determine", str(bad))
    assert (
        local.returncode == 1 and "/exporting_country: KR is not a party to ACFTA" in local.stderr
    )


def test_a_rules_file_with_errors_lists_them_all_and_loads_nothing(settings, prepared, tmp_path):
    before = run_cli(settings, "origin", "rules", "versions")
    assert before.returncode == 0, before.stderr
    text = demo.origin_rules_file().decode()
    bad = tmp_path / "rules.toml"
    bad.write_text(
        text.replace("certificate_validity_months = 12", "certificate_validity_months = 0", 1)
        .replace('hs = "1516"', 'hs = "15.1"')
        .replace('cumulation = "parties"\nalways = "WO"', 'cumulation = "all"\nalways = "WO"')
    )
    r = run_cli(settings, "origin", "rules", "load", str(bad))
    assert r.returncode == 1
    assert "3 error(s); nothing was loaded" in r.stderr
    assert "line 17, certificate_validity_months" in r.stderr
    assert "hs: '15.1' is not an HS chapter, heading or subheading" in r.stderr
    assert "cumulation: 'all' is not parties or none" in r.stderr
    assert run_cli(settings, "origin", "rules", "versions").stdout == before.stdout


def test_show_the_rule_in_force(settings, prepared):
    r = run_cli(settings, "origin", "rules", "show", "151620", "--date", "2026-11-20")
    assert r.returncode == 0, r.stderr
    assert "CTH except 1511" in r.stdout and "illustrative" in r.stdout
    r = run_cli(settings, "origin", "rules", "show", "847130", "--date", "2015-06-01")
    assert "general rule" in r.stdout and "RVC 40%" in r.stdout


def test_the_e_cos_received_and_the_claims_overdue(settings, prepared):
    received = run_cli(settings, "origin", "received", "--status", "issued")
    assert received.returncode == 0, received.stderr
    assert "number" in received.stdout and "consignee" in received.stdout
    closed = run_cli(settings, "origin", "claims", "close-overdue")
    assert closed.returncode == 0, closed.stderr
    assert "claim(s) closed: preference not given (eco_not_received)" in closed.stdout
