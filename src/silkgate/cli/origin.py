"""``silkgate origin``: the rules of origin (on this machine), the origin calculator, and the
certificates of origin (through a node's API, :mod:`silkgate.cli.certificates`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.table import Table

from silkgate.cli import certificates, verifications
from silkgate.cli._common import (
    acting_principal,
    err,
    fail,
    local_today,
    login,
    open_local_node,
    out,
    parse_date,
    print_file_errors,
    read_bytes,
    read_json,
)
from silkgate.cli.client import answer

origin_app = typer.Typer(
    help="Rules of origin of the free-trade agreements, the origin calculator, and "
    "certificates of origin (Form E).",
    no_args_is_help=True,
)
rules_app = typer.Typer(
    help="The rules of origin: agreements' terms and product-specific rules.",
    no_args_is_help=True,
)
origin_app.add_typer(rules_app, name="rules")
# Certificates of origin: clients of a node's API (apply, applications, approve, ...).
certificates.install(origin_app)
# Retroactive verification, on this machine's node.
verifications.install(origin_app)

claims_app = typer.Typer(
    help="Preference claims checked against the e-COs partners send.", no_args_is_help=True
)
origin_app.add_typer(claims_app, name="claims")


@origin_app.command("received")
def origin_received(
    status: Annotated[str | None, typer.Option(help="issued, cancelled or replaced")] = None,
    limit: int = 50,
) -> None:
    """The e-COs received from partners, newest first (on this machine)."""
    node = open_local_node()
    table = Table("number", "issuer", "agreement", "status", "issued", "valid until", "consignee")
    for c in node.received.listing(acting_principal(node), status, limit):
        table.add_row(
            c["number"], c["issuer"], c["agreement"], c["status"], c["issued_on"],
            c["valid_until"], c["consignee"],
        )  # fmt: skip
    out.print(table)


@claims_app.command("close-overdue")
def claims_close_overdue() -> None:
    """Preference claims whose e-CO did not arrive within SILKGATE_ORIGIN_WAIT_HOURS: not given.

    Run it periodically (cron); a certificate that arrives late is refused for the
    claim anyway.
    """
    closed = open_local_node().received.close_overdue()
    out.print(f"{closed} claim(s) closed: preference not given (eco_not_received)")


@rules_app.command("load")
def rules_load(file: Path) -> None:
    """Check the whole rules FILE (TOML) and make it the version in force.

    Every error is listed with its line, and a file with any error changes
    nothing. The previous versions are kept (see `origin rules versions`).
    """
    from silkgate.origin.files import FileErrors

    service = open_local_node().origin
    try:
        version, parsed = service.load(read_bytes(file), source=file.name, actor=login())
    except FileErrors as exc:
        print_file_errors(file, exc.errors, "rules of origin in force are")
        raise typer.Exit(1) from None
    illustrative = sum(1 for r in parsed.rules if r.illustrative)
    out.print(
        f"[green]rules of origin version {version} are in force[/green]: {parsed.title} — "
        f"{len(parsed.terms)} agreements, {len(parsed.rules)} rules"
        + (f" ({illustrative} illustrative)" if illustrative else "")
    )


@rules_app.command("versions")
def rules_versions() -> None:
    """The loaded versions of the rules of origin, newest first."""
    table = Table(
        "version", "in force", "title", "agreements", "rules", "loaded (UTC)", "by", "file"
    )
    for r in open_local_node().origin.versions():
        table.add_row(
            str(r["id"]),
            "yes" if r["active"] else "",
            r["title"],
            str(r["agreements"]),
            str(r["rules"]),
            r["loaded_at"].isoformat()[:19],
            r["loaded_by"],
            r["source"],
        )
    out.print(table)


@rules_app.command("activate")
def rules_activate(version: int) -> None:
    """Put an earlier (or later) loaded version back in force."""
    if not open_local_node().origin.activate(version):
        fail(f"there is no rules version {version} (see `silkgate origin rules versions`)")
    out.print(f"[green]rules of origin version {version} are in force[/green]")


@rules_app.command("show")
def rules_show(
    hs: Annotated[str, typer.Argument(help="HS 2022 subheading (6 digits)")],
    agreement: Annotated[str, typer.Option(help="ACFTA, RCEP, ATIGA...")] = "ACFTA",
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
) -> None:
    """The rule of origin in force for goods of HS on a date."""
    from silkgate.origin.services import RulesNotLoaded

    on = parse_date(date) if date else local_today()
    try:
        found = open_local_node().origin.rule(agreement, hs, on)
    except RulesNotLoaded as exc:
        fail(str(exc))
    if found is None:
        fail(f"no rule of origin of {agreement} for {hs} is in force on {on}")
    out.print(f"{agreement}, {found['scope']}, in force on {on}: [bold]{found['text']}[/bold]")
    out.print(f"applied: {found['applied']}", highlight=False)
    until = f" to {found['valid_to']}" if found["valid_to"] else ""
    out.print(
        f"valid from {found['valid_from']}{until}; source: {found['source']}", highlight=False
    )
    if found["illustrative"]:
        out.print(
            "[yellow]illustrative: written for the demonstration, not the agreement's text[/yellow]"
        )


@origin_app.command("determine")
def origin_determine(
    file: Path,
    node: Annotated[
        str | None,
        typer.Option(
            "--node",
            envvar="SILKGATE_NODE_URL",
            help="Ask this node; without it, use this machine's database.",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Whether the product in FILE (JSON: product, bill of materials) originates, and why."""
    raw = read_json(file)
    result = _remotely(node, raw) if node else _here(raw)
    if json_out:
        out.print_json(data=result)
    else:
        print_determination(result)


def _remotely(node: str, raw: Any) -> Any:
    try:
        response = httpx.post(f"{node}/v1/origin/determinations", json=raw, timeout=30)
    except httpx.HTTPError as exc:
        fail(f"cannot reach the node at {node}: {exc}")
    return answer(response)


def _here(raw: Any) -> Any:
    from silkgate.kernel.errors import InvalidRequest
    from silkgate.origin.services import RulesNotLoaded

    service = open_local_node().origin
    try:
        return service.determine(raw).as_json()
    except InvalidRequest as exc:
        err.print(f"[red]{exc.title}[/red]: nothing was determined")
        for e in exc.errors:
            err.print(f"  {e.pointer or '(body)'}: {e.detail}", highlight=False)
        raise typer.Exit(1) from None
    except RulesNotLoaded as exc:
        fail(str(exc))


def print_determination(d: dict[str, Any]) -> None:
    """A determination: the verdict, the criterion, the failing materials, every step."""
    product = d["product"]
    if d["originating"]:
        fob = f"; box 9 FOB {d['fob']['amount']} {d['fob']['currency']}" if d["fob"] else ""
        out.print(
            f"[green]originating[/green] under {d['agreement']}: {product['hs']} "
            f"{product['description']} — box 8 [bold]{d['box8']}[/bold]{fob}",
            highlight=False,
        )
    else:
        out.print(
            f"[red]not originating[/red] under {d['agreement']}: {product['hs']} "
            f"{product['description']}",
            highlight=False,
        )
    rule = d["rule"]
    flag = " [yellow](illustrative)[/yellow]" if rule["illustrative"] else ""
    out.print(f"rule ({rule['scope']}): {rule['text']}{flag}", highlight=False)
    build_up = f", build-up {d['rvc_build_up']} %" if d["rvc_build_up"] else ""
    out.print(f"RVC build-down {d['rvc']} %{build_up}", highlight=False)
    if d["failing_materials"]:
        table = Table("#", "material", "HS", "origin", "value", "fails", title="failing materials")
        for m in d["failing_materials"]:
            table.add_row(
                str(m["index"] + 1),
                m["description"],
                m["hs"] or "",
                m["origin"] or "",
                f"{m['value']['amount']} {m['value']['currency']}",
                ", ".join(m["fails"]),
            )
        out.print(table)
    if not d["direct_consignment"]:
        out.print("[yellow]not directly consigned: no preference on this shipment[/yellow]")
    for step in d["explanation"]:
        out.print(f"  {step}", highlight=False)
