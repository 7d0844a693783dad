"""What the command prints: whole identifiers and amounts, choices, demo tokens to export."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from typer.testing import CliRunner

from silkgate import demo
from silkgate.access.principals import demo_token
from silkgate.cli import app
from silkgate.cli import demo as demo_cli
from silkgate.cli._common import folding_table

MRN = "26CN2S6V9C9VL0CF8P"


def test_a_narrow_terminal_folds_identifiers_and_amounts_but_never_cuts_them():
    table = folding_table("MRN", "description", "value", prose=("description",))
    table.add_row(MRN, "Fresh dragon fruit (Hylocereus), in cartons", "720000.125 CNY")
    console = Console(width=40, record=True, file=io.StringIO())
    console.print(table)
    text = console.export_text()
    assert "…" not in text
    squeezed = re.sub(r"[\s│┃|]", "", text)
    assert MRN in squeezed and "720000.125CNY" in squeezed


def test_a_wide_enough_table_keeps_each_identifier_on_one_line():
    table = folding_table("MRN", "description", prose=("description",))
    table.add_row(MRN, "Fresh dragon fruit (Hylocereus), in cartons, " * 3)
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(table)
    assert MRN in console.export_text()


@pytest.mark.parametrize(
    ("command", "choices"),
    [
        (["declarations", "list"], ["under_control", "conditionally_released", "IM", "EX"]),
        (["inspections", "list"], ["open", "completed"]),
        (["inspections", "record"], ["compliant", "non_compliant", "pest", "classification"]),
    ],
)
def test_help_lists_the_choices_of_an_option(command, choices):
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "400"})
    assert result.exit_code == 0
    for choice in choices:
        assert re.search(rf"[<|]{choice}[|>]", result.output), choice


def test_a_status_outside_the_choices_is_refused():
    result = CliRunner().invoke(
        app, ["declarations", "list", "--status", "cleared"], env={"COLUMNS": "400"}
    )
    assert result.exit_code == 2 and "under_control" in result.output


def test_without_a_token_the_command_says_how_to_set_one():
    result = CliRunner().invoke(
        app,
        ["declarations", "list", "--node", "http://127.0.0.1:9"],
        env={"SILKGATE_TOKEN": "", "COLUMNS": "400"},
    )
    assert result.exit_code == 2
    assert "SILKGATE_TOKEN is not set" in result.output
    assert "export SILKGATE_TOKEN=" in result.output and "Illegal header" not in result.output


def test_each_administration_has_its_own_demo_staff():
    cn = {u.name for u in demo.users_of("CN")}
    vn = {u.name for u in demo.users_of("VN")}
    assert {"officer.li", "inspector.chen"} <= cn
    assert {"officer.nguyen", "officer.tran", "analyst.le", "inspector.pham"} <= vn
    # Only the traders, who work on both sides of the border, are on both nodes.
    assert cn & vn == {"admin", "acme-trading", "lotus-broker"}


def test_demo_tokens_are_printed_under_their_administration_ready_to_export(capsys):
    users = [(u, demo_token("vn-secret", u.name)) for u in demo.users_of("VN")]
    with demo_cli.out.capture() as captured:
        demo_cli.print_tokens("VN", users)
    text = captured.get()
    assert text.startswith("VN demo users")
    exports = dict(re.findall(r"^export (VN_[A-Z0-9]+)=(\S+)$", text, re.M))
    assert exports["VN_OFFICER"] == demo_token("vn-secret", "officer.nguyen")
    assert exports["VN_ACME"] == demo_token("vn-secret", "acme-trading")
    assert len(exports) == len(users)
