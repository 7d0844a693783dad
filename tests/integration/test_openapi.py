"""The OpenAPI document types every edge: each answer and each body has a schema."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from pydantic import BaseModel

from silkgate.api.schemas import declarations as d
from silkgate.api.schemas import operations as o
from silkgate.api.schemas import reference as r
from tests.integration.conftest import auth

METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def spec(client: Any) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in refs(value)]
    return []


def test_every_successful_answer_has_a_schema(spec):
    missing = []
    for method, path, op in operations(spec):
        for status, response in op["responses"].items():
            if not status.startswith("2") or status == "204":
                continue  # 204 No Content has no body to describe
            content = response.get("content") or {}
            if not content or any(not media.get("schema") for media in content.values()):
                missing.append(f"{method} {path} {status}")
    assert not missing, f"answers without a schema: {missing}"


def test_every_request_body_has_a_schema(spec):
    missing = [
        f"{method} {path}"
        for method, path, op in operations(spec)
        if "requestBody" in op
        and (
            not op["requestBody"].get("content")
            or any(not media.get("schema") for media in op["requestBody"]["content"].values())
        )
    ]
    assert not missing, f"bodies without a schema: {missing}"


def test_every_write_with_a_body_documents_it(spec):
    bodiless = {
        "POST /v1/inspections/{task_id}/start",
        "POST /v1/inspections/{task_id}/complete",
        "POST /v1/exchange/outbox/retry",
        "POST /v1/exchange/outbox/{message_id}/retry",
        "POST /v1/transit/movements/{mrn}/diversion",
        "POST /v1/ecommerce/sweep",
        "POST /v1/statistics/trade/{month}/close",
        "POST /v1/transit/sweep",
    }
    undocumented = {
        f"{method} {path}"
        for method, path, op in operations(spec)
        if method in ("POST", "PUT", "PATCH") and "requestBody" not in op
    }
    assert undocumented == bodiless


def test_the_document_is_consistent(spec):
    ids = Counter(op["operationId"] for _, _, op in operations(spec))
    assert [i for i, n in ids.items() if n > 1] == []
    schemas = spec.get("components", {}).get("schemas", {})
    dangling = {
        ref for ref in refs(spec) if ref.removeprefix("#/components/schemas/") not in schemas
    }
    assert dangling == set()


def test_answers_match_their_models(client, tokens, declaration):
    """The models describe what the services answer: real answers validate against them."""
    trader, officer = auth(tokens["acme-trading"]), auth(tokens["officer.li"])
    lodged = client.post("/v1/declarations", json=declaration, headers=trader)
    assert lodged.status_code == 201, lodged.text
    mrn = lodged.json()["mrn"]
    answers: list[tuple[type[BaseModel], str, dict[str, str]]] = [
        (d.Declaration, f"/v1/declarations/{mrn}", trader),
        (d.DeclarationPage, "/v1/declarations?limit=2", trader),
        (d.Versions, f"/v1/declarations/{mrn}/versions", trader),
        (d.DocumentVersion, f"/v1/declarations/{mrn}/versions/1", trader),
        (d.Timeline, f"/v1/declarations/{mrn}/journal", trader),
        (d.Assessment, f"/v1/declarations/{mrn}/assessment", trader),
        (d.Account, f"/v1/declarations/{mrn}/payments", officer),
        (o.Budget, "/v1/risk/budget", officer),
        (o.TaskQueue, "/v1/inspections", officer),
        (r.TariffInfo, "/v1/tariff", {}),
        (r.ExchangeRates, "/v1/exchange-rates", {}),
        (r.TimeReleaseStudy, "/v1/trs", {}),
    ]
    d.DeclarationSummary.model_validate(lodged.json())
    for model, url, headers in answers:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text)
        model.model_validate(response.json())


def test_a_command_refuses_unknown_fields_and_names_each(client, tokens, declaration):
    officer = auth(tokens["officer.li"])
    mrn = client.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    r_ = client.post(
        f"/v1/declarations/{mrn.json()['mrn']}/outcome",
        json={"fraud": "perhaps", "colour": "red"},
        headers=officer,
    )
    assert r_.status_code == 422
    assert r_.headers["content-type"] == "application/problem+json"
    errors = {e["pointer"]: e["code"] for e in r_.json()["errors"]}
    assert errors == {"/fraud": "invalid", "/colour": "unknown_field"}
    r_ = client.post(
        "/v1/declarations/00XX0000000000000X/partner-results", json={}, headers=officer
    )
    assert r_.status_code == 422
    codes = {e["pointer"]: e["code"] for e in r_.json()["errors"]}
    assert codes["/reference"] == "missing" and codes["/inspected_on"] == "missing"


def test_every_error_is_a_documented_problem(spec):
    """Each error answer is the one Problem schema in application/problem+json, and the
    errors that follow from an operation's shape are there: 400/413/415/422 for a body,
    404 for a path parameter, 403/429 where a token is needed."""
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    wrong, missing = [], []
    for method, path, op in operations(spec):
        responses = op["responses"]
        for status, response in responses.items():
            if status[0] in "45" and response.get("content") != {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }:
                wrong.append(f"{method} {path} {status}")
        expected = set()
        if "requestBody" in op:
            expected |= {"400", "413", "415", "422"}
        if "{" in path:
            expected.add("404")
        if "401" in responses:
            expected |= {"403", "429"}
        if not expected <= responses.keys():
            missing.append(f"{method} {path} lacks {sorted(expected - responses.keys())}")
    assert not wrong, wrong
    assert not missing, missing


def test_a_decision_that_needs_a_reason_documents_it(spec, client, tokens, declaration):
    hold = spec["paths"]["/v1/declarations/{mrn}/hold"]["post"]
    assert hold["requestBody"]["required"] is True
    control = spec["paths"]["/v1/declarations/{mrn}/control"]["post"]
    assert not control.get("requestBody", {}).get("required", False)
    mrn = client.post(
        "/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"])
    ).json()["mrn"]
    for body in (None, {"reason": "   "}):
        answer = client.post(
            f"/v1/declarations/{mrn}/hold", json=body, headers=auth(tokens["officer.li"])
        )
        assert answer.status_code == 422, answer.text
        assert [e["pointer"] for e in answer.json()["errors"]] in (["/reason"], [""])


def test_method_not_allowed_lists_every_method_of_the_resource(client, tokens):
    answer = client.request(
        "OPTIONS", "/v1/declarations/00XX0000000000000X", headers=auth(tokens["officer.li"])
    )
    assert answer.status_code == 405
    assert {"GET", "PUT"} <= set(answer.headers["allow"].split(", "))
    answer = client.request("PATCH", "/v1/declarations", headers=auth(tokens["officer.li"]))
    assert answer.status_code == 405
    assert {"GET", "POST"} <= set(answer.headers["allow"].split(", "))


@pytest.mark.parametrize("value", ["0.5", "1700000000", "yesterday"])
def test_a_date_parameter_takes_only_an_iso_date(client, tokens, value):
    trader = auth(tokens["acme-trading"])
    answer = client.get(f"/v1/declarations?lodged_to={value}", headers=trader)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["pointer"] == "/lodged_to"
    answer = client.get(f"/v1/tariff/0901?date={value}")
    assert answer.status_code == 422, answer.text
    assert client.get("/v1/declarations?lodged_to=2026-01-01T00:00:00Z", headers=trader).is_success


def test_a_number_is_not_a_boolean_and_a_batch_has_no_other_keys(client, tokens):
    answer = client.put(
        "/v1/risk/budget", json={"aeo_factor": False}, headers=auth(tokens["analyst.zhao"])
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["pointer"] == "/aeo_factor"
    answer = client.post("/v1/exchange/inbox", json={"messages": ["x.y.z"], "more": 1})
    assert answer.status_code == 400, answer.text


def test_a_cursor_is_what_the_node_issues(spec, client, tokens):
    cursor = next(
        p for p in spec["paths"]["/v1/declarations"]["get"]["parameters"] if p["name"] == "cursor"
    )
    assert cursor["schema"]["anyOf"][0]["pattern"] == "^[0-9a-f]{1,8}$"
    for cursor in ("zz", "b2e63cfe68c8", "80000000"):
        answer = client.get(f"/v1/declarations?cursor={cursor}", headers=auth(tokens["officer.li"]))
        assert answer.status_code == 422, (cursor, answer.text)
