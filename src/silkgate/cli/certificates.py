"""``silkgate origin apply|applications|approve|refuse|certificate|cancel|replace``: certificates
of origin through a node's API, as the exporter's and the origin officer's tool.

Like ``declarations``, these are clients of a node (``--node``, ``SILKGATE_TOKEN``):
the exporter applies, the origin officer decides; ``certificate NUMBER``
without a token reads what anyone may (status and hash).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from silkgate.cli._common import fail, folding_table, out, read_json
from silkgate.cli.client import NODE, NodeUrl, Token, answer, call

Json = Annotated[bool, typer.Option("--json", help="Print the node's answer as JSON.")]
Reason = Annotated[str, typer.Option("--reason", help="Why (required).")]
Status = Annotated[str | None, typer.Option(help="submitted (the queue), approved or refused.")]

applications_app = typer.Typer(
    help="Applications for certificates of origin: list (default) or show one.",
    invoke_without_command=True,
)


def _print_application(a: dict[str, Any]) -> None:
    out.print(
        f"[bold]application {a['id']}[/bold]  {a['agreement']} to {a['importing_country']}  "
        f"[bold]{a['status']}[/bold]  submitted {a['submitted_at'][:16]} by {a['submitted_by']}",
        highlight=False,
    )
    if a["status"] == "refused":
        out.print(f"[red]refused[/red]: {a['reason']}", highlight=False)
    for n, d in enumerate(a.get("determinations", []), 1):
        product = d["product"]
        verdict = f"[green]originating[/green], box 8 {d['box8']}"
        if not d["originating"]:
            verdict = "[red]not originating[/red]"
        out.print(
            f"line {n}: {product['hs']} {product['description']} — {verdict}", highlight=False
        )
        for step in d["explanation"]:
            out.print(f"    {step}", highlight=False)
    cert = a.get("certificate") or {}
    if cert:
        out.print(f"certificate [bold]{cert['number']}[/bold] ({cert['status']})", highlight=False)


def _print_certificate(c: dict[str, Any]) -> None:
    out.print(
        f"[bold]{c['number']}[/bold]  [bold]{c['status']}[/bold]  issued {c['issued_on']}, "
        f"valid until {c['valid_until']}",
        highlight=False,
    )
    out.print(f"hash {c['hash']}", highlight=False, soft_wrap=True)
    signature = c.get("signature") or {}
    if signature:
        verified = "verified" if signature["verified"] else "[red]does not verify[/red]"
        out.print(f"signed by {signature['kid']}: {verified}", highlight=False)
    doc = c.get("document")
    if doc:
        out.print(
            f"{doc['exporter']['name']} → {doc['consignee']['name']} ({doc['importing_country']})"
        )
        for line in doc["lines"]:
            rvc = f" {line['rvc']}%" if line["rvc"] else ""
            out.print(
                f"  {line['line']}. {line['hs']} {line['description']}: {line['criterion']}{rvc}",
                highlight=False,
            )
    for t in c.get("treatments", []):
        out.print(
            f"  box 4, line {t['line']}: {t['treatment']} by {t['sender']} ({t['declaration']})"
            + (f": {t['reason_code']}" if t["reason_code"] else ""),
            highlight=False,
        )


def _show(found: dict[str, Any], json_out: bool, printer: Any) -> None:
    if json_out:
        out.print_json(data=found)
    else:
        printer(found)


def apply(file: Path, node: NodeUrl = NODE, token: Token = "", json_out: Json = False) -> None:
    """Apply for a certificate of origin with the application in FILE (JSON; exporter)."""
    _show(call("POST", f"{node}/v1/origin/applications", token, json=read_json(file)), json_out,
          _print_application)  # fmt: skip


@applications_app.callback()
def applications(
    ctx: typer.Context,
    node: NodeUrl = NODE,
    token: Token = "",
    status: Status = None,
    json_out: Json = False,
) -> None:
    """Applications: a declarant's own; every one for origin officers."""
    if ctx.invoked_subcommand is None:
        applications_list(node, token, status, json_out)


@applications_app.command("list")
def applications_list(
    node: NodeUrl = NODE, token: Token = "", status: Status = None, json_out: Json = False
) -> None:
    """Applications, newest first (--status submitted: the queue, oldest first)."""
    params = {"status": status} if status else {}
    page = call("GET", f"{node}/v1/origin/applications", token, params=params)
    if json_out:
        out.print_json(data=page)
        return
    table = folding_table(
        "#", "status", "exporter", "consignee", "to", "lines", "originating", "submitted",
        "certificate", prose=("exporter", "consignee"),
    )  # fmt: skip
    for a in page["items"]:
        table.add_row(
            str(a["id"]), a["status"], a["exporter"], a["consignee"], a["importing_country"],
            str(a["lines"]), "yes" if a["originating"] else "no", a["submitted_at"][:16],
            a["certificate_number"] or "",
        )  # fmt: skip
    out.print(table)
    if not page["items"]:
        out.print("no application")


@applications_app.command("show")
def applications_show(
    application_id: int, node: NodeUrl = NODE, token: Token = "", json_out: Json = False
) -> None:
    """One application: each line's determination and why, the decision, the certificate."""
    found = call("GET", f"{node}/v1/origin/applications/{application_id}", token)
    _show(found, json_out, _print_application)


def approve(
    application_id: int,
    place: Annotated[str | None, typer.Option(help="Place of certification (box 12).")] = None,
    node: NodeUrl = NODE,
    token: Token = "",
    json_out: Json = False,
) -> None:
    """Approve an application and issue its certificate (origin officer)."""
    body = {"place": place} if place else {}
    url = f"{node}/v1/origin/applications/{application_id}/approve"
    _show(call("POST", url, token, json=body), json_out, _print_certificate)


def refuse(application_id: int, reason: Reason, node: NodeUrl = NODE, token: Token = "") -> None:
    """Refuse an application, with the reason the exporter is shown (origin officer)."""
    url = f"{node}/v1/origin/applications/{application_id}/refuse"
    _print_application(call("POST", url, token, json={"reason": reason}))


def certificate(
    number: str,
    node: NodeUrl = NODE,
    token: Annotated[
        str,
        typer.Option(
            "--token",
            envvar="SILKGATE_TOKEN",
            help="Your API token; without one, what anyone may read (status and hash).",
            show_default=False,
        ),
    ] = "",
    json_out: Json = False,
) -> None:
    """A certificate: whole with a token, its public status and hash without one.

    Whole: the exporter's own, or any for origin officers (with box 4).
    """
    if token.strip():
        found = call("GET", f"{node}/v1/origin/certificates/{number}/document", token)
    else:
        try:
            found = answer(httpx.get(f"{node}/v1/origin/certificates/{number}", timeout=30))
        except httpx.HTTPError as exc:
            fail(f"cannot reach the node at {node}: {exc}")
    _show(found, json_out, _print_certificate)


def cancel(number: str, reason: Reason, node: NodeUrl = NODE, token: Token = "") -> None:
    """Cancel a certificate (origin officer); the importing partner is told."""
    url = f"{node}/v1/origin/certificates/{number}/cancel"
    _print_certificate(call("POST", url, token, json={"reason": reason}))


def replace(
    number: str, file: Path, node: NodeUrl = NODE, token: Token = "", json_out: Json = False
) -> None:
    """Replace a certificate with one issued from the corrected application in FILE."""
    url = f"{node}/v1/origin/certificates/{number}/replace"
    _show(call("POST", url, token, json=read_json(file)), json_out, _print_certificate)


def install(app: typer.Typer) -> None:
    """Add the certificates' commands to ``silkgate origin``."""
    for command in (apply, approve, refuse, certificate, cancel, replace):
        app.command(command.__name__)(command)
    app.add_typer(applications_app, name="applications")
