"""``silkgate inspections``: the joint inspection, through a node's API (``/v1/inspections``).

Officers record the customs checks and SPS inspectors the quarantine checks of
the same task, as on the console's declaration page; a task is named by its
number or by its declaration's MRN.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import typer

from silkgate.cli._common import fail, folding_table, out
from silkgate.cli.client import NODE, NodeUrl, Token, call
from silkgate.inspection.commands import Outcome
from silkgate.inspection.rules import FindingKind

inspections_app = typer.Typer(
    help="The joint customs and quarantine inspection, through a node's API.",
    no_args_is_help=True,
)

MRN = re.compile(r"^[0-9]{2}[A-Z0-9]{16}$")
TaskArg = Annotated[
    str, typer.Argument(metavar="TASK", help="The task's number, or its declaration's MRN.")
]
Json = Annotated[bool, typer.Option("--json", help="Print the node's answer as JSON.")]


def _task_id(node: str, token: str, task: str) -> int:
    """The task's number: as given, or the task of the declaration with that MRN."""
    if task.isdigit():
        return int(task)
    if not MRN.match(task):
        fail(f"{task!r} is neither a task number nor an MRN", 2)
    declaration = call("GET", f"{node}/v1/declarations/{task}", token)
    inspection = declaration.get("inspection")
    if not inspection:
        fail(f"declaration {task} has no joint inspection (or you may not see it)")
    return int(inspection["id"])


def _print_task(task: dict[str, Any]) -> None:
    result = f", {task['result']}" if task["result"] else ""
    out.print(
        f"[bold]task {task['id']}[/bold]  declaration {task['mrn']}  office {task['office']}  "
        f"channel {task['channel'] or '-'}  [bold]{task['status']}{result}[/bold]",
        highlight=False,
    )
    out.print(
        f"officer {task['officer'] or 'not assigned'}, SPS inspector "
        f"{task['sps_inspector'] or 'not assigned'}; planned {task['created_at']}, "
        f"started {task['started_at'] or '-'}, completed {task['completed_at'] or '-'}",
        highlight=False,
    )
    checks = folding_table(
        "#", "service", "check", "item", "description", "result", "by", "finding",
        prose=("description", "finding"),
    )  # fmt: skip
    for c in task.get("checks", []):
        finding = c["finding"] or {}
        said = " ".join(
            str(part)
            for part in (
                finding.get("kind"),
                (finding.get("pest") or {}).get("scientific_name"),
                finding.get("note"),
            )
            if part
        )
        checks.add_row(
            str(c["seq"]), c["service"], c["check"], str(c["item"] or ""), c["description"],
            c["status"], c["recorded_by"] or "", said,
        )  # fmt: skip
    out.print(checks)


@inspections_app.command("list")
def inspections_list(
    node: NodeUrl = NODE,
    token: Token = "",
    office: Annotated[str | None, typer.Option(help="Customs office (UN/LOCODE).")] = None,
    status: Annotated[Literal["open", "completed"], typer.Option(help="Open or done.")] = "open",
    limit: Annotated[int, typer.Option(min=1, max=500)] = 100,
    json_out: Json = False,
) -> None:
    """The joint inspections of an office (or of every office), newest first."""
    params: dict[str, str | int] = {"status": status, "limit": limit}
    if office:
        params["office"] = office
    page = call("GET", f"{node}/v1/inspections", token, params=params)
    if json_out:
        out.print_json(data=page)
        return
    table = folding_table(
        "task", "declaration", "channel", "office", "officer", "SPS inspector", "planned (UTC)",
        "result",
    )  # fmt: skip
    for t in page["items"]:
        table.add_row(
            str(t["id"]), t["mrn"], t["channel"] or "", t["office"], t["officer"] or "-",
            t["sps_inspector"] or "-", t["created_at"][:19], t["result"] or t["status"],
        )  # fmt: skip
    out.print(table)
    if not page["items"]:
        out.print(f"no {status} inspection")


@inspections_app.command("show")
def inspections_show(
    task: TaskArg, node: NodeUrl = NODE, token: Token = "", json_out: Json = False
) -> None:
    """One task and its checklist: what each check is, its result, who recorded it."""
    found = call("GET", f"{node}/v1/inspections/{_task_id(node, token, task)}", token)
    if json_out:
        out.print_json(data=found)
    else:
        _print_task(found)


@inspections_app.command("assign")
def inspections_assign(
    task: TaskArg,
    officer: Annotated[str | None, typer.Option(help="User name of a customs officer.")] = None,
    sps_inspector: Annotated[
        str | None, typer.Option(help="User name of an SPS (quarantine) inspector.")
    ] = None,
    node: NodeUrl = NODE,
    token: Token = "",
) -> None:
    """Assign the task to an officer and/or an SPS inspector."""
    if officer is None and sps_inspector is None:
        fail("name an --officer and/or an --sps-inspector", 2)
    body = {k: v for k, v in (("officer", officer), ("sps_inspector", sps_inspector)) if v}
    task_id = _task_id(node, token, task)
    _print_task(call("POST", f"{node}/v1/inspections/{task_id}/assign", token, json=body))


@inspections_app.command("start")
def inspections_start(task: TaskArg, node: NodeUrl = NODE, token: Token = "") -> None:
    """Start the inspection (the goods are opened): the declarant can no longer amend."""
    task_id = _task_id(node, token, task)
    _print_task(call("POST", f"{node}/v1/inspections/{task_id}/start", token))


@inspections_app.command("record")
def inspections_record(
    task: TaskArg,
    seqs: Annotated[list[int], typer.Argument(metavar="CHECK...", help="The checks' numbers.")],
    status: Annotated[Outcome, typer.Option(help="The checks' result.")],
    kind: Annotated[
        FindingKind | None,
        typer.Option(help="What kind of finding (required when non_compliant)."),
    ] = None,
    note: Annotated[str | None, typer.Option(help="What was found, or done.")] = None,
    pest: Annotated[
        str | None, typer.Option(help="Scientific name of the pest intercepted (kind pest).")
    ] = None,
    node: NodeUrl = NODE,
    token: Token = "",
) -> None:
    """Record the result of one or more checks (officers: customs; SPS inspectors: SPS).

    A result is final. A non-compliant one says what was found: --kind and --note.
    """
    finding: dict[str, Any] = {}
    if kind:
        finding["kind"] = kind
    if note:
        finding["note"] = note
    if pest:
        finding["pest"] = {"scientific_name": pest}
    body = {"status": status, "finding": finding or None}
    task_id = _task_id(node, token, task)
    found: dict[str, Any] = {}
    for seq in seqs:
        found = call("POST", f"{node}/v1/inspections/{task_id}/checks/{seq}", token, json=body)
        out.print(f"[green]check {seq}: {status}[/green]")
    waiting = [c["seq"] for c in found.get("checks", []) if c["status"] == "open"]
    out.print(
        f"checks without a result: {', '.join(map(str, waiting))}"
        if waiting
        else f"every check has a result: `silkgate inspections complete {task_id}`"
    )


@inspections_app.command("complete")
def inspections_complete(task: TaskArg, node: NodeUrl = NODE, token: Token = "") -> None:
    """Complete the inspection once every check has a result; the officer then decides."""
    task_id = _task_id(node, token, task)
    _print_task(call("POST", f"{node}/v1/inspections/{task_id}/complete", token))
