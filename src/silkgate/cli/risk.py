"""``silkgate risk``: profiles, budget, AEOs, history and the model, on this machine's database.

The commands act as the user of SILKGATE_TOKEN when it is set, else as the
node's administrator (see :func:`silkgate.cli._common.acting_principal`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from silkgate.cli import risk_model
from silkgate.cli._common import (
    acting_principal,
    fail,
    folding_table,
    invalid,
    local_today,
    open_local_node,
    out,
    parse_date,
)
from silkgate.kernel.commands import parse
from silkgate.kernel.errors import Forbidden, InvalidRequest, NotFound
from silkgate.risk.commands import BudgetCommand, RiskProfileCommand

risk_app = typer.Typer(
    help="Risk management: profiles, budget, AEOs, history, the model.", no_args_is_help=True
)


@risk_app.command("profile")
def risk_profile(
    name: str,
    condition: Annotated[str, typer.Option(help='e.g. item.hs4 == "0810" && item.origin == "VN"')],
    effect: Annotated[str, typer.Option(help="score, yellow, red or sps")] = "score",
    points: Annotated[str | None, typer.Option(help="For effect score: 0 < points <= 100")] = None,
    valid_from: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    valid_to: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    description: str = "",
) -> None:
    """Create a risk profile, or a new version of the one called NAME."""
    node = open_local_node()
    raw = {
        "name": name,
        "condition": condition,
        "effect": effect,
        "points": points,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "description": description,
    }
    try:
        saved = node.risk.save_profile(acting_principal(node), parse(RiskProfileCommand, raw))
    except InvalidRequest as exc:
        invalid(exc)
    except Forbidden as exc:
        fail(str(exc))
    out.print(f"[green]profile {saved['name']} version {saved['version']} saved[/green]")


@risk_app.command("profiles")
def risk_profiles(retired: bool = False) -> None:
    """The risk profiles in force (newest version of each)."""
    node = open_local_node()
    table = folding_table("name", "v", "effect", "condition", "valid", "by", prose=("condition",))
    for p in node.risk.list_profiles(include_retired=retired):
        effect = p["effect"] + (f" +{p['points']}" if p["points"] else "")
        table.add_row(
            p["name"] + (" (retired)" if p["retired"] else ""),
            str(p["version"]),
            effect,
            p["condition"],
            f"{p['valid_from']} to {p['valid_to'] or '...'}",
            p["created_by"],
        )
    out.print(table)


@risk_app.command("retire")
def risk_retire(name: str) -> None:
    """Retire a profile (it stops applying; its versions are kept)."""
    node = open_local_node()
    try:
        node.risk.retire_profile(acting_principal(node), name)
    except (NotFound, Forbidden) as exc:
        fail(str(exc))
    out.print(f"[green]profile {name} retired[/green]")


@risk_app.command("budget")
def risk_budget(
    red: Annotated[str | None, typer.Option(help="Share sent red, e.g. 0.05")] = None,
    yellow: Annotated[str | None, typer.Option(help="Share sent yellow, e.g. 0.10")] = None,
    exploration: Annotated[str | None, typer.Option(help="Random share, e.g. 0.01")] = None,
    window: Annotated[int | None, typer.Option(help="Recent decisions calibrated on")] = None,
    aeo_factor: Annotated[str | None, typer.Option(help="AEO score multiplier, e.g. 0.5")] = None,
) -> None:
    """Show the selectivity budget, or change it."""
    node = open_local_node()
    asked = {
        "red_share": red,
        "yellow_share": yellow,
        "exploration_share": exploration,
        "window": window,
        "aeo_factor": aeo_factor,
    }
    changes = {k: v for k, v in asked.items() if v is not None}
    if changes:
        try:
            node.risk.set_budget(acting_principal(node), parse(BudgetCommand, changes))
        except InvalidRequest as exc:
            invalid(exc)
        except Forbidden as exc:
            fail(str(exc))
    b = node.risk.budget()
    out.print(
        f"red <= {b.red:.1%}, yellow <= {b.yellow:.1%}, exploration {b.exploration:.1%} "
        f"(part of red), calibrated on the last {b.window:,} decisions; AEO score x {b.aeo_factor}"
    )


@risk_app.command("aeo")
def risk_aeo(
    party_id: Annotated[str | None, typer.Argument(help="Trader identifier")] = None,
    name: Annotated[str | None, typer.Option(help="Operator name")] = None,
    status: Annotated[str, typer.Option(help="granted, suspended or revoked")] = "granted",
    administration: Annotated[
        str | None, typer.Option(help="Granting administration (default: this one)")
    ] = None,
    valid_from: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
    valid_to: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
) -> None:
    """Record an Authorised Economic Operator's status; without arguments, list them."""
    node = open_local_node()
    if party_id:
        try:
            node.risk.set_aeo(
                party_id,
                name=name or party_id,
                status=status,
                administration=administration or node.settings.administration,
                valid_from=parse_date(valid_from) if valid_from else local_today(),
                valid_to=parse_date(valid_to) if valid_to else None,
            )
        except InvalidRequest as exc:
            invalid(exc)
        out.print(f"[green]{party_id}: AEO {status}[/green]")
        return
    table = folding_table("party", "name", "by", "status", "valid", prose=("name",))
    for a in node.risk.aeo_list():
        table.add_row(
            a["party_id"],
            a["name"],
            a["administration"],
            a["status"],
            f"{a['valid_from']} to {a['valid_to'] or '...'}",
        )
    out.print(table)


risk_app.command("import-history")(risk_model.risk_import_history)
risk_app.command("train")(risk_model.risk_train)
risk_app.command("models")(risk_model.risk_models)
risk_app.command("activate")(risk_model.risk_activate)
risk_app.command("evaluate")(risk_model.risk_evaluate)
risk_app.command("replay")(risk_model.risk_replay)
