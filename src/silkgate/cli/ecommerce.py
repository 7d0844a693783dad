"""``silkgate ecommerce``: send a list of any size to a node, make illustrative lists, accept
a guarantee, run the timeout sweep (docs/ecommerce.md).

``send`` streams the file: it reads at most one request's worth of records (10,000
lines, or the byte limit) at a time, posts it, writes the refused lines' results and
moves on, so its memory stays flat whatever the file's size.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, BinaryIO

import httpx
import orjson
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from silkgate.cli._common import acting_principal, err, fail, guard, open_local_node, out
from silkgate.cli.client import NODE, TOKEN_MISSING, NodeUrl, Token, print_problem
from silkgate.ecommerce import samples
from silkgate.ecommerce.commands import GuaranteeAccepted
from silkgate.ecommerce.records import Kind
from silkgate.kernel.commands import parse

ecommerce_app = typer.Typer(help="Cross-border e-commerce parcels, in bulk.", no_args_is_help=True)
CHUNK_RECORDS = 10_000
CHUNK_BYTES = 15_000_000  # under the node's default 16 MB a request


def chunks(
    handle: BinaryIO, records: int = CHUNK_RECORDS, size: int = CHUNK_BYTES
) -> Iterator[list[bytes]]:
    """The file's non-empty lines, a request's worth at a time."""
    batch: list[bytes] = []
    held = 0
    for line in handle:
        if not line.strip():
            continue
        if batch and (len(batch) == records or held + len(line) > size):
            yield batch
            batch, held = [], 0
        batch.append(line.rstrip(b"\r\n"))
        held += len(line)
    if batch:
        yield batch


def _post(client: httpx.Client, url: str, batch: list[bytes]) -> list[dict[str, object]]:
    try:
        response = client.post(url, content=b"\n".join(batch) + b"\n")
    except httpx.HTTPError as exc:
        fail(f"cannot reach the node at {url}: {exc}")
    if response.status_code >= 400:
        print_problem(response)
        raise typer.Exit(1)
    return [orjson.loads(line) for line in response.content.splitlines() if line.strip()]


@ecommerce_app.command()
def send(
    kind: Annotated[Kind, typer.Argument(help="orders, payments, waybills or parcels")],
    file: Annotated[Path, typer.Argument(help="NDJSON file: one record a line ('-': stdin)")],
    node: NodeUrl = NODE,
    token: Token = "",
    refused: Annotated[
        Path | None, typer.Option(help="Write the refused records' results here (NDJSON)")
    ] = None,
) -> None:
    """Send a list of any size, 10,000 records a request, with a progress bar."""
    if not token.strip():
        fail(TOKEN_MISSING, 2)
    source = sys.stdin.buffer if str(file) == "-" else _open(file)
    total = None if str(file) == "-" else file.stat().st_size
    counts = {"accepted": 0, "unchanged": 0, "refused": 0}
    offset = 0
    sink = refused.open("wb") if refused else None
    headers = {"Authorization": f"Bearer {token.strip()}", "Content-Type": "application/x-ndjson"}
    url = f"{node.rstrip('/')}/v1/ecommerce/{kind.value}"
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with (
        httpx.Client(headers=headers, timeout=300) as client,
        Progress(*columns, console=err) as bar,
    ):
        task = bar.add_task(f"{kind.value}", total=total)
        for batch in chunks(source):
            for result in _post(client, url, batch):
                counts[str(result["status"])] += 1
                if result["status"] == "refused":
                    # The line number in the file, not in the request.
                    result["line"] = int(str(result["line"])) + offset
                    if sink is not None:
                        sink.write(orjson.dumps(result) + b"\n")
            offset += len(batch)
            bar.update(task, advance=sum(len(line) + 1 for line in batch))
            # httpx's request and response objects refer to each other, and the cycles hold
            # the request's megabytes until a full collection, which allocating bytes never
            # triggers: without this the memory grew with the file (490 MB for a million
            # orders; with it, flat at about 120 MB).
            gc.collect()
    if sink is not None:
        sink.close()
    out.print(
        f"{kind.value}: {counts['accepted']} accepted, {counts['unchanged']} unchanged "
        f"(sent before), {counts['refused']} refused"
    )
    if counts["refused"]:
        raise typer.Exit(1)


def _open(file: Path) -> BinaryIO:
    try:
        return file.open("rb")
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")


@ecommerce_app.command()
def sample(
    kind: Annotated[Kind, typer.Argument(help="orders, payments, waybills or parcels")],
    count: Annotated[int, typer.Argument(min=1, max=100_000_000)],
    start: Annotated[int, typer.Option(min=0, help="The first parcel's number")] = 0,
    prefix: Annotated[str, typer.Option(help="Order numbers start with this")] = "D",
) -> None:
    """Print an illustrative list (demo data) of COUNT records as NDJSON."""
    write = sys.stdout.buffer.write
    for record in samples.stream(kind.value, start, count, prefix=prefix):
        write(orjson.dumps(record) + b"\n")


@ecommerce_app.command()
def guarantee(
    agent: Annotated[str, typer.Argument(help="The agent's party id")],
    amount: Annotated[str, typer.Argument(help="The guarantee's new total, national currency")],
    reference: Annotated[str, typer.Option(help="The guarantee's reference")] = "GUARANTEE",
) -> None:
    """Accept an agent's guarantee for parcels' tax (on this machine's node, as staff)."""
    body = {"agent": agent, "amount": amount, "reference": reference}
    command = guard(parse, GuaranteeAccepted, body)
    node = open_local_node()
    principal = acting_principal(node)
    found = guard(
        node.ecommerce.set_guarantee, principal, command.agent, command.amount, command.reference
    )
    out.print(
        f"guarantee of {found['agent']}: {found['amount']} {found['currency']}, "
        f"{found['left']} left"
    )


@ecommerce_app.command()
def sweep() -> None:
    """Hold the parcels whose records are not all there in time (on this machine's node)."""
    node = open_local_node()
    held = guard(node.ecommerce.sweep, acting_principal(node))
    out.print(f"{held} parcel(s) held as incomplete")
