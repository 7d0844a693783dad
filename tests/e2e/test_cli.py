"""The silkgate command against a running node, as a trader's or an officer's tool."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from tests.e2e.conftest import run_cli

MRN = re.compile(r"\b\d{2}[A-Z0-9]{16}\b")


def lodge(settings, live_node, tokens, tmp_path, doc, *extra):
    path = tmp_path / f"{doc['lrn']}.json"
    path.write_text(json.dumps(doc))
    return run_cli(
        settings,
        "declarations",
        "lodge",
        str(path),
        *extra,
        token=tokens["acme-trading"],
        node=live_node,
    )


def test_lodge_show_list_release(settings, live_node, tokens, tmp_path, declaration):
    r = lodge(settings, live_node, tokens, tmp_path, declaration)
    assert r.returncode == 0, r.stderr
    mrn = MRN.search(r.stdout).group(0)
    shown = run_cli(
        settings, "declarations", "show", mrn, token=tokens["acme-trading"], node=live_node
    )
    assert shown.returncode == 0 and "08109040" in shown.stdout and "lodged" in shown.stdout
    listed = run_cli(
        settings,
        "declarations",
        "list",
        "--status",
        "lodged",
        "--limit",
        "200",
        token=tokens["officer.li"],
        node=live_node,
    )
    assert listed.returncode == 0 and mrn in listed.stdout
    unpaid = run_cli(
        settings, "declarations", "release", mrn, token=tokens["officer.li"], node=live_node
    )
    assert unpaid.returncode == 1 and "neither paid nor guaranteed" in unpaid.stderr
    shown = run_cli(
        settings,
        "declarations",
        "assessment",
        mrn,
        "--json",
        token=tokens["acme-trading"],
        node=live_node,
    )
    assert shown.returncode == 0, shown.stderr
    due = json.loads(shown.stdout)["account"]["due"]
    assert Decimal(due) > 0
    paid = run_cli(
        settings,
        "declarations",
        "pay",
        mrn,
        "--amount",
        due,
        "--reference",
        "BANK-0001",
        token=tokens["officer.li"],
        node=live_node,
    )
    assert paid.returncode == 0 and "due 0.00 CNY" in paid.stdout, paid.stderr
    # Green channel: released as soon as the duties are paid.
    assert "status released" in paid.stdout
    again = run_cli(
        settings, "declarations", "release", mrn, token=tokens["officer.li"], node=live_node
    )
    assert again.returncode == 1 and "409" in again.stderr


def test_idempotency_key_gives_the_same_mrn(settings, live_node, tokens, tmp_path, declaration):
    key = "cli-" + declaration["lrn"]
    first = lodge(settings, live_node, tokens, tmp_path, declaration, "--idempotency-key", key)
    second = lodge(settings, live_node, tokens, tmp_path, declaration, "--idempotency-key", key)
    assert first.returncode == second.returncode == 0
    assert MRN.search(first.stdout).group(0) == MRN.search(second.stdout).group(0)


def test_errors_exit_non_zero_and_name_the_field(
    settings, live_node, tokens, tmp_path, declaration
):
    declaration["items"][0]["hs_code"] = "999999"
    r = lodge(settings, live_node, tokens, tmp_path, declaration)
    assert r.returncode == 1 and "/items/0/hs_code" in r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = run_cli(
        settings, "declarations", "lodge", str(bad), token=tokens["acme-trading"], node=live_node
    )
    assert r.returncode == 1 and "not valid JSON" in r.stderr
    r = run_cli(
        settings,
        "declarations",
        "lodge",
        str(tmp_path / "missing.json"),
        token=tokens["acme-trading"],
        node=live_node,
    )
    assert r.returncode == 1 and "cannot read" in r.stderr


def test_hold_needs_a_reason(settings, live_node, tokens):
    r = run_cli(
        settings,
        "declarations",
        "hold",
        "26CN00000000000000",
        token=tokens["officer.li"],
        node=live_node,
    )
    assert r.returncode == 2 and "--reason" in r.stderr


def test_another_declarant_is_refused(settings, live_node, tokens, tmp_path, declaration):
    mrn = MRN.search(lodge(settings, live_node, tokens, tmp_path, declaration).stdout).group(0)
    r = run_cli(
        settings,
        "declarations",
        "cancel",
        mrn,
        "--reason",
        "not mine",
        token=tokens["lotus-broker"],
        node=live_node,
    )
    # Not found: another declarant's MRN is answered as an unknown one.
    assert r.returncode == 1 and "404" in r.stderr
    r = run_cli(settings, "declarations", "show", mrn, token=tokens["lotus-broker"], node=live_node)
    assert r.returncode == 1 and "Acme" not in r.stdout + r.stderr


def test_bad_token_and_unreachable_node(settings, live_node):
    r = run_cli(settings, "declarations", "list", token="sg_wrong", node=live_node)
    assert r.returncode == 1 and "401" in r.stderr
    r = run_cli(settings, "declarations", "list", token="sg_wrong", node="http://127.0.0.1:9")
    assert r.returncode == 1 and "cannot reach" in r.stderr


def test_list_pages_with_the_printed_cursor(settings, live_node, tokens, tmp_path, declaration):
    for i in range(3):
        declaration["lrn"] = f"{declaration['lrn'][:20]}-L{i}"
        assert lodge(settings, live_node, tokens, tmp_path, declaration).returncode == 0
    first = run_cli(
        settings,
        "declarations",
        "list",
        "--limit",
        "2",
        token=tokens["acme-trading"],
        node=live_node,
    )
    cursor = re.search(r"--cursor (\S+)", first.stdout).group(1)
    second = run_cli(
        settings,
        "declarations",
        "list",
        "--limit",
        "2",
        "--cursor",
        cursor,
        token=tokens["acme-trading"],
        node=live_node,
    )
    assert second.returncode == 0
    assert not set(MRN.findall(first.stdout)) & set(MRN.findall(second.stdout))


def test_the_node_card_advertises_the_address_the_node_serves_on(node, live_node):
    """`silkgate serve --port N` serves on N, and its card tells partners N, not 8000."""
    import httpx

    node.exchange.ensure_key()
    r = httpx.get(f"{live_node}/v1/exchange/card", timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["endpoint"] == live_node
