"""The AEO register and partner registration as an officer or an administrator runs them."""

from __future__ import annotations

import json
import uuid

from tests.e2e.conftest import run_cli


def test_the_aeo_register_from_the_command_line(settings, prepared, tokens):
    party = "CLI" + uuid.uuid4().hex[:12].upper()
    officer = tokens["officer.li"]
    r = run_cli(
        settings, "aeo", "apply", party, "--name", "  Pingxiang Test Trading  ", token=officer
    )
    assert r.returncode == 0, r.stderr
    assert "Pingxiang Test Trading: applied" in r.stdout
    assert run_cli(settings, "aeo", "validate", party, token=officer).returncode == 0
    r = run_cli(
        settings, "aeo", "grant", party, "--from", "2026-02-01", "--to", "2026-01-01", token=officer
    )
    assert r.returncode == 1 and "/valid_to: ends before valid_from" in r.stderr
    r = run_cli(settings, "aeo", "grant", party, "--from", "2026-01-01", token=officer)
    assert r.returncode == 0 and "granted (valid 2026-01-01 to ...)" in r.stdout, r.stderr
    r = run_cli(settings, "aeo", "suspend", party, token=officer)
    assert r.returncode == 1 and "/reason:" in r.stderr
    r = run_cli(settings, "aeo", "suspend", party, "--reason", "audit findings", token=officer)
    assert r.returncode == 0 and "suspended" in r.stdout, r.stderr


def test_a_partner_with_an_unknown_agreement_is_refused(settings, prepared):
    card = json.dumps({"administration": "LA"})
    r = run_cli(settings, "partners", "add", "-", "--agreement", "free_trade", stdin=card)
    assert r.returncode == 1 and "/agreements: unknown agreement(s): free_trade" in r.stderr
    r = run_cli(settings, "partners", "add", "-", stdin=card)
    assert r.returncode == 1 and "nothing was changed" in r.stderr
