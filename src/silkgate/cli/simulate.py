"""``silkgate simulate``: invented import traffic through the whole node, then the TRS."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Annotated

import typer

from silkgate.cli._common import engine, fail, open_local_node, out, settings
from silkgate.cli.trs import print_trs
from silkgate.config import Settings
from silkgate.kernel.clock import Clock, ManualClock, system_clock

if TYPE_CHECKING:
    from silkgate.node import Node
    from silkgate.simulation import Simulation, Tally


def simulate(
    declarations: Annotated[int, typer.Option(help="How many import declarations")] = 1000,
    days: Annotated[int, typer.Option(help="Spread over the last DAYS days")] = 30,
    seed: int = 1,
) -> None:
    """Simulate import traffic through the whole node, then print the Time Release Study.

    Lodging, assessment, selectivity, joint inspection with simulated officer
    time and findings, payment, release: on a demo (or test) node's database,
    with invented traffic.
    """
    from silkgate.simulation import Simulation

    config = settings()
    if config.mode.value == "production":
        fail("the simulation invents traffic: run it on a demo node (SILKGATE_MODE=demo)")
    _demo_ready(config)
    # The simulated officers' time passes on a clock of the simulation's own.
    node = open_local_node(ManualClock(system_clock()))
    simulation = Simulation(node, seed=seed, days=days)
    started = time.perf_counter()
    tally = _run(simulation, declarations)
    _print_tally(tally, time.perf_counter() - started)
    _print_study(node, simulation, days, system_clock)


def _run(simulation: Simulation, declarations: int) -> Tally:
    """Run the simulation with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=out,
    ) as progress:
        task = progress.add_task("simulating", total=declarations)
        return simulation.run(declarations, lambda n: progress.update(task, completed=n))


def _print_tally(tally: Tally, took: float) -> None:
    channels = ", ".join(f"{c} {n:,}" for c, n in sorted(tally.channels.items()))
    out.print(
        f"{tally.lodged:,} declarations lodged in {took:.0f} s ({tally.refused} refused); "
        f"channels: {channels}"
    )
    outcomes = ", ".join(f"{k} {v:,}" for k, v in sorted(tally.outcomes.items()))
    out.print(
        f"{tally.inspected:,} joint inspections; undervaluation planted in "
        f"{tally.fraud_planted:,} declarations, found in {tally.fraud_found:,}; quarantine "
        f"problems in {tally.sps_planted:,} inspected ones, found in {tally.sps_found:,}; "
        f"outcomes: {outcomes}"
    )


def _print_study(node: Node, simulation: Simulation, days: int, clock: Clock) -> None:
    """The Time Release Study of the simulated days (which may run past today)."""
    now = clock()
    end = simulation.clock().date()
    start = (now - dt.timedelta(days=days)).date()
    print_trs(node.trs.report(start, max(end, now.date()), "channel"))


def _demo_ready(config: Settings) -> None:
    """Migrate and load the demo data the simulation needs, as `demo setup` does."""
    from silkgate import demo
    from silkgate.store import migrate, refdata

    out.print(f"database {config.database_location()}", highlight=False, soft_wrap=True)
    migrate.upgrade(config.database_url, journal_key=config.journal_keys().sealing())
    db = engine(config)
    refdata.load(db)
    demo.setup(db, config.secret_key, config.administration)
    for line in [
        *demo.load_tariff(config, db),
        *demo.load_profiles(config, db),
        *demo.load_sps(config, db),
    ]:
        out.print(line)
