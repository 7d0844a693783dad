"""The README's walkthrough as a new user follows it: `silkgate demo run`, then the commands.

A demo node of its own (`demo run --port`, its database under the folder it
runs in, as `make run` keeps `var/silkgate.db` in the checkout), the tokens
taken from the `export` lines it prints, and every command run as a separate
process whose output is piped, as a reader's would be to a pager.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import SILKGATE, free_port, wait_until_up

MRN = re.compile(r"\b\d{2}[A-Z0-9]{16}\b")


def _environment(**extra: str) -> dict[str, str]:
    """A new user's shell: no SILKGATE_* setting of the test session, no COLUMNS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SILKGATE_")}
    env.pop("COLUMNS", None)
    return {**env, **extra}


@dataclass
class Demo:
    folder: Path
    url: str
    tokens: dict[str, str]
    log: str

    def run(self, *args: str, token: str | None = None, cwd: Path | None = None, **env: str):
        """One command, as the README writes it (SILKGATE_MODE=demo exported once)."""
        settings = {"SILKGATE_MODE": "demo", "SILKGATE_NODE_URL": self.url, **env}
        if token:
            settings["SILKGATE_TOKEN"] = self.tokens[token]
        return subprocess.run(
            [SILKGATE, *args],
            env=_environment(**{k: v for k, v in settings.items() if v}),
            cwd=cwd or self.folder,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def ok(self, *args: str, token: str | None = None) -> str:
        r = self.run(*args, token=token)
        assert r.returncode == 0, f"{args}: {r.stdout}\n{r.stderr}"
        return r.stdout


@pytest.fixture(scope="module")
def demo_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("checkout")
    port = free_port()
    log = folder / "demo-run.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [SILKGATE, "demo", "run", "--port", str(port)],
            env=_environment(SILKGATE_MODE="demo"),
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, url, timeout=120)
        text = log.read_text()
        tokens = dict(re.findall(r"^export CN_([A-Z0-9]+)=(\S+)$", text, re.M))
        yield Demo(folder, url, tokens, text)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_demo_run_serves_on_the_port_given_and_says_where_its_database_is(demo_node):
    assert f"database {demo_node.folder / 'var' / 'silkgate.db'}" in demo_node.log
    assert {"ACME", "OFFICER", "INSPECTOR", "ADMIN"} <= set(demo_node.tokens)
    # The card partners receive names the port the node listens on.
    card = httpx.get(f"{demo_node.url}/v1/exchange/card", timeout=10).json()
    assert card["endpoint"] == demo_node.url


def _checks(demo: Demo, mrn: str) -> dict[str, list[str]]:
    task = json.loads(demo.ok("inspections", "show", mrn, "--json", token="OFFICER"))
    by_service: dict[str, list[str]] = {"customs": [], "sps": []}
    for check in task["checks"]:
        by_service[check["service"]].append(str(check["seq"]))
    return by_service


def test_the_import_goes_from_lodging_to_its_release_note_on_the_command_line(demo_node):
    d = demo_node
    lodged = d.ok(
        "declarations", "lodge", str(ROOT / "examples/import-declaration.json"), token="ACME"
    )
    mrn = MRN.search(lodged).group(0)
    shown = d.ok("declarations", "show", mrn, token="ACME")
    assert "under_control" in shown
    # The trader reads why the goods are held: the SPS requirements, by item.
    assert "held for quarantine inspection (SPS requirements item 1 phyto certificate N851" in shown
    listed = d.ok("declarations", "list", "--status", "under_control", token="OFFICER")
    assert mrn in listed and "48250.00 USD" in listed  # piped: nothing cut at 80 columns

    checks = _checks(d, mrn)
    assert checks["customs"] and checks["sps"]
    d.ok("inspections", "assign", mrn, "--officer", "officer.li", "--sps-inspector",
         "inspector.chen", token="OFFICER")  # fmt: skip
    started = d.ok("inspections", "start", mrn, token="OFFICER")
    assert "officer officer.li, SPS inspector inspector.chen" in started
    d.ok("inspections", "record", mrn, *checks["customs"], "--status", "compliant", token="OFFICER")
    recorded = d.ok(
        "inspections", "record", mrn, *checks["sps"], "--status", "compliant",
        "--note", "ePhyto valid, cold treatment proven", token="INSPECTOR",
    )  # fmt: skip
    assert "every check has a result" in recorded
    early = d.run("declarations", "release", mrn, token="OFFICER")
    assert early.returncode == 1 and "joint inspection" in early.stderr
    assert "completed, compliant" in d.ok("inspections", "complete", mrn, token="OFFICER")

    account = json.loads(d.ok("declarations", "assessment", mrn, "--json", token="OFFICER"))
    due = account["account"]["due"]
    assert Decimal(due) > 0
    paid = d.ok(
        "declarations", "pay", mrn, "--amount", due, "--reference", "BANK-123", token="OFFICER"
    )
    assert "due 0.00 CNY" in paid
    released = d.ok(
        "declarations", "release", mrn, "--reason", "inspected, duties paid", token="OFFICER"
    )
    assert f"{mrn}  IM  released" in released
    note = d.ok("declarations", "release-note", mrn, token="ACME")
    assert "RELEASED" in note and "by officer.li" in note and mrn in note
    assert f"Duties and taxes: {due} CNY assessed; {due} paid" in note


def test_commands_on_the_nodes_database_work_as_written_and_refuse_plainly(demo_node, tmp_path):
    d = demo_node
    shown = d.ok("tariff", "show", "87032300", "--date", "2026-06-30")
    assert "87032300" in shown
    # Without the demo's mode, a sentence naming the setting: no traceback, no pydantic URL.
    r = d.run("tariff", "show", "87032300", SILKGATE_MODE="")
    assert r.returncode == 2 and "SILKGATE_SECRET_KEY is a published demo secret" in r.stderr
    assert "Traceback" not in r.stderr and "pydantic" not in r.stderr
    # Elsewhere, the default database is not there: said, and nothing is created.
    r = d.run("tariff", "versions", cwd=tmp_path)
    assert r.returncode == 2
    assert f"there is no database at {tmp_path / 'var' / 'silkgate.db'}" in r.stderr
    assert "SILKGATE_DATABASE_URL" in r.stderr and not (tmp_path / "var").exists()


def test_a_form_e_goes_from_application_to_its_public_check_as_the_readme_says(demo_node):
    """The README's certificate of origin: apply, the queue, approve, check, replace, cancel."""
    d = demo_node
    example = str(ROOT / "examples/origin-application.json")
    applied = d.ok("origin", "apply", example, token="ACME")
    application_id = re.search(r"application (\d+)", applied).group(1)
    assert "box 8 RVC 70%" in applied
    assert application_id in d.ok("origin", "applications", "--status", "submitted", token="ORIGIN")
    assert "Result:" in d.ok("origin", "applications", "show", application_id, token="ORIGIN")
    approved = d.ok("origin", "approve", application_id, token="ORIGIN")
    number = re.search(r"CN-E-\d{4}-\d{6}", approved).group(0)
    checked = d.ok("origin", "certificate", number)  # no token: what anyone may read
    assert "issued" in checked and "sha256:" in checked and "Notebook" not in checked
    public = httpx.get(f"{d.url}/v1/origin/certificates/{number}", timeout=10).json()
    assert public["status"] == "issued" and public["hash"] in checked
    replaced = d.ok("origin", "replace", number, example, token="ORIGIN")
    new = re.search(r"CN-E-\d{4}-\d{6}", replaced).group(0)
    assert new != number
    cancelled = d.ok("origin", "cancel", new, "--reason", "goods not shipped", token="ORIGIN")
    assert "cancelled" in cancelled
