"""``silkgate origin apply|applications|approve|refuse|certificate|cancel|replace`` against a
real node: the exporter's and the origin officer's tool."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from tests.conftest import ROOT
from tests.e2e.conftest import run_cli


def _application(tmp_path: Path) -> Path:
    app = json.loads((ROOT / "examples" / "origin-application.json").read_text())
    app["lines"][0]["invoice"]["number"] = f"INV-CLI-{uuid.uuid4().hex[:6]}"
    path = tmp_path / f"application-{uuid.uuid4().hex[:6]}.json"
    path.write_text(json.dumps(app))
    return path


def test_apply_approve_and_read_a_certificate(settings, tokens, live_node, tmp_path):
    exporter, officer = tokens["acme-trading"], tokens["origin.zhou"]
    file = _application(tmp_path)
    applied = run_cli(
        settings, "origin", "apply", str(file), "--json", token=exporter, node=live_node
    )
    assert applied.returncode == 0, applied.stderr
    application_id = json.loads(applied.stdout)["id"]

    queue = run_cli(settings, "origin", "applications", "--status", "submitted", token=officer,
                    node=live_node)  # fmt: skip
    assert queue.returncode == 0 and str(application_id) in queue.stdout
    shown = run_cli(settings, "origin", "applications", "show", str(application_id),
                    token=officer, node=live_node)  # fmt: skip
    assert "box 8 RVC 70%" in shown.stdout and "Result:" in shown.stdout

    refused = run_cli(settings, "origin", "approve", str(application_id), token=exporter,
                      node=live_node)  # fmt: skip
    assert refused.returncode == 1 and "403" in refused.stderr
    approved = run_cli(settings, "origin", "approve", str(application_id), "--json",
                       token=officer, node=live_node)  # fmt: skip
    assert approved.returncode == 0, approved.stderr
    number = json.loads(approved.stdout)["number"]

    public = run_cli(settings, "origin", "certificate", number, node=live_node)
    assert public.returncode == 0 and "issued" in public.stdout and "sha256:" in public.stdout
    assert "Notebook" not in public.stdout
    whole = run_cli(settings, "origin", "certificate", number, token=exporter, node=live_node)
    assert "847130 Notebook computer: RVC 70.00%" in whole.stdout

    replaced = run_cli(settings, "origin", "replace", number, str(file), "--json",
                       token=officer, node=live_node)  # fmt: skip
    assert replaced.returncode == 0, replaced.stderr
    new = json.loads(replaced.stdout)["number"]
    cancelled = run_cli(settings, "origin", "cancel", new, "--reason", "not shipped",
                        token=officer, node=live_node)  # fmt: skip
    assert cancelled.returncode == 0 and "cancelled" in cancelled.stdout
    old = run_cli(settings, "origin", "certificate", number, "--json", node=live_node)
    assert json.loads(old.stdout)["status"] == "replaced"


def test_a_refusal_needs_a_reason_and_is_shown(settings, tokens, live_node, tmp_path):
    applied = run_cli(settings, "origin", "apply", str(_application(tmp_path)), "--json",
                      token=tokens["acme-trading"], node=live_node)  # fmt: skip
    application_id = str(json.loads(applied.stdout)["id"])
    r = run_cli(settings, "origin", "refuse", application_id, "--reason", "   ",
                token=tokens["origin.zhou"], node=live_node)  # fmt: skip
    assert r.returncode == 1 and "/reason" in r.stderr
    r = run_cli(settings, "origin", "refuse", application_id, "--reason", "wrong invoice",
                token=tokens["origin.zhou"], node=live_node)  # fmt: skip
    assert r.returncode == 0 and "refused: wrong invoice" in r.stdout
