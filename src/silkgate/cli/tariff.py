"""``silkgate tariff``: the national tariff schedule, on this machine's database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from silkgate.cli._common import (
    engine,
    fail,
    folding_table,
    local_today,
    login,
    open_local_node,
    out,
    parse_date,
    print_file_errors,
    read_bytes,
    settings,
)

tariff_app = typer.Typer(help="The national tariff schedule.", no_args_is_help=True)


@tariff_app.command("load")
def tariff_load(file: Path) -> None:
    """Check the whole tariff FILE (CSV, or .csv.gz) and make it the active version.

    Every error is listed with its line, and a file with any error changes
    nothing. The previous versions are kept (see `tariff versions`).
    """
    from silkgate.tariff.files import FileErrors

    service = open_local_node().tariff
    try:
        version, parsed = service.load_tariff(read_bytes(file), source=file.name, actor=login())
    except FileErrors as exc:
        print_file_errors(file, exc.errors, "tariff in force is")
        raise typer.Exit(1) from None
    out.print(
        f"[green]tariff version {version} is active[/green]: {parsed.title} — "
        f"{len(parsed.lines):,} lines, {len(parsed.measures):,} measures"
        + (" (illustrative)" if parsed.illustrative else "")
    )


@tariff_app.command("versions")
def tariff_versions() -> None:
    """The loaded versions of the tariff, newest first."""
    from silkgate.store import tariff as store
    from silkgate.store.db import reading

    with reading(engine(settings())) as conn:
        rows = store.tariff_versions_list(conn)
    table = folding_table(
        "version",
        "active",
        "title",
        "lines",
        "measures",
        "loaded (UTC)",
        "by",
        "file",
        prose=("title",),
    )
    for r in rows:
        table.add_row(
            str(r["id"]),
            "yes" if r["active"] else "",
            r["title"] + (" (illustrative)" if r["illustrative"] else ""),
            f"{r['lines']:,}",
            f"{r['measures']:,}",
            r["loaded_at"].isoformat()[:19],
            r["loaded_by"],
            r["source"],
        )
    out.print(table)


@tariff_app.command("activate")
def tariff_activate(version: int) -> None:
    """Make an earlier (or later) loaded version the active tariff."""
    from silkgate.store import tariff as store
    from silkgate.store.db import writing

    with writing(engine(settings())) as conn:
        if not store.activate(conn, version):
            fail(f"there is no tariff version {version} (see `silkgate tariff versions`)")
    out.print(f"[green]tariff version {version} is active[/green]")


@tariff_app.command("show")
def tariff_show(
    code: str,
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
) -> None:
    """The measures in force for a code (chapter, heading, subheading or national line)."""
    service = open_local_node().tariff
    on = parse_date(date) if date else local_today()
    found = service.lookup(code, on)
    if found is None:
        fail(f"no tariff line starts with {code}")
    _print_lines(found, on)


def _print_lines(found: dict[str, Any], on: dt.date) -> None:
    for p in found.get("path", []):
        out.print(f"{p['level']:<10} {p['code']:<6} {p['description']}", highlight=False)
    table = folding_table(
        "line",
        "description",
        "unit",
        "measure",
        "rate",
        "from",
        "to",
        title=f"in force on {on}",
        prose=("description", "rate"),
    )
    for line in found["lines"]:
        first = True
        for m in line["measures"] or [{}]:
            what = m.get("measure", "")
            if m.get("agreement"):
                what += f" ({m['agreement']})"
            table.add_row(
                line["code"] if first else "",
                line["description"] if first else "",
                (line["unit"] or "") if first else "",
                what,
                m.get("label", ""),
                m.get("valid_from", ""),
                m.get("valid_to") or "",
            )
            first = False
    out.print(table)
    tariff = found.get("tariff", {})
    if tariff.get("illustrative"):
        out.print("[yellow]illustrative schedule: not an official tariff[/yellow]")


@tariff_app.command("search")
def tariff_search(
    words: list[str],
    limit: Annotated[int, typer.Option(help="At most this many lines (up to 200).")] = 20,
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
) -> None:
    """Find tariff lines by words of their description (all words must match)."""
    service = open_local_node().tariff
    on = parse_date(date) if date else local_today()
    found = service.search(" ".join(words), on, min(limit, 200) + 1)
    more = len(found["results"]) > limit
    found["results"] = found["results"][:limit]
    table = folding_table(
        "line", "description", "subheading", "duty (general)", prose=("description", "subheading")
    )
    for r in found["results"]:
        duty = next(
            (m["label"] for m in r["measures"] if m["measure"] == "duty" and not m["agreement"]),
            "",
        )
        sub = r["path"][-1]["description"] if r["path"] else ""
        table.add_row(r["code"], r["description"], sub, duty)
    out.print(table)
    if not found["results"]:
        out.print("nothing found")
    elif more:
        out.print(f"the first {limit} lines; --limit for more (up to 200)")
