"""Rules of origin and the origin calculator, over HTTP and the database (SQLite, PostgreSQL)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from silkgate import demo
from silkgate.api.schemas import origin as out
from silkgate.origin.files import FileErrors
from silkgate.store.db import reading
from silkgate.store.tables import origin_agreements, origin_rule_versions, origin_rules
from tests.conftest import ROOT
from tests.integration.test_fuzz import json_values, paths

NOTEBOOK = ROOT / "examples" / "origin-notebook.json"
# The console refuses a form that does not come from its own origin.
HERE = {"Origin": "http://testserver"}


@pytest.fixture
def notebook() -> dict[str, Any]:
    return json.loads(NOTEBOOK.read_text())


def counts(node) -> tuple[int, ...]:
    with reading(node.engine) as conn:
        return tuple(
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (origin_rule_versions, origin_agreements, origin_rules)
        )


def test_the_calculator_is_public_and_answers_as_documented(client, notebook, node):
    before = counts(node)
    r = client.post("/v1/origin/determinations", json=notebook)
    assert r.status_code == 200, r.text
    d = r.json()
    out.Determination.model_validate(d)
    assert (d["originating"], d["criterion"], d["box8"]) == (True, "RVC", "RVC 70%")
    assert d["fob"] == {"amount": "1000.00", "currency": "USD"} and d["rvc"] == "70.00"
    assert d["rule"]["text"] == "WO or PE or RVC 40% or CTH"
    assert d["rule"]["illustrative"] is False and "Rule 4" in d["rule"]["source"]
    assert d["failing_materials"] == [] and d["eligible"] is True
    assert any("100 * (FOB 1000.00 - VNM 300.00)" in s for s in d["explanation"])
    assert counts(node) == before  # nothing is stored


def test_values_in_another_currency_use_the_customs_rate_of_the_date(client, notebook):
    notebook["materials"][0]["value"] = {"amount": "420000", "currency": "KRW"}
    d = client.post("/v1/origin/determinations", json=notebook).json()
    assert d["originating"] is True
    assert any("420000.00 KRW = " in s for s in d["explanation"])
    notebook["date"] = "2031-01-01"
    r = client.post("/v1/origin/determinations", json=notebook)
    assert r.status_code == 422
    assert {e["pointer"] for e in r.json()["errors"]} == {
        "/product/fob/currency",  # USD has no rate that day either, and KRW goes through it
        "/materials/0/value/currency",
    }


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda b: b["product"]["fob"].update(amount="0"), {"/product/fob/amount"}),
        (
            lambda b: b["materials"][0]["value"].update(amount="-300.00"),
            {"/materials/0/value/amount"},
        ),
        (lambda b: b["product"].update(hs="999999"), {"/product/hs"}),
        (lambda b: b["product"].update(hs="84713000"), {"/product/hs"}),
        (lambda b: b["materials"][1].update(hs="39269090"), {"/materials/1/hs"}),
        (lambda b: b["materials"][1].update(hs="3999"), {"/materials/1/hs"}),
        (
            lambda b: b["materials"][0]["value"].update(currency="XYZ"),
            {"/materials/0/value/currency"},
        ),
        (lambda b: b["materials"][0].update(origin="ZZ"), {"/materials/0/origin"}),
        (lambda b: b.update(exporting_country="ZZ"), {"/exporting_country"}),
        (lambda b: b.update(exporting_country="KR"), {"/exporting_country"}),
        (lambda b: b.update(agreement="MERCOSUR"), {"/agreement"}),
        (lambda b: b.update(date="2001-01-01"), {"/date"}),
        (lambda b: b.update(colour="red"), {"/colour"}),
        (
            lambda b: (
                b["product"].update(hs="999999"),
                b["materials"][0]["value"].update(amount="0"),
            ),
            {"/product/hs", "/materials/0/value/amount"},
        ),
    ],
)
def test_bad_input_is_refused_naming_each_field(client, notebook, node, change, expected):
    before = counts(node)
    change(notebook)
    r = client.post("/v1/origin/determinations", json=notebook)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert {e["pointer"] for e in r.json()["errors"]} == expected, r.json()
    assert counts(node) == before


def test_a_national_line_is_refused_for_a_material(client, notebook):
    notebook["materials"][1]["hs"] = "3926909090"
    (error,) = client.post("/v1/origin/determinations", json=notebook).json()["errors"]
    assert "2, 4 or 6 digits" in error["detail"]


def test_the_rules_in_force_are_published(client):
    r = client.get("/v1/origin/rules")
    assert r.status_code == 200
    rules = out.OriginRules.model_validate(r.json())
    acfta = next(a for a in rules.agreements if a["code"] == "ACFTA")
    assert acfta["de_minimis"] == "10" and acfta["certificate_validity_months"] == 12
    assert "CN" in acfta["parties"] and "KR" not in acfta["parties"]
    r = client.get("/v1/origin/rules/ACFTA/151620?date=2026-11-20")
    assert r.status_code == 200
    rule = out.OriginRule.model_validate(r.json())
    assert (rule.text, rule.illustrative, rule.applied) == (
        "CTH except 1511",
        True,
        "WO or PE or CTH except 1511",
    )
    assert client.get("/v1/origin/rules/ACFTA/151620?date=2001-01-01").status_code == 404
    assert client.get("/v1/origin/rules/ACFTA/1516").status_code == 422


def test_a_rules_file_with_errors_lists_them_all_and_changes_nothing(node):
    before, book = counts(node), node.origin.rule_book()
    text = demo.origin_rules_file().decode()
    bad = text.replace("de_minimis = 10\n", "de_minimis = -1\n", 1).replace(
        'rule = "CTH except 1511"', 'rule = "CTH except 15.1"'
    )
    with pytest.raises(FileErrors) as exc:
        node.origin.load(bad.encode(), source="bad.toml", actor="test")
    messages = [str(e) for e in exc.value.errors]
    assert len(messages) == 2, messages
    assert messages[0].startswith("line 18, de_minimis: -1 is not a percentage")
    assert "rule: 'CTH except 15.1'" in messages[1]
    assert counts(node) == before
    node.origin.refresh()
    assert node.origin.rule_book().version == book.version


def test_a_second_load_is_a_new_version_and_the_first_is_kept(node, client, notebook):
    first = node.origin.rule_book().version
    text = demo.origin_rules_file().decode()
    stricter = text.replace(
        'rule = "RVC 40 or CTH"\nvalid_from = 2019-08-20',
        'rule = "RVC 80"\nvalid_from = 2019-08-20',
    )
    try:
        version, parsed = node.origin.load(stricter.encode(), source="stricter.toml", actor="test")
        assert version > first and len(parsed.terms) == 3
        versions = node.origin.versions()
        assert [v["id"] for v in versions][:2] == [version, first]
        assert [v["active"] for v in versions][:2] == [True, False]
        d = client.post("/v1/origin/determinations", json=notebook).json()
        assert d["rule"]["version"] == version and d["rule"]["product_rule"] == "RVC 80%"
        assert d["originating"] is False  # 70 % < 80 %, and no tariff change to fall back on
    finally:
        assert node.origin.activate(first)
    d = client.post("/v1/origin/determinations", json=notebook).json()
    assert d["rule"]["version"] == first and d["originating"] is True


# The console takes a form only from its own pages.
HERE = {"Origin": "http://testserver"}


def test_the_console_page_determines_from_rows_and_from_pasted_json(client, notebook):
    page = client.get("/console/origin")
    assert page.status_code == 200 and "Origin calculator" in page.text
    form = {
        "agreement": "ACFTA",
        "exporting_country": "cn",
        "date": "2026-11-20",
        "hs": "847130",
        "description": "Notebook computer",
        "fob_amount": "1000.00",
        "fob_currency": "USD",
        "processes": "assembly",
        "direct_consignment": "on",
        "m0_description": "Mainboard",
        "m0_hs": "847330",
        "m0_origin": "KR",
        "m0_amount": "300.00",
        "m0_currency": "USD",
        "m1_description": "Housing",
        "m1_hs": "392690",
        "m1_origin": "VN",
        "m1_originating": "on",
        "m1_amount": "120.00",
        "m1_currency": "USD",
    }
    r = client.post("/console/origin", data=form, headers=HERE)
    assert r.status_code == 200 and 'id="origin-box8">RVC 70%' in r.text
    pasted = client.post("/console/origin", data={"bill": json.dumps(notebook)}, headers=HERE)
    assert pasted.status_code == 200 and 'id="origin-box8">RVC 70%' in pasted.text
    wrong = copy.deepcopy(form)
    wrong["m0_amount"] = "-1"
    r = client.post("/console/origin", data=wrong, headers=HERE)
    assert r.status_code == 422 and "/materials/0/value/amount" in r.text
    assert 'value="Mainboard"' in r.text  # what was typed is kept


NOTEBOOK_BODY = json.loads(NOTEBOOK.read_text())
NOTEBOOK_BODY["transit"] = {"via": ["SG"], "operations": ["unloading"]}
NOTEBOOK_BODY["build_up"] = {"direct_labour": {"amount": "50", "currency": "CNY"}}
NOTEBOOK_PATHS = paths(NOTEBOOK_BODY)


@st.composite
def mutated_notebook(draw: st.DrawFn) -> Any:
    body = copy.deepcopy(NOTEBOOK_BODY)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(NOTEBOOK_PATHS))
        parent = body
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue
    return body


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=mutated_notebook())
def test_mutated_requests_never_cause_a_server_error(client, body):
    r = client.post("/v1/origin/determinations", json=body)
    assert r.status_code in (200, 400, 422), r.text[:500]
    if r.status_code == 422:
        assert all(e["pointer"].startswith("/") for e in r.json()["errors"]), r.json()


@pytest.mark.parametrize("trick", ["\x00", "\u202e", "\u200b"])
def test_a_description_with_a_control_or_invisible_character_is_refused(client, notebook, trick):
    bill = copy.deepcopy(notebook)
    bill["materials"][0]["description"] = f"Main{trick}board"
    r = client.post("/v1/origin/determinations", json=bill)
    assert r.status_code == 422, r.text
    assert [e["pointer"] for e in r.json()["errors"]] == ["/materials/0/description"]
