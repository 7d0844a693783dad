"""``silkgate declarations release-note``: the trader's release note, as the console prints it."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from silkgate.cli._common import fail, folding_table, out
from silkgate.cli.client import NODE, NodeUrl, Token, call

RELEASED = ("released", "conditionally_released")


def release_note(
    mrn: str,
    node: NodeUrl = NODE,
    token: Token = "",
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print the release note of released goods (the declarant's own, or staff)."""
    d = call("GET", f"{node}/v1/declarations/{mrn}", token)
    timeline = call("GET", f"{node}/v1/declarations/{mrn}/journal", token)["items"]
    released = [e for e in timeline if e["to_status"] in RELEASED]
    if d["status"] not in RELEASED or not released:
        fail(f"{mrn} is {d['status']}: there is no release note before release")
    if json_out:
        out.print_json(data={"declaration": d, "release": released[-1]})
        return
    _print_note(d, released[-1], node)


def _print_note(d: dict[str, Any], release: dict[str, Any], node: str) -> None:
    doc, account = d["document"], d["account"]
    conditional = d["status"] == "conditionally_released"
    stamp = "RELEASED UNDER CONDITION" if conditional else "RELEASED"
    transport = doc["transport"]
    # The MRN's third and fourth characters are the administration that issued it.
    out.print(f"{d['mrn'][2:4]} Customs · silkgate node · office {d['office']}", highlight=False)
    out.print("[bold]Release note[/bold]")
    out.print(
        f"[bold]{stamp}[/bold] · {release['at'][:19].replace('T', ' ')} UTC · "
        f"by {release['actor']}",
        highlight=False,
    )
    if conditional:
        out.print(f"Condition: {release['reason']}", highlight=False)
    for label, value in (
        ("MRN", d["mrn"]),
        ("LRN", doc["lrn"]),
        ("Declarant", f"{doc['declarant']['name']} ({doc['declarant']['id']})"),
        ("Importer", doc["importer"]["name"]),
        ("Exporter", doc["exporter"]["name"]),
        (
            "Transport document",
            f"{transport['document']['type']} {transport['document']['number']}",
        ),
        ("Containers", ", ".join(transport.get("containers") or []) or "-"),
        ("Channel", d.get("channel") or "-"),
    ):
        out.print(f"{label + ':':<20} {value}", highlight=False)
    out.print(_items(d))
    out.print(
        f"Duties and taxes: {account['assessed']} {account['currency']} assessed; "
        f"{account['paid']} paid, {account['guaranteed']} guaranteed.",
        highlight=False,
    )
    out.print(
        f"Journal entry {release['seq']}; verify this note against the node's journal with the "
        f"MRN. Printable: {node}/console/declarations/{d['mrn']}/release-note",
        highlight=False,
    )


def _items(d: dict[str, Any]) -> Any:
    assessment = d.get("assessment") or {}
    assessed = {i["seq"]: i for i in assessment.get("items", [])}
    table = folding_table(
        "#", "description", "tariff line", "origin", "net kg",
        f"customs value {assessment.get('currency', '')}".strip(),
        prose=("description",),
    )  # fmt: skip
    for item in d["document"]["items"]:
        a = assessed.get(item["seq"], {})
        table.add_row(
            str(item["seq"]), item["description"], a.get("tariff_line") or item["hs_code"],
            item["origin"], str(item["net_mass_kg"]), a.get("customs_value", ""),
        )  # fmt: skip
    return table
