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
