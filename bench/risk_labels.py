"""Benchmark: the risk model when only part of the history carries an outcome.

    .venv/bin/python bench/risk_labels.py --share 0.1 --mask random --seed 0
    .venv/bin/python bench/risk_labels.py --share 0.1 --mask targeted

Trains on the KCS 2020 file (``df_syn_train_eng.csv``) with the outcome kept on
``--share`` of its rows only, and scores the 2021 Q1 file. Masks:

- ``random``: the outcome is kept on a uniform random share (a control
  programme that selected at random);
- ``targeted``: kept on the rows an administration's own earlier targeting
  chose: the highest tax amount and the lowest unit value for the commodity,
  plus a fifth of the share at random (what rule-based selection looks like).

Variants: ``labelled only`` (the rows without an outcome dropped, as before),
``all rows`` (every row teaches prices and volumes; only labelled rows teach
rates and trees), and ``all rows + pseudo-labels`` (a second stage trained
with the first stage's most and least suspicious unlabelled rows as labels).
Prints precision@1/5/10 %; asserts nothing about time. The data folder is
``--data`` (default: the project's copy used by the tests, ``tests/data/kcs``
if present, else ``../shared/data/kcs-declarations``).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

import numpy as np

from silkgate.risk import kcs
from silkgate.risk.model import ranking_metrics, score, train, train_semi

SHOWN = ("precision@1%", "precision@5%", "precision@10%", "critical recall@5%")


def _arguments() -> argparse.Namespace:
    here = Path(__file__).resolve().parent.parent
    default = here.parent / "shared" / "data" / "kcs-declarations"
    a = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    a.add_argument("--data", type=Path, default=default)
    a.add_argument("--share", type=float, default=0.1)
    a.add_argument("--mask", choices=("random", "targeted"), default="random")
    a.add_argument("--seed", type=int, action="append")
    a.add_argument("--variant", action="append", choices=("labelled", "all", "pseudo"))
    return a.parse_args()


def kept(rows: list[dict[str, str]], share: float, mask: str, rng: random.Random) -> list[bool]:
    """Which rows keep their outcome."""
    n = len(rows)
    k = int(n * share)
    if mask == "random":
        chosen = set(rng.sample(range(n), k))
        return [i in chosen for i in range(n)]
    # Targeted: tax amount and low unit value for the HS6, as rules would; a fifth at random.
    by_hs: dict[str, list[float]] = {}
    uv = []
    for r in rows:
        mass, price = float(r["Net Mass"] or 0), float(r["Item Price"] or 0)
        u = math.log1p(price / mass) if mass > 0 else 0.0
        uv.append(u)
        by_hs.setdefault(r["HS6 Code"], []).append(u)
    median = {h: float(np.median(v)) for h, v in by_hs.items()}
    risk = []
    for r, u in zip(rows, uv, strict=True):
        tax = float(r["Item Price"] or 0) * float(r["Tax Rate"] or 0) / 100
        risk.append(math.log1p(tax) + 2 * (median[r["HS6 Code"]] - u))
    order = sorted(range(n), key=lambda i: -risk[i])
    chosen = set(order[: k - k // 5])
    rest = [i for i in range(n) if i not in chosen]
    chosen |= set(rng.sample(rest, k // 5))
    return [i in chosen for i in range(n)]


def main() -> None:
    args = _arguments()
    rows, _ = kcs.read((args.data / "df_syn_train_eng.csv").read_text(encoding="utf-8-sig"))
    test, _ = kcs.read((args.data / "df_syn_valid_eng.csv").read_text(encoding="utf-8-sig"))
    y_test = np.asarray([int(r[kcs.FRAUD]) for r in test], dtype=float)
    c_test = np.asarray([r[kcs.CRITICAL] == "2" for r in test], dtype=float)
    seeds = args.seed or [0]
    variants = args.variant or ["labelled", "all", "pseudo"]
    results: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    for seed in seeds:
        mask = kept(rows, args.share, args.mask, random.Random(seed))
        labels: list[float | None] = [
            float(r[kcs.FRAUD]) if m else None for r, m in zip(rows, mask, strict=True)
        ]
        known = [r for r, m in zip(rows, mask, strict=True) if m]
        fraud = sum(v or 0 for v in labels)
        print(f"seed {seed}: {len(known):,} of {len(rows):,} rows keep an outcome "
              f"({fraud:.0f} frauds, {fraud / len(known):.1%})")  # fmt: skip
        for v in variants:
            started = time.perf_counter()
            if v == "labelled":
                builder, booster = train(known, [float(r[kcs.FRAUD]) for r in known], seed)
            elif v == "all":
                builder, booster = train(rows, labels, seed, unlabelled=True)
            else:
                builder, booster = train_semi(rows, labels, seed)
            took = time.perf_counter() - started
            m = ranking_metrics(y_test, score(builder, booster, test), c_test)
            results[v].append(m)
            print(f"  {v:9} {took:5.1f} s  " + "  ".join(
                f"{k} {m[k]:.3f}" for k in SHOWN
            ))  # fmt: skip
    if len(seeds) > 1:
        for v, ms in results.items():
            mean = {k: sum(m[k] for m in ms) / len(ms) for k in ms[0]}
            print(f"mean {v:9} " + "  ".join(
                f"{k} {mean[k]:.3f}" for k in SHOWN
            ))  # fmt: skip
    sys.stdout.flush()


if __name__ == "__main__":
    main()
