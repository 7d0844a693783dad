"""``silkgate transit``: transit movements and guarantees through a node's API.

Like ``declarations``, a client of a node (``--node``, ``SILKGATE_TOKEN``), so
one terminal works the three nodes of ``demo trio``: the holder lodges at the
office of departure, its officer releases; the officers of the offices of
transit and destination record the crossing, the arrival and the control
results on their own nodes; the departure's node discharges the movement and
frees the guarantee (``docs/transit.md``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from silkgate.cli._common import folding_table, out, read_json
from silkgate.cli.client import NODE, NodeUrl, Token, call
from silkgate.i18n import _

transit_app = typer.Typer(
    help="Transit movements and guarantees, through a node's API.", no_args_is_help=True
)
Json = Annotated[bool, typer.Option("--json", help="Print the node's answer as JSON.")]
Note = Annotated[str | None, typer.Option(help="A note for the record.")]
Office = Annotated[str, typer.Option(help="The office (UN/LOCODE), one of this node's.")]
SealsBroken = Annotated[
    bool, typer.Option("--seals-broken", help="The seals were found broken or missing.")
]
VIEWS = ("expected", "en_route", "overdue", "arrived", "discharged", "enquiry", "all")


def _url(node: str, *parts: str) -> str:
    return "/".join([node.rstrip("/"), "v1", "transit", *parts])


def _print_movement(m: dict[str, Any]) -> None:
    it = m["itinerary"]
    route = " → ".join([it["departure"], *it["transit"], it["destination"]])
    out.print(
        f"[bold]{m['mrn']}[/bold]  [bold]{m['status']}[/bold]  ({m['role']} here)  "
        f"channel {m['channel'] or '-'}  holder {m['holder']}  LRN {m['lrn']}",
        highlight=False,
    )
    out.print(
        f"route {route} ({', '.join(it['routing'])}), to arrive by {m['time_limit']}",
        highlight=False,
    )
    if m["guarantee"]:
        held = {"discharged": "freed at discharge", "recovered": "recovered"}
        state = held.get(m["status"], "reserved")
        out.print(f"guarantee {m['guarantee']}: {m['reserved']} {state}", highlight=False)
    if m.get("stake"):
        reasons = "; ".join(m["stake"].get("reasons") or []) or "no risk flagged"
        out.print(f"duties at stake {m['stake']['amount']} ({reasons})", highlight=False)
    if m.get("enquiry_due") and m["status"] == "enquiry":
        due = _("under enquiry: the answer due by %(due)s") % {"due": m["enquiry_due"][:10]}
        out.print(f"[yellow]{due}[/yellow]", highlight=False)
    if m.get("incidents"):
        said = _("%(n)s incident(s) en route: seals %(seals)s; the destination examines the goods")
        seals = ", ".join(m["seals"]) or _("none")
        out.print(
            f"[yellow]{said % {'n': m['incidents'], 'seals': seals}}[/yellow]", highlight=False
        )
    if m["diverted"]:
        accepted = "accepted" if m["diversion_accepted"] else "waits for the departure's acceptance"
        out.print(f"[yellow]diverted[/yellow] to {m['arrival_office']}: {accepted}")
    for s in m.get("steps", []):
        office = f" at {s['office']}" if s["office"] else ""
        out.print(f"  {s['at'][:16]}  {s['step']}{office} by {s['actor']}", highlight=False)


def _done(found: dict[str, Any], json_out: bool, verb: str) -> None:
    if json_out:
        out.print_json(data=found)
        return
    out.print(f"[green]{verb}[/green]")
    _print_movement(found)


def _step(node: str, token: str, mrn: str, step: str, body: dict[str, Any]) -> dict[str, Any]:
    return dict(call("POST", _url(node, "movements", mrn, step), token, json=body))


@transit_app.command("lodge")
def lodge(file: Path, node: NodeUrl = NODE, token: Token = "", json_out: Json = False) -> None:
    """Lodge the transit declaration in FILE (JSON; - for standard input) as its holder."""
    found = call("POST", _url(node, "movements"), token, json=read_json(file))
    _done(found, json_out, "lodged")


@transit_app.command("release")
def release(
    mrn: str,
    seals_checked: Annotated[
        bool, typer.Option("--seals-checked", help="The seals were checked (yellow and red).")
    ] = False,
    note: Note = None,
    node: NodeUrl = NODE,
    token: Token = "",
    json_out: Json = False,
) -> None:
    """Release for transit (officer at departure): the duties at stake reserved on the
    guarantee, the anticipated records sent to the offices on the route."""
    body: dict[str, Any] = {"seals_checked": seals_checked, "note": note}
    _done(_step(node, token, mrn, "release", body), json_out, "released for transit")


@transit_app.command("cross")
def cross(
    mrn: str,
    office: Office,
    seals_broken: SealsBroken = False,
    note: Note = None,
    node: NodeUrl = NODE,
    token: Token = "",
    json_out: Json = False,
) -> None:
    """The goods crossed the frontier at an office of transit (officer there); the
    notification goes to the departure (NCTS IE118)."""
    body = {"office": office, "seals_intact": not seals_broken, "note": note}
    _done(_step(node, token, mrn, "crossing", body), json_out, f"crossing at {office} recorded")


@transit_app.command("arrive")
def arrive(
    mrn: str, office: Office, note: Note = None, node: NodeUrl = NODE, token: Token = "",
    json_out: Json = False,
) -> None:  # fmt: skip
    """The goods presented at an office of this node (officer there; another office than the
    declared destination is a diversion); the arrival advice goes to the departure (IE006)."""
    body = {"office": office, "note": note}
    _done(_step(node, token, mrn, "arrival", body), json_out, f"arrival at {office} recorded")


@transit_app.command("control")
def control(
    mrn: str,
    result: Annotated[str, typer.Option(help="satisfactory or unsatisfactory")],
    seals_broken: SealsBroken = False,
    examined: Annotated[
        bool, typer.Option("--examined", help="The goods were examined (after an incident).")
    ] = False,
    note: Note = None,
    node: NodeUrl = NODE,
    token: Token = "",
    json_out: Json = False,
) -> None:
    """The control results at the office of arrival (IE018 to the departure, which discharges
    the movement when they are satisfactory)."""
    body = {"result": result, "seals_intact": not seals_broken, "examined": examined, "note": note}
    _done(_step(node, token, mrn, "control", body), json_out, "control results recorded")


@transit_app.command("cancel")
def cancel(
    mrn: str,
    reason: Annotated[str, typer.Option(help="Why the movement is withdrawn.")],
    node: NodeUrl = NODE,
    token: Token = "",
    json_out: Json = False,
) -> None:
    """Withdraw a movement not yet released (the holder, or an officer at departure)."""
    _done(_step(node, token, mrn, "cancel", {"reason": reason}), json_out, "cancelled")


@transit_app.command("incident")
def incident(
    mrn: str,
    office: Office,
    kind: Annotated[str, typer.Option(help="seals_broken, transhipment or accident")],
    note: Annotated[str, typer.Option(help="What happened, where.")],
    new_seal: Annotated[
        list[str] | None, typer.Option(help="A seal the office affixed (repeat for each).")
    ] = None,
    vehicle: Annotated[
        str | None, typer.Option(help="After a transhipment: MODE:IDENTITY:NATIONALITY")
    ] = None,
    node: NodeUrl = NODE,
    token: Token = "",
    json_out: Json = False,
) -> None:
    """An incident en route found at an office of this node (officer there): reported to the
    departure (IE180), and the destination will examine the goods."""
    body: dict[str, Any] = {"office": office, "kind": kind, "note": note,
                            "new_seals": new_seal or []}  # fmt: skip
    if vehicle:
        mode, _, rest = vehicle.partition(":")
        identity, _, nationality = rest.rpartition(":")
        body["transport"] = {"mode": mode, "identity": identity, "nationality": nationality}
    _done(_step(node, token, mrn, "incident", body), json_out, f"incident at {office} recorded")


@transit_app.command("accept-diversion")
def accept_diversion(
    mrn: str, node: NodeUrl = NODE, token: Token = "", json_out: Json = False
) -> None:
    """Accept an arrival at an office not on the itinerary (officer at departure): the
    movement is discharged if its control results are satisfactory."""
    found = call("POST", _url(node, "movements", mrn, "diversion"), token)
    _done(found, json_out, "diversion accepted")


@transit_app.command("show")
def show(mrn: str, node: NodeUrl = NODE, token: Token = "", json_out: Json = False) -> None:
    """A movement as this node knows it: its route, status, guarantee and steps."""
    found = call("GET", _url(node, "movements", mrn), token)
    if json_out:
        out.print_json(data=found)
    else:
        _print_movement(found)


@transit_app.command("list")
def listing(
    office: Annotated[str | None, typer.Option(help="An office's list (UN/LOCODE).")] = None,
    view: Annotated[str, typer.Option(help=" | ".join(VIEWS))] = "all",
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    node: NodeUrl = NODE,
    token: Token = "",
    json_out: Json = False,
) -> None:
    """The holder's movements, or an office's list: expected (arrivals at the office as
    destination), en_route, overdue (past the time limit), arrived, discharged, enquiry, all."""
    params: dict[str, Any] = {"view": view, "limit": limit}
    if office:
        params["office"] = office
    page = call("GET", _url(node, "movements"), token, params=params)
    if json_out:
        out.print_json(data=page)
        return
    table = folding_table("MRN", "status", "here", "channel", "holder", "route", "time limit")
    for m in page["items"]:
        it = m["itinerary"]
        route = " → ".join([it["departure"], *it["transit"], it["destination"]])
        table.add_row(
            m["mrn"], m["status"], m["role"], m["channel"] or "-", m["holder"], route,
            m["time_limit"],
        )  # fmt: skip
    out.print(table)


@transit_app.command("balance")
def balance(
    reference: Annotated[str | None, typer.Argument(help="One guarantee (default: all)")] = None,
    node: NodeUrl = NODE,
    token: Token = "",
    json_out: Json = False,
) -> None:
    """The holder's guarantees and their balances (an officer: every one); with a reference,
    what each movement holds of it."""
    if reference:
        found = call("GET", _url(node, "guarantees", reference), token)
        items = [found]
    else:
        found = call("GET", _url(node, "guarantees"), token)
        items = found["items"]
    if json_out:
        out.print_json(data=found)
        return
    table = folding_table(
        "guarantee", "holder", "kind", "reference amount", "reserved", "recovered", "balance"
    )
    for g in items:
        table.add_row(
            g["reference"], g["holder"], g["kind"], f"{g['reference_amount']} {g['currency']}",
            g["reserved"], g["recovered"], f"{g['balance']} {g['currency']}",
        )  # fmt: skip
    out.print(table)
    if reference:
        for m in items[0]["movements"]:
            out.print(f"  {m['mrn']}: {m['amount']} {m['state']}", highlight=False)


@transit_app.command("register-guarantee")
def register_guarantee(
    reference: str,
    holder: Annotated[str, typer.Option(help="The holder's party id")],
    amount: Annotated[str, typer.Option(help="The reference amount, national currency")],
    kind: Annotated[str, typer.Option(help="comprehensive, individual or tir")] = "comprehensive",
    carnet: Annotated[str | None, typer.Option(help="kind tir: the carnet's number")] = None,
    vouchers: Annotated[int | None, typer.Option(help="kind tir: its vouchers")] = None,
    node: NodeUrl = NODE,
    token: Token = "",
    json_out: Json = False,
) -> None:
    """Register a guarantee for a holder (officer at the office of guarantee); a TIR carnet
    with --kind tir --carnet XC12345678 --vouchers 6 (the amount: its guarantee level)."""
    body: dict[str, Any] = {"reference": reference, "holder": holder, "kind": kind,
                            "amount": amount}  # fmt: skip
    if carnet is not None:
        body.update(carnet=carnet, vouchers=vouchers)
    g = call("POST", _url(node, "guarantees"), token, json=body)
    if json_out:
        out.print_json(data=g)
        return
    out.print(
        f"[green]guarantee {g['reference']}[/green] ({g['kind']}) of {g['holder']}: "
        f"{g['balance']} {g['currency']}",
        highlight=False,
    )


@transit_app.command("sweep")
def sweep(node: NodeUrl = NODE, token: Token = "", json_out: Json = False) -> None:
    """Open an enquiry on each movement declared at this node that is past its time limit and
    grace period, and recover the duty on each enquiry left unanswered by its deadline
    (customs staff; run it periodically, e.g. from cron)."""
    found = call("POST", _url(node, "sweep"), token)
    if json_out:
        out.print_json(data=found)
        return
    counts = {"opened": len(found["enquiries"]), "recovered": len(found["recovered"])}
    out.print(_("%(opened)s enquiries opened, %(recovered)s recovered") % counts, highlight=False)
    for mrn in found["enquiries"]:
        out.print("  " + _("%(mrn)s: enquiry sent") % {"mrn": mrn}, highlight=False)
    for mrn in found["recovered"]:
        out.print(
            "  " + _("%(mrn)s: duty recovered from the guarantee") % {"mrn": mrn}, highlight=False
        )
