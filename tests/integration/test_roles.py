"""The role-by-endpoint matrix (``silkgate.api.roles``), checked against the running node.

Generated from ``/openapi.json``: every operation must have a rule (a new
endpoint without one fails here), and every operation is called with every
role's token: refused (403 or 404) where the matrix says no, not refused where
it says yes. The console's pages get the same treatment. The reduced views
(a declarant's, an SPS inspector's) are checked one by one below.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from silkgate.api import roles
from silkgate.api.roles import API, CONSOLE
from silkgate.ecommerce import samples
from silkgate.kernel.actors import Role
from silkgate.web import console
from tests.conftest import load_example
from tests.ephyto_samples import certificate
from tests.integration.conftest import auth, settle
from tests.integration.test_inspection import REQUIREMENTS
from tests.lpco_helpers import licence as lpco_licence

USERS = {
    Role.DECLARANT: "acme-trading",
    Role.OFFICER: "officer.li",
    Role.ADMIN: "admin",
    Role.ANALYST: "analyst.zhao",
    Role.SPS_INSPECTOR: "inspector.chen",
    Role.ORIGIN_OFFICER: "origin.zhou",
    Role.AGENCY_OFFICER: "agency.chem",
    Role.PLATFORM: "platform.tmall-demo",
    Role.PAYMENT: "payment.alipay-demo",
    Role.LOGISTICS: "logistics.cainiao-demo",
    Role.ECOMMERCE_AGENT: "agent.ecom-demo",
}
OTHER_DECLARANT = "lotus-broker"
UNKNOWN_MRN = "00ZZ00000000000000"
UNKNOWN_TASK = 2**62
ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "roles.md"
_APPLICATION = json.loads((ROOT / "examples" / "origin-application.json").read_text())


def _doc(**item2: str) -> dict[str, Any]:
    doc = load_example()
    doc["lrn"] = "R-" + uuid.uuid4().hex[:12].upper()
    doc["items"][1].update(item2)
    return doc


def _lodge(client, token: str, doc: dict[str, Any]) -> str:
    r = client.post("/v1/declarations", json=doc, headers=auth(token))
    assert r.status_code == 201, r.text
    return str(r.json()["mrn"])


# An item an SPS requirement covers: the declaration gets a joint inspection, green.
_PAINTING = {"hs_code": "97012100", "origin": "NZ", "description": "Oil painting on wood"}


@dataclass
class World:
    """What the probes name: the declarant's declaration under joint inspection, and more."""

    client: Any
    tokens: dict[str, str]
    mrn: str
    task_id: int
    seq: dict[str, int]  # an open check of each service
    document: dict[str, Any]
    profile: str
    party: str
    yellow_share: float
    application_id: int  # waiting for a decision
    number: str  # a certificate issued to the declarant
    lpco: str  # an LPCO the chemicals agency issued to the declarant

    def token(self, role: Role) -> str:
        return self.tokens[USERS[role]]

    def fresh_mrn(self) -> str:
        """A new declaration of the declarant's, for a probe that ends one's life."""
        return _lodge(self.client, self.tokens[USERS[Role.DECLARANT]], _doc())


@pytest.fixture(scope="module")
def world(client, tokens, node) -> World:
    node.sps.load(REQUIREMENTS.encode(), source="test.csv", actor="test")
    officer, analyst = auth(tokens["officer.li"]), auth(tokens["analyst.zhao"])
    mrn = _lodge(client, tokens["acme-trading"], _doc(**_PAINTING))
    d = client.get(f"/v1/declarations/{mrn}", headers=officer).json()
    task = d["inspection"]
    seq = {c["service"]: c["seq"] for c in reversed(task["checks"])}
    profile = f"matrix-{uuid.uuid4().hex[:8]}"
    r = client.post(
        "/v1/risk/profiles",
        json={
            "name": profile,
            "condition": f'declaration.exporter == "{profile} (nobody)"',
            "effect": "score",
            "points": 1,
        },
        headers=analyst,
    )
    assert r.status_code == 201, r.text
    party = f"MX{uuid.uuid4().hex[:12].upper()}"
    r = client.post(f"/v1/aeo/{party}/apply", json={"name": "Matrix Operator"}, headers=officer)
    assert r.status_code == 200, r.text
    budget = client.get("/v1/risk/budget", headers=analyst).json()
    exporter, certifier = auth(tokens["acme-trading"]), auth(tokens["origin.zhou"])
    waiting, issued = (
        client.post("/v1/origin/applications", json=_APPLICATION, headers=exporter).json()["id"]
        for _ in range(2)
    )
    r = client.post(f"/v1/origin/applications/{issued}/approve", headers=certifier)
    assert r.status_code == 201, r.text
    licence = client.post("/v1/lpcos", json=lpco_licence(), headers=auth(tokens["agency.chem"]))
    assert licence.status_code == 201, licence.text
    return World(
        client, tokens, mrn, task["id"], seq, d["document"], profile, party,
        budget["yellow_share"], waiting, r.json()["number"], licence.json()["number"],
    )  # fmt: skip


# -- the probes: one valid request per operation -------------------------------------------------

Request = dict[str, Any]
Probe = Callable[[World, Role], Request]
_DECISIONS = frozenset(
    f"/v1/declarations/{{mrn}}/{a}"
    for a in (
        "request_information",
        "control",
        "hold",
        "resume",
        "release",
        "reject",
        "conditional_release",
        "return",
        "destroy",
        "seize",
        "cancel",
    )
)


def _checks_seq(w: World, role: Role) -> int:
    return w.seq["sps" if role is Role.SPS_INSPECTOR else "customs"]


def _assignment(w: World, role: Role) -> dict[str, str]:
    if role is Role.SPS_INSPECTOR:
        return {"sps_inspector": "inspector.chen"}
    return {"officer": "officer.li", "sps_inspector": "inspector.chen"}


def _yesterday() -> str:
    return (dt.date.today() - dt.timedelta(days=1)).isoformat()


_XML = {"Content-Type": "application/xml"}
# The origin calculator's example (docs/origin.md): a notebook computer made in China.
_NOTEBOOK = {
    "agreement": "ACFTA",
    "exporting_country": "CN",
    "date": "2026-11-20",
    "product": {
        "hs": "847130",
        "description": "Notebook computer",
        "fob": {"amount": "1000.00", "currency": "USD"},
    },
    "materials": [
        {
            "description": "Mainboard",
            "hs": "847330",
            "origin": "KR",
            "value": {"amount": "300.00", "currency": "USD"},
        }
    ],
    "processes": ["assembly"],
}
_NDJSON = {"Content-Type": "application/x-ndjson"}


def _list_of(kind: str) -> Probe:
    """One record of ``kind`` (its own order number at each call), as NDJSON."""

    def probe(w: World, r: Role) -> Request:
        n = uuid.uuid4().int % 10**8
        record = next(samples.stream(kind, n, 1, prefix="MX", tag="MATRIX"))
        return {"content": json.dumps(record), "headers": _NDJSON}

    return probe


BODIES: dict[tuple[str, str], Probe] = {
    **{
        ("POST", f"/v1/ecommerce/{k}"): _list_of(k)
        for k in ("orders", "payments", "waybills", "parcels")
    },
    ("POST", "/v1/ecommerce/returns"): lambda w, r: {
        "json": {"platform": samples.PLATFORM, "order_no": "MATRIX-NONE"}
    },
    ("POST", "/v1/ecommerce/guarantees"): lambda w, r: {
        "json": {"agent": "MATRIXAGENT", "amount": "1000.00", "reference": "MATRIX"}
    },
    ("POST", "/v1/declarations"): lambda w, r: {"json": _doc()},
    ("PUT", "/v1/declarations/{mrn}"): lambda w, r: {"json": w.document},
    **{("POST", path): lambda w, r: {"json": {"reason": "matrix probe"}} for path in _DECISIONS},
    ("POST", "/v1/declarations/{mrn}/request_information"): lambda w, r: {
        "json": {"question": "matrix probe"}
    },
    ("POST", "/v1/declarations/{mrn}/answers"): lambda w, r: {"json": {"answer": "matrix probe"}},
    ("POST", "/v1/declarations/{mrn}/payments"): lambda w, r: {
        "json": {"kind": "payment", "amount": "1.00", "currency": "CNY", "reference": "MATRIX"}
    },
    ("GET", "/v1/tariff/search"): lambda w, r: {"params": {"q": "mango"}},
    ("GET", "/v1/sps/requirements"): lambda w, r: {"params": {"hs_code": "9701"}},
    ("GET", "/v1/requirements"): lambda w, r: {"params": {"hs": "8507", "flow": "import"}},
    ("POST", "/v1/lpcos"): lambda w, r: {"json": lpco_licence()},
    ("POST", "/v1/lpcos/{number}/amend"): lambda w, r: {
        "json": {"reason": "matrix probe", "conditions": "matrix probe"}
    },
    **{
        ("POST", f"/v1/lpcos/{{number}}/{action}"): lambda w, r: {"json": {"reason": "matrix"}}
        for action in ("suspend", "reinstate", "revoke", "accept", "refuse")
    },
    ("POST", "/v1/assessments"): lambda w, r: {"json": _doc()},
    ("POST", "/v1/origin/determinations"): lambda w, r: {"json": _NOTEBOOK},
    ("POST", "/v1/origin/applications"): lambda w, r: {"json": _APPLICATION},
    ("POST", "/v1/origin/applications/{application_id}/refuse"): lambda w, r: {
        "json": {"reason": "matrix probe"}
    },
    ("POST", "/v1/origin/certificates/{number}/cancel"): lambda w, r: {
        "json": {"reason": "matrix probe"}
    },
    ("POST", "/v1/origin/certificates/{number}/replace"): lambda w, r: {"json": _APPLICATION},
    ("GET", "/v1/origin/rules/{agreement}/{hs}"): lambda w, r: {},
    ("GET", "/v1/risk/profiles/{name}"): lambda w, r: {},
    ("POST", "/v1/risk/profiles"): lambda w, r: {
        "json": {
            "name": w.profile,
            "condition": f'declaration.exporter == "{w.profile} (nobody)"',
            "effect": "score",
            "points": 1,
        }
    },
    ("PUT", "/v1/risk/budget"): lambda w, r: {"json": {"yellow_share": w.yellow_share}},
    ("POST", "/v1/declarations/{mrn}/outcome"): lambda w, r: {"json": {"fraud": False}},
    ("POST", "/v1/declarations/{mrn}/outcome/correction"): lambda w, r: {
        "json": {"fraud": False, "reason": "matrix probe"}
    },
    ("GET", "/v1/inspections"): lambda w, r: {"params": {"office": "CNSGH"}},
    ("POST", "/v1/inspections/{task_id}/assign"): lambda w, r: {"json": _assignment(w, r)},
    ("POST", "/v1/inspections/{task_id}/checks/{seq}"): lambda w, r: {
        "json": {"status": "compliant"}
    },
    ("POST", "/v1/declarations/{mrn}/ephyto"): lambda w, r: {
        "content": certificate(
            consignor=w.document["exporter"]["name"],
            consignee=w.document["importer"]["name"],
            number=f"NZ-MATRIX-{w.mrn}",
        ),
        "headers": _XML,
    },
    ("POST", "/v1/declarations/{mrn}/partner-results"): lambda w, r: {
        "json": {
            "administration": "NZ",
            "reference": "NZ-MATRIX-1",
            "inspected_on": _yesterday(),
            "result": "compliant",
            "checks": ["pests"],
        }
    },
    ("POST", "/v1/exchange/inbox"): lambda w, r: {"json": {"messages": []}},
    # An admin is refused the empty card (422); everyone else before it is read.
    ("POST", "/v1/exchange/partners"): lambda w, r: {"json": {}},
    ("POST", "/v1/exchange/outbox/retry"): lambda w, r: {"params": {"partner": "ZZ"}},
    ("POST", "/v1/aeo/{party_id}/{action}"): lambda w, r: {"json": {"name": "Matrix Operator"}},
    ("POST", "/v1/assistance"): lambda w, r: {
        "json": {"partner": "ZZ", "kind": "alert", "subject": "matrix", "body": "matrix"}
    },
    ("POST", "/v1/assistance/{reference}/messages"): lambda w, r: {"json": {"body": "matrix"}},
    # No e-CO is received by one node from itself: customs is answered 422 (unknown number).
    ("POST", "/v1/origin/verifications"): lambda w, r: {
        "json": {"number": w.number, "reason": "matrix probe", "documents": ["invoices"]}
    },
    ("POST", "/v1/origin/verifications/{verification_id}/answer"): lambda w, r: {
        "json": {"result": "confirmed", "findings": "matrix probe"}
    },
    ("POST", "/v1/transit/movements"): lambda w, r: {"json": _transit_declaration()},
    ("POST", "/v1/transit/movements/{mrn}/crossing"): lambda w, r: {"json": {"office": "KZHOR"}},
    ("POST", "/v1/transit/movements/{mrn}/arrival"): lambda w, r: {"json": {"office": "UZTAS"}},
    ("POST", "/v1/transit/movements/{mrn}/cancel"): lambda w, r: {
        "json": {"reason": "matrix probe"}
    },
    ("POST", "/v1/transit/movements/{mrn}/incident"): lambda w, r: {
        "json": {"office": "KZHOR", "kind": "accident", "note": "matrix probe"}
    },
    ("POST", "/v1/transit/movements/{mrn}/control"): lambda w, r: {
        "json": {"result": "satisfactory"}
    },
    ("GET", "/v1/statistics/trade"): lambda w, r: {"params": {"month": "2026-10"}},
    ("POST", "/v1/transit/guarantees"): lambda w, r: {
        "json": {"reference": "G-MATRIX", "holder": w.party, "kind": "individual", "amount": "1.00"}
    },
}


def _transit_declaration() -> dict[str, Any]:
    return json.loads((ROOT / "examples" / "transit" / "horgos-tashkent.json").read_text())


# Allowed callers may still be told these do not exist: the probe names nothing real.
# An agency works the inspection tasks it examines in; the probe's task is customs' alone.
MAY_BE_MISSING_FOR = {
    Role.AGENCY_OFFICER: frozenset(
        {
            ("GET", "/v1/inspections/{task_id}"),
            ("POST", "/v1/inspections/{task_id}/start"),
            ("POST", "/v1/inspections/{task_id}/checks/{seq}"),
        }
    )
}
MAY_BE_MISSING = frozenset(
    {
        ("GET", "/v1/tariff/{code}"),
        ("GET", "/v1/exchange/card"),
        ("DELETE", "/v1/risk/profiles/{name}"),  # retired by the first allowed caller
        ("POST", "/v1/exchange/outbox/{message_id}/retry"),
        ("GET", "/v1/assistance/{reference}"),
        ("POST", "/v1/assistance/{reference}/messages"),
        # One node receives no e-CO from itself (test_origin_claims reads real ones).
        ("GET", "/v1/origin/received/{number}"),
        # No verification request is sent or received by the matrix's node.
        ("GET", "/v1/origin/verifications/{verification_id}"),
        ("POST", "/v1/origin/verifications/{verification_id}/answer"),
        # The probe's MRN is a declaration's, no transit movement's (test_transit runs them).
        *(
            (method, f"/v1/transit/movements/{{mrn}}{step}")
            for method, step in (
                ("GET", ""),
                ("POST", "/release"),
                ("POST", "/crossing"),
                ("POST", "/arrival"),
                ("POST", "/control"),
                ("POST", "/incident"),
                ("POST", "/cancel"),
                ("POST", "/diversion"),
            )
        ),
        ("GET", "/v1/transit/guarantees/{reference}"),
        # The matrix lodges no parcel, and the agent may not have its guarantee yet.
        ("GET", "/v1/ecommerce/parcels/{order_no}"),
        ("POST", "/v1/ecommerce/returns"),
        ("GET", "/v1/ecommerce/guarantees/{agent}"),
    }
)


def _path(w: World, role: Role, template: str, mrn: str) -> str:
    values = {
        "mrn": mrn,
        "task_id": w.task_id,
        "seq": _checks_seq(w, role),
        "version": 1,
        "name": w.profile,
        "code": "0813409000",
        "message_id": "matrix-missing",
        "party_id": w.party,
        "action": "apply",
        "reference": "CN-MAA-MATRIX-MISSING",
        "agreement": "ACFTA",
        "hs": "847130",
        "application_id": w.application_id,
        "number": w.lpco if template.startswith("/v1/lpcos/") else w.number,
        "verification_id": 2**40,
        "order_no": "MATRIX-NONE",
        "agent": "91330100MA2DEMOAG4",
        "month": "2026-10",
    }
    return template.format(**{k: v for k, v in values.items() if "{" + k + "}" in template})


def _call(w: World, method: str, path: str, role: Role | None, request: Request) -> Any:
    headers = {**request.get("headers", {}), **(auth(w.token(role)) if role else {})}
    extra = {k: v for k, v in request.items() if k != "headers"}
    return w.client.request(method, path, headers=headers, **extra)


def _operations(client) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return [(method.upper(), path) for path, ops in spec["paths"].items() for method in ops]


def test_every_operation_of_the_openapi_has_a_rule(client):
    operations = _operations(client)
    missing = [op for op in operations if op not in API]
    assert not missing, f"operations without a rule in silkgate.api.roles.API: {missing}"
    stale = [op for op in API if op not in operations]
    assert not stale, f"rules for operations the API no longer has: {stale}"


def test_each_role_is_refused_exactly_what_the_matrix_refuses(client, world):
    wrong = []
    for method, template in _operations(client):
        rule = API.get((method, template))
        if rule is None:
            continue  # reported by the test above
        probe = BODIES.get((method, template), lambda w, r: {})
        # A decision may end a declaration's life: each gets a declaration of its own.
        mrn = world.fresh_mrn() if template in _DECISIONS else world.mrn
        for role in (None, *roles.ROLES):
            path = _path(world, role or Role.OFFICER, template, mrn)
            request = probe(world, role or Role.OFFICER)
            status = _call(world, method, path, role, request).status_code
            if role is None:
                expected = "not refused" if rule.public else "401"
                ok = status not in (401, 403) if rule.public else status == 401
            elif rule.allows(role):
                expected = "allowed"
                missing_ok = (method, template) in MAY_BE_MISSING or (
                    (method, template) in MAY_BE_MISSING_FOR.get(role, ())
                )
                ok = status not in (401, 403) and (missing_ok or status != 404)
            else:
                expected = "refused"
                ok = status in (403, 404)
            if not ok:
                who = role.value if role else "no token"
                wrong.append(f"{method} {template} as {who}: {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_a_declarant_cannot_tell_another_declarants_mrn_from_an_unknown_one(client, world):
    """Every route taking an MRN or an inspection id answers 404 to a declarant, alike."""
    other = OTHER_DECLARANT
    tokens = {**world.tokens, USERS[Role.DECLARANT]: world.tokens[other]}
    as_other = World(**{**world.__dict__, "tokens": tokens})
    different = []
    for method, template in _operations(client):
        if "{mrn}" not in template and "{task_id}" not in template:
            continue
        probe = BODIES.get((method, template), lambda w, r: {})
        answers = []
        for mrn, task_id in ((world.mrn, world.task_id), (UNKNOWN_MRN, UNKNOWN_TASK)):
            as_other.task_id = task_id
            path = _path(as_other, Role.DECLARANT, template, mrn=mrn)
            r = _call(as_other, method, path, Role.DECLARANT, probe(as_other, Role.DECLARANT))
            problem = r.json()
            # The answer names what was asked for, and nothing else.
            assert problem.pop("instance", path) == path
            detail = re.sub(rf"\b({mrn}|{task_id})\b", "ID", problem.pop("detail", ""))
            answers.append((r.status_code, detail, problem))
        if answers[0] != answers[1] or answers[0][0] != 404:
            different.append(f"{method} {template}: {answers}")
    assert not different, "\n".join(different)


def test_the_console_pages_follow_their_matrix(client, node, tokens, world):
    routes = {
        r.path
        for module in console.MODULES
        for r in module.router.routes
        if isinstance(r, APIRoute) and "GET" in r.methods
    }
    assert routes == set(CONSOLE), "console pages and silkgate.api.roles.CONSOLE differ"
    released = _lodge(client, tokens["acme-trading"], _doc())
    settle(client, tokens["officer.li"], released)
    wrong = []
    for page, rule in CONSOLE.items():
        path = page.format(
            mrn=released,
            party_id=world.party,
            reference="CN-MAA-NONE",
            application_id=world.application_id,
            number=world.lpco if page.startswith("/console/lpcos/") else world.number,
            document_id=2**31 - 1,
        )
        for role in roles.ROLES:
            _log_in(client, node, world.token(role))
            try:
                status = client.get(path, follow_redirects=False).status_code
            finally:
                client.cookies.clear()
            missing_ok = page in (
                "/console/assistance/{reference}",
                # The probe names a declaration, no transit movement or guarantee.
                "/console/transit/movements/{mrn}",
                "/console/transit/guarantees/{reference}",
                "/console/declarations/{mrn}/documents/{document_id}",
            )
            # A released declaration is past amending: the declarant is let in and told so.
            state_ok = page == "/console/declarations/{mrn}/amend" and status == 409
            if rule.allows(role):
                ok = status == 200 or (missing_ok and status == 404) or state_ok
            else:
                ok = status in (403, 404)
            if not ok:
                wrong.append(f"{page} as {role.value}: {status}")
    assert not wrong, "\n".join(wrong)


def test_docs_roles_md_shows_the_matrix():
    text = DOCS.read_text()
    for table in (roles.markdown(API), roles.markdown(CONSOLE, "page")):
        assert table in text, "docs/roles.md is stale: python -m silkgate.api.roles prints it"


# -- the SPS inspector: the quarantine side, no customs risk intelligence --------------------


def _sps_task(client, tokens) -> tuple[str, dict[str, Any]]:
    mrn = _lodge(client, tokens["acme-trading"], _doc(**_PAINTING))
    d = client.get(f"/v1/declarations/{mrn}", headers=auth(tokens["officer.li"])).json()
    return mrn, d["inspection"]


def test_an_sps_inspector_sees_the_declaration_without_its_risk(client, tokens, world):
    inspector = auth(tokens["inspector.chen"])
    d = client.get(f"/v1/declarations/{world.mrn}", headers=inspector).json()
    assert d["risk"] is None and d["inspection"]["id"] == world.task_id
    analyst = client.get(f"/v1/declarations/{world.mrn}", headers=auth(tokens["analyst.zhao"]))
    assert analyst.json()["risk"]["channel"] == "green"
    for path in ("/v1/risk/profiles", "/v1/risk/budget", "/v1/risk/performance"):
        assert client.get(path, headers=inspector).status_code == 403


def test_an_sps_inspector_reads_no_risk_reasons_or_outcomes_in_the_timeline(client, tokens):
    officer, inspector = auth(tokens["officer.li"]), auth(tokens["inspector.chen"])
    mrn = _lodge(client, tokens["acme-trading"], _doc())
    r = client.post(
        f"/v1/declarations/{mrn}/outcome",
        json={"fraud": True, "revenue_recovered": "900.00", "note": "undervalued"},
        headers=officer,
    )
    assert r.status_code == 201, r.text
    full = client.get(f"/v1/declarations/{mrn}/journal", headers=officer).json()["items"]
    seen = client.get(f"/v1/declarations/{mrn}/journal", headers=inspector).json()["items"]
    reasons = {e["event"]: e["reason"] for e in seen}
    assert ":" in {e["event"]: e["reason"] for e in full}["channel"]
    assert reasons["channel"] == "green" and reasons["outcome"] is None
    assert "undervalued" not in str(seen) and "900.00" not in str(seen)


def test_an_sps_inspector_assigns_the_sps_side_only(client, tokens):
    _, task = _sps_task(client, tokens)
    inspector = auth(tokens["inspector.chen"])
    base = f"/v1/inspections/{task['id']}"
    r = client.post(f"{base}/assign", json={"officer": "officer.li"}, headers=inspector)
    assert r.status_code == 403
    r = client.post(
        f"{base}/assign",
        json={"officer": "officer.li", "sps_inspector": "inspector.chen"},
        headers=inspector,
    )
    assert r.status_code == 403
    assert client.get(base, headers=inspector).json()["officer"] is None
    r = client.post(f"{base}/assign", json={"sps_inspector": "inspector.chen"}, headers=inspector)
    assert r.status_code == 200 and r.json()["sps_inspector"] == "inspector.chen"


def test_an_sps_inspector_cannot_complete_and_so_record_a_customs_outcome(client, tokens):
    mrn, task = _sps_task(client, tokens)
    officer, inspector = auth(tokens["officer.li"]), auth(tokens["inspector.chen"])
    base = f"/v1/inspections/{task['id']}"
    for c in task["checks"]:
        who = inspector if c["service"] == "sps" else officer
        result = {"status": "compliant"}
        if c["service"] == "customs":
            result = {"status": "non_compliant", "finding": {"kind": "quantity", "note": "short"}}
            # The quarantine service does not record customs checks.
            refused = client.post(f"{base}/checks/{c['seq']}", json=result, headers=inspector)
            assert refused.status_code == 403
        r = client.post(f"{base}/checks/{c['seq']}", json=result, headers=who)
        assert r.status_code == 200, r.text
    r = client.post(f"{base}/complete", headers=inspector)
    assert r.status_code == 403
    events = client.get(f"/v1/declarations/{mrn}/journal", headers=officer).json()["items"]
    assert "outcome" not in [e["event"] for e in events]
    r = client.post(f"{base}/complete", headers=officer)
    assert r.status_code == 200 and r.json()["result"] == "findings"


def _log_in(client, node, token: str) -> None:
    """The console's session cookie for ``token``, as logging in would set it."""
    opened = node.sessions.open(token)
    assert opened is not None
    client.cookies.set("sg_session_cn", opened[0], path="/console")


def _console(client, node, token: str, path: str) -> Any:
    _log_in(client, node, token)
    try:
        return client.get(path, follow_redirects=False)
    finally:
        client.cookies.clear()


def test_the_console_shows_an_sps_inspector_no_risk(client, node, tokens, world):
    token = tokens["inspector.chen"]
    assert _console(client, node, token, "/console/risk").status_code == 403
    page = _console(client, node, token, f"/console/declarations/{world.mrn}")
    assert page.status_code == 200
    assert 'href="/console/risk"' not in page.text
    assert "<h2>Risk</h2>" not in page.text and 'id="risk-reasons"' not in page.text
    assert "Joint inspection" in page.text and "Complete the inspection" not in page.text
    officer = _console(client, node, tokens["officer.li"], f"/console/declarations/{world.mrn}")
    assert "<h2>Risk</h2>" in officer.text and 'href="/console/risk"' in officer.text


# -- the declarant: what happened, not the officers' notes ----------------------------------


def _inspected_with_a_correction(client, tokens) -> str:
    """A declaration whose inspection found, noted and corrected something."""
    mrn, task = _sps_task(client, tokens)
    officer, inspector = auth(tokens["officer.li"]), auth(tokens["inspector.chen"])
    base = f"/v1/inspections/{task['id']}"
    for c in task["checks"]:
        if c["service"] == "sps":
            result = {
                "status": "non_compliant",
                "finding": {"kind": "certificate", "note": "stamp looks forged, ask MPI"},
            }
            r = client.post(f"{base}/checks/{c['seq']}", json=result, headers=inspector)
        elif c["check"] == "quantity":
            finding = {
                "kind": "quantity",
                "item": 2,
                "note": "tip-off from the broker's driver",
                "corrected": {"net_mass_kg": "2900"},
            }
            result = {"status": "non_compliant", "finding": finding}
            r = client.post(f"{base}/checks/{c['seq']}", json=result, headers=officer)
        else:
            result = {"status": "compliant"}
            r = client.post(f"{base}/checks/{c['seq']}", json=result, headers=officer)
        assert r.status_code == 200, r.text
    assert client.post(f"{base}/complete", headers=officer).status_code == 200
    return mrn


NOTES = ("stamp looks forged", "tip-off from the broker")


def test_a_declarant_sees_findings_and_corrections_without_the_officers_notes(client, node, tokens):
    mrn = _inspected_with_a_correction(client, tokens)
    officer, trader = auth(tokens["officer.li"]), auth(tokens["acme-trading"])
    full = client.get(f"/v1/declarations/{mrn}/journal", headers=officer).text
    assert all(note in full for note in NOTES)
    items = client.get(f"/v1/declarations/{mrn}/journal", headers=trader).json()["items"]
    shown = str(items) + client.get(f"/v1/declarations/{mrn}/versions", headers=trader).text
    assert not [note for note in NOTES if note in shown]
    reasons = [e["reason"] for e in items if e["event"] == "inspection_check"]
    assert "sps certificate: non_compliant" in reasons
    assert "customs quantity: non_compliant" in reasons
    corrected = next(e["reason"] for e in items if e["event"] == "corrected")
    assert corrected == "item 2: net_mass_kg 2900"
    inspected = next(e["reason"] for e in items if e["event"] == "inspected")
    assert inspected == "joint inspection completed: findings"
    versions = client.get(f"/v1/declarations/{mrn}/versions", headers=trader).json()["items"]
    assert versions[-1]["reason"] == "inspection finding"
    versions = client.get(f"/v1/declarations/{mrn}/versions", headers=officer).json()["items"]
    assert (
        versions[-1]["reason"] == "inspection finding: quantity (tip-off from the broker's driver)"
    )
    page = _console(client, node, tokens["acme-trading"], f"/console/declarations/{mrn}")
    assert page.status_code == 200 and "customs quantity: non_compliant" in page.text
    assert not [note for note in NOTES if note in page.text]


def test_the_console_answers_another_declarants_mrn_as_an_unknown_one(client, node, tokens, world):
    token = tokens[OTHER_DECLARANT]
    for page in ("/console/declarations/{}", "/console/declarations/{}/release-note"):
        mine, unknown = (
            _console(client, node, token, page.format(m)) for m in (world.mrn, UNKNOWN_MRN)
        )
        assert mine.status_code == unknown.status_code == 404
        assert mine.text.replace(world.mrn, "MRN") == unknown.text.replace(UNKNOWN_MRN, "MRN")
