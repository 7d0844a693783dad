"""``silkgate risk`` on the model: the training history, training, the models, evaluation.

Registered on the ``risk`` group by :mod:`silkgate.cli.risk`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from silkgate.cli._common import (
    acting_principal,
    fail,
    invalid,
    open_local_node,
    out,
    parse_date,
    print_file_errors,
    read_bytes,
)
from silkgate.kernel.errors import InvalidRequest, NotFound

if TYPE_CHECKING:
    import numpy as np


def risk_import_history(
    file: Path,
    format: Annotated[str, typer.Option("--format", help="Only kcs for now")] = "kcs",
) -> None:
    """Load declarations and their outcomes as training history (an empty Fraud: not
    controlled, so the outcome is unknown; such rows teach what is usual, never "compliant")."""
    from silkgate.tariff.files import FileErrors

    if format != "kcs":
        fail("--format must be kcs (the Korea Customs Service dataset format)", 2)
    node = open_local_node()
    try:
        result = node.risk.import_history(read_bytes(file))
    except FileErrors as exc:
        print_file_errors(file, exc.errors, "history is")
        raise typer.Exit(1) from None
    except InvalidRequest as exc:
        invalid(exc)
    out.print(f"[green]{result['added']:,} of {result['rows']:,} rows added to the history[/green]")
    for source, h in result["history"].items():
        what = "declarations" if source == "kcs" else "item rows from this node's controls"
        out.print(
            f"  {source}: {h['rows']:,} {what} ({h['controlled']:,} controlled), "
            f"{h['fraud']:,} with fraud, {h['from']} to {h['to']}"
        )


def risk_train(
    since: Annotated[str | None, typer.Option(help="History from this date (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, typer.Option(help="History until this date")] = None,
    seed: int = 0,
) -> None:
    """Train a model on the history, store it with its card, and make it active."""
    node = open_local_node()
    started = time.perf_counter()
    try:
        result = node.risk.train(
            acting_principal(node).name,
            since=parse_date(since) if since else None,
            until=parse_date(until) if until else None,
            seed=seed,
        )
    except InvalidRequest as exc:
        invalid(exc)
    _print_card(result["id"], result["card"])
    out.print(
        f"[green]model {result['id']} is active[/green] ({time.perf_counter() - started:.0f} s)"
    )


def _print_card(model_id: int, card: dict[str, Any]) -> None:
    data = card["data"]
    out.print(
        f"model {model_id}: {card['algorithm']}, {len(card['features'])} features; trained on "
        f"{data['rows']:,} history rows ({data['fraud']:,} with fraud) from {data['from']} "
        f"to {data['to']} in {card['training_seconds']} s"
    )
    v = card.get("validation") or {}
    if v:
        out.print(
            f"  validated on the newest {v['rows']:,} (from {v['validated_from']}): "
            + "  ".join(f"{k} {v[k]:.3f}" for k in v if "@" in k)
        )


def risk_models() -> None:
    """The trained models, newest first, with their cards."""
    node = open_local_node()
    for m in node.risk.models():
        _print_card(m["id"], m["card"])
        if m["active"]:
            out.print("  [green]active[/green]")


def risk_activate(model_id: int) -> None:
    """Make an earlier (or later) model the active one."""
    node = open_local_node()
    try:
        node.risk.activate_model(model_id)
    except NotFound as exc:
        fail(str(exc))
    out.print(f"[green]model {model_id} is active[/green]")


def risk_evaluate(
    train: Annotated[list[Path], typer.Option("--train", help="KCS-format CSV to train on")],
    test: Annotated[Path, typer.Option("--test", help="KCS-format CSV to score")],
    scores: Annotated[Path, typer.Option("--scores", help="Where to write Declaration ID,score")],
    seed: Annotated[list[int], typer.Option("--seed", help="Seeds to average (repeat)")] = [0],  # noqa: B006
) -> None:
    """Train on the --train files only and score --test, with the node's own model code.

    Prints precision@1/5/10% and recall@n% when the test file has a Fraud
    column; works without it. Needs no database.
    """
    import numpy as np

    from silkgate.risk import kcs

    rows: list[dict[str, str]] = []
    for path in train:
        part, labelled = _read_kcs(path)
        if not labelled:
            fail(f"{path} has no Fraud column: training needs labels", 2)
        rows.extend(part)
    test_rows, test_labelled = _read_kcs(test)
    test_labelled = test_labelled and all((r.get(kcs.FRAUD) or "") != "" for r in test_rows)
    y = np.asarray([int(r[kcs.FRAUD]) for r in test_rows], dtype=float) if test_labelled else None
    if y is not None and any(r.get(kcs.CRITICAL) for r in test_rows):
        # Critical frauds are reported on their own as well (the model ranks them first).
        critical = np.asarray([r.get(kcs.CRITICAL) == "2" for r in test_rows], dtype=float)
        y = np.vstack([y, critical])
    runs = [_train_and_score(rows, test_rows, s, y) for s in seed]
    final = np.mean(runs, axis=0)
    with scores.open("w", encoding="utf-8", newline="") as f:
        f.write("Declaration ID,score\n")
        for row, value in zip(test_rows, final, strict=True):
            f.write(f"{row[kcs.ID]},{value:.6f}\n")
    out.print(f"wrote {len(test_rows):,} scores to {scores}")
    if y is not None:
        label = "mean of the seeds' scores" if len(seed) > 1 else "scores"
        out.print(f"{label}: " + _metrics(y, final))


def _read_kcs(path: Path) -> tuple[list[dict[str, str]], bool]:
    """The rows of a KCS-format file, and whether it has the Fraud labels."""
    from silkgate.risk import kcs
    from silkgate.tariff.files import FileErrors

    try:
        return kcs.read(read_bytes(path).decode("utf-8-sig"))
    except FileErrors as exc:
        print_file_errors(path, exc.errors, "evaluation is")
        raise typer.Exit(1) from None


def _train_and_score(
    rows: list[dict[str, str]],
    test_rows: list[dict[str, str]],
    seed: int,
    y: np.ndarray[Any, Any] | None,
) -> Any:
    """One seed's scores of the test rows, by a model trained on ``rows``."""
    from silkgate.risk import kcs
    from silkgate.risk.model import score as score_rows
    from silkgate.risk.model import train as train_model

    # An empty Fraud: not controlled, the outcome unknown (not "compliant").
    labels = [float(r[kcs.FRAUD]) if r.get(kcs.FRAUD) else None for r in rows]
    started = time.perf_counter()
    builder, booster = train_model(rows, labels, seed)
    took = time.perf_counter() - started
    scored = score_rows(builder, booster, test_rows)
    known = sum(1 for v in labels if v is not None)
    out.print(
        f"seed {seed}: trained on {len(rows):,} declarations ({known:,} with an outcome) "
        f"in {took:.1f} s"
    )
    if y is not None:
        out.print("  " + _metrics(y, scored))
    return scored


def _metrics(y: np.ndarray[Any, Any], scored: Any) -> str:
    """The figures on one line, and the critical frauds' on the next if ``y`` has them."""
    from silkgate.risk.model import ranking_metrics

    fraud, critical = (y[0], y[1]) if y.ndim == 2 else (y, None)
    m = ranking_metrics(fraud, scored, critical)
    line = "  ".join(f"{k} {v:.4f}" for k, v in m.items() if not k.startswith("critical"))
    if critical is not None:
        line += "\n  critical: " + "  ".join(
            f"{k[9:]} {v:.4f}" for k, v in m.items() if k.startswith("critical")
        )
    return line


def risk_replay(
    stream: Annotated[Path, typer.Argument(help="KCS-format CSV with outcomes, replayed by week")],
    history: Annotated[
        list[Path] | None,
        typer.Option("--history", help="KCS-format CSV known before (empty Fraud: not controlled)"),
    ] = None,
    strategy: Annotated[
        list[str] | None,
        typer.Option(
            "--strategy",
            help="exploit, random, adaptive or full (repeat; default: the first three)",
        ),
    ] = None,
    budget: Annotated[
        float, typer.Option(help="Share of each week's declarations selected")
    ] = 0.10,
    explore: Annotated[
        float, typer.Option(help="random: the budget's share explored; adaptive: a quarter each")
    ] = 0.10,
    retrain_every: Annotated[int, typer.Option(help="Weeks between trainings")] = 4,
    seed: int = 0,
    weekly: Annotated[bool, typer.Option(help="Print every week")] = True,
) -> None:
    """Replay a stream week by week: select within the budget, learn only what was selected.

    Prints per week and in total: precision, frauds caught, the share explored (no database).
    """
    from silkgate.risk import replay as r

    if not 0 < budget <= 1 or not 0 <= explore <= 1 or retrain_every < 1:
        fail("--budget must be in (0, 1], --explore in [0, 1], --retrain-every at least 1", 2)
    chosen = strategy or ["exploit", "random", "adaptive"]
    unknown = [s for s in chosen if s not in r.STRATEGIES]
    if unknown:
        fail(f"--strategy {unknown[0]!r}: one of {', '.join(r.STRATEGIES)}", 2)
    past: list[dict[str, str]] = []
    for path in history or []:
        past.extend(_read_kcs(path)[0])
    rows, labelled = _read_kcs(stream)
    if not labelled or any((x.get("Fraud") or "") == "" for x in rows):
        fail(f"{stream}: every row of the stream needs its outcome (Fraud 0 or 1)", 2)
    totals = {}
    for name in chosen:
        out.print(
            f"[bold]{name}[/bold]: budget {budget:.0%}, retrained every {retrain_every} week(s)"
        )
        result = r.replay(
            past, rows, strategy=name, train=_replay_train, score=_replay_score,
            budget=budget, explore=explore, retrain_every=retrain_every, seed=seed,
            on_week=_print_week if weekly else None,
        )  # fmt: skip
        totals[name] = result.totals()
    _print_totals(totals)


def _replay_train(rows: Any, labels: Any, seed: int) -> Any:
    from silkgate.risk.model import train

    return train(rows, labels, seed)


def _replay_score(model: Any, rows: Any) -> Any:
    from silkgate.risk.model import score

    builder, booster = model
    return score(builder, booster, rows)


def _print_week(w: Any) -> None:
    out.print(
        f"  week of {w.start}: {w.rows:5,} declarations, {w.selected:4,} selected, "
        f"{w.caught:4,} of {w.frauds:4,} frauds caught (precision {w.precision:.2f}), "
        f"{w.explored:3,} explored" + ("" if w.trained else " (no model yet: at random)")
    )


def _print_totals(totals: dict[str, dict[str, float]]) -> None:
    from rich.table import Table

    table = Table("strategy", "selected", "precision", "frauds caught", "critical caught",
                  "explored", "explored precision")  # fmt: skip
    for name, t in totals.items():
        table.add_row(
            name, f"{t['selected']:,.0f}", f"{t['precision']:.3f}", f"{t['recall']:.3f}",
            f"{t['critical_recall']:.3f}", f"{t['exploration_share']:.1%}",
            f"{t['exploration_precision']:.3f}",
        )  # fmt: skip
    out.print(table)
