"""The whole of origin between two real nodes, as the demo pair runs it.

China's exporter applies for a Form E; China's origin officer issues it; it
reaches Viet Nam. An import claiming ACFTA on it gets the preferential rate;
a second import for more than the line has left does not. Viet Nam asks China
to verify the certificate, China answers "not confirmed", and Viet Nam
withdraws the preference it gave and recovers the duty.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import time
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import SILKGATE
from tests.e2e.test_exchange_pair import Pair, pair  # noqa: F401 (the fixture)
from tests.eco_helpers import claiming, import_document


def _wait(condition: Any, what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.25)
    return found


def _laptops_only(lrn: str, units: int) -> dict[str, Any]:
    """The pair's import from China, its laptops only: ``units`` of them at 505 CNY each."""
    doc = import_document(lrn)
    [laptops] = [copy.deepcopy(i) for i in doc["items"] if i["hs_code"].startswith("847130")]
    value = Decimal(505) * units
    laptops.update(seq=1, value=f"{value:.2f}", net_mass_kg=f"{Decimal('3.75') * units:.3f}")
    laptops["supplementary_quantity"] = {"value": str(units), "unit": "NAR"}
    laptops["packages"]["count"] = max(units // 10, 1)
    doc["items"] = [laptops]
    doc["invoice"].update(amount=f"{value:.2f}", number=f"INV-{lrn}")
    doc["totals"].update(items=1, gross_mass_kg=f"{Decimal('4') * units:.3f}")
    doc["totals"]["packages"] = laptops["packages"]["count"]
    return doc


def _application(issued_for: str) -> dict[str, Any]:
    """A Form E for 500 laptops to Hanoi Lotus: FOB 252,500 CNY, 40 % Korean mainboards."""
    app = json.loads((ROOT / "examples" / "origin-application.json").read_text())
    line = app["lines"][0]
    line.update(description="Laptop computers, 14 inch", hs="847130")
    line["quantity"] = {"value": "500", "unit": "NAR"}
    line["invoice"]["number"] = issued_for
    line["bill"]["fob"] = {"amount": "252500.00", "currency": "CNY"}
    line["bill"]["materials"] = [
        {"description": "Mainboards", "hs": "847330", "origin": "KR",
         "value": {"amount": "101000.00", "currency": "CNY"}},
    ]  # fmt: skip
    return app


def _issued_and_received(nodes: Pair, tag: str) -> tuple[str, dt.date, dict[str, Any]]:
    """A certificate China issues for Viet Nam, and Viet Nam's copy once it has arrived."""
    cn, vn = nodes.url("CN"), nodes.url("VN")
    r = httpx.post(
        f"{cn}/v1/origin/applications", json=_application(f"INV-RT-{tag}"),
        headers=nodes.headers("CN", "acme-trading"), timeout=20,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["originating"] is True
    r = httpx.post(
        f"{cn}/v1/origin/applications/{r.json()['id']}/approve",
        headers=nodes.headers("CN", "origin.zhou"), timeout=20,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    officer = nodes.headers("VN", "officer.nguyen")
    received = _wait(
        lambda: (
            got := httpx.get(f"{vn}/v1/origin/received/{number}", headers=officer, timeout=20)
        ).status_code == 200 and got.json(),
        "the certificate to reach Viet Nam",
    )  # fmt: skip
    return number, dt.date.fromisoformat(r.json()["issued_on"]), received


def _cli(nodes: Pair, admin: str, user: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A command on ``admin``'s node machine, acting as ``user``."""
    env = {**nodes.env(admin), "SILKGATE_TOKEN": nodes.token(admin, user), "COLUMNS": "200"}
    return subprocess.run([SILKGATE, *args], env=env, capture_output=True, text=True, timeout=60)


def test_the_verification_asked_and_answered_with_the_cli(pair: Pair) -> None:  # noqa: F811
    """Viet Nam's officer asks with `origin verify`; China's origin officer lists and answers
    with `origin verifications`; Viet Nam reads the answer; a bad request changes nothing."""
    number, _, _ = _issued_and_received(pair, uuid.uuid4().hex[:6].upper())
    bad = _cli(pair, "VN", "officer.nguyen", "origin", "verify", number, "--reason", " ",
               "--document", "bill_of_materials", "--document", "passport")  # fmt: skip
    assert bad.returncode == 1
    assert "/reason" in bad.stderr and "/documents/1" in bad.stderr
    asked = _cli(pair, "VN", "officer.nguyen", "origin", "verify", number, "--reason",
                 "cost statements missing", "--document", "cost_statements")  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    reference = asked.stdout.split()[1]
    assert reference.startswith("VN-V-") and "sent to CN" in asked.stdout

    def listed_in_china() -> str | None:
        r = _cli(pair, "CN", "origin.zhou", "origin", "verifications", "list")
        assert r.returncode == 0, r.stderr
        row = next((line for line in r.stdout.splitlines() if reference in line), None)
        return row

    row = _wait(listed_in_china, "the request to reach China")
    assert number in row and "received" in row and "open" in row
    request_id = row.split("│")[1].strip()
    answered = _cli(pair, "CN", "origin.zhou", "origin", "verifications", "answer", request_id,
                    "--result", "confirmed", "--findings", "cost statements seen")  # fmt: skip
    assert answered.returncode == 0, answered.stderr
    assert f"verification {reference}: confirmed" in answered.stdout
    again = _cli(pair, "CN", "origin.zhou", "origin", "verifications", "answer", request_id,
                 "--result", "not_confirmed", "--findings", "second thoughts")  # fmt: skip
    assert again.returncode == 1 and "already confirmed" in again.stderr

    def confirmed_in_viet_nam() -> dict[str, Any] | None:
        r = _cli(pair, "VN", "officer.nguyen", "origin", "verifications", "list")
        line = next((x for x in r.stdout.splitlines() if reference in x), "")
        if "confirmed" not in line:
            return None
        shown = _cli(pair, "VN", "officer.nguyen", "origin", "verifications", "show",
                     line.split("│")[1].strip(), "--side", "sent")  # fmt: skip
        assert shown.returncode == 0, shown.stderr
        return dict(json.loads(shown.stdout))

    shown = _wait(confirmed_in_viet_nam, "China's answer to reach Viet Nam")
    assert shown["status"] == "confirmed" and shown["findings"] == "cost statements seen"
    assert shown["recovered"] == "0" and shown["recoveries"] == []
    late = _cli(pair, "VN", "officer.nguyen", "origin", "verifications", "overdue")
    assert late.returncode == 0 and reference not in late.stdout


def test_issue_claim_over_claim_verify_and_recover(pair: Pair) -> None:  # noqa: F811
    cn, vn = pair.url("CN"), pair.url("VN")
    tag = uuid.uuid4().hex[:6].upper()

    # China: the exporter applies, the origin officer issues; Viet Nam receives it.
    number, issued, received = _issued_and_received(pair, tag)
    assert received["status"] == "issued" and received["lines"][0]["quantity"] == "500"
    officer = pair.headers("VN", "officer.nguyen")

    # An import of 400 laptops claiming ACFTA on it: given.
    trader = pair.headers("VN", "acme-trading")
    first = claiming(_laptops_only(f"RT-{tag}-1", 400), number, issued)
    r = httpx.post(f"{vn}/v1/declarations", json=first, headers=trader, timeout=20)
    assert r.status_code == 201, r.text
    given = r.json()
    assert [p["treatment"] for p in given["assessment"]["preferences"]] == ["given"], given
    mrn = given["mrn"]

    # A second import of 400: only 100 are left on the line, so not given.
    second = claiming(_laptops_only(f"RT-{tag}-2", 400), number, issued)
    r = httpx.post(f"{vn}/v1/declarations", json=second, headers=trader, timeout=20)
    assert r.status_code == 201, r.text
    [refused] = r.json()["assessment"]["preferences"]
    assert refused["treatment"] == "not_given" and refused["reason_code"] == "eco_quantity"

    # Viet Nam asks China to verify the certificate.
    r = httpx.post(
        f"{vn}/v1/origin/verifications",
        json={"number": number, "reason": "mainboard supplier invoices look inflated",
              "documents": ["bill_of_materials", "invoices"]},
        headers=officer, timeout=20,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    reference = r.json()["reference"]
    sent_id = r.json()["id"]

    # China's origin officer answers "not confirmed".
    origin_officer = pair.headers("CN", "origin.zhou")

    def received_in_china() -> dict[str, Any] | None:
        items = httpx.get(
            f"{cn}/v1/origin/verifications?side=received", headers=origin_officer, timeout=20
        ).json()["items"]
        return next((v for v in items if v["reference"] == reference), None)

    request = _wait(received_in_china, "the request to reach China")
    r = httpx.post(
        f"{cn}/v1/origin/verifications/{request['id']}/answer",
        json={"result": "not_confirmed", "findings": "the mainboards were bought in Korea"},
        headers=origin_officer, timeout=20,
    )  # fmt: skip
    assert r.status_code == 200, r.text

    # Viet Nam withdraws the preference it gave and recovers the duty.
    def answered() -> dict[str, Any] | None:
        v = httpx.get(
            f"{vn}/v1/origin/verifications/{sent_id}?side=sent", headers=officer, timeout=20
        ).json()
        return v if v["status"] == "not_confirmed" else None

    verification = _wait(answered, "China's answer to reach Viet Nam")
    assert Decimal(verification["recovered"]) > 0
    assert [r_["mrn"] for r_ in verification["recoveries"]] == [mrn]
    declaration = httpx.get(f"{vn}/v1/declarations/{mrn}", headers=officer, timeout=20).json()
    assert declaration["version"] == 2
    assert Decimal(declaration["account"]["due"]) >= Decimal(verification["recovered"])
