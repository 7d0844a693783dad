"""Hostile and random declarations: the node answers 201 or a 4xx problem, never a 500."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import load_example
from tests.integration.conftest import auth

EXAMPLE = load_example()

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, (*prefix, i))
    return out


PATHS = paths(EXAMPLE)


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    doc = copy.deepcopy(EXAMPLE)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        parent = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue
    return doc


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=mutated())
def test_mutated_declarations_never_cause_a_server_error(client, tokens, doc):
    r = client.post("/v1/declarations", json=doc, headers=auth(tokens["acme-trading"]))
    assert r.status_code in (201, 400, 422), r.text[:500]
    if r.status_code != 201:
        problem = r.json()
        assert problem["status"] == r.status_code
        assert all(
            e["pointer"].startswith("/") or e["pointer"] == "" for e in problem.get("errors", [])
        )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=json_values)
def test_arbitrary_json_never_causes_a_server_error(client, tokens, body):
    r = client.post("/v1/declarations", json=body, headers=auth(tokens["acme-trading"]))
    assert r.status_code in (400, 422), r.text[:500]
