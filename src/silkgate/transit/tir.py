"""TIR carnets standing in for a transit guarantee.

Under the TIR Convention a carnet, issued to the holder by its national
guaranteeing association, secures the duties of one transport up to the
association's guarantee level; it has a number of vouchers, a pair used in
each country of the route (one at entry or departure, one at exit or
destination). A route may be run under a carnet only if every country of
routing applies the Convention (``files/tir.csv``, illustrative data).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib.resources import files

from silkgate.kernel.errors import FieldError

VOUCHERS_PER_COUNTRY = 2


@cache
def accepting() -> frozenset[str]:
    """The countries that accept a TIR carnet (the shipped list)."""
    text = (files("silkgate.transit") / "files" / "tir.csv").read_text()
    rows = [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]
    return frozenset(rows[1:])


def check(routing: Sequence[str], vouchers: int, carnet: str) -> list[FieldError]:
    """The problems of running ``routing`` under the carnet (empty: it may)."""
    refused = [c for c in routing if c not in accepting()]
    if refused:
        said = f"TIR carnet {carnet} is not accepted in {', '.join(refused)}"
        return [FieldError("/guarantee", "tir_not_accepted", said)]
    needed = VOUCHERS_PER_COUNTRY * len(routing)
    if vouchers < needed:
        said = (
            f"TIR carnet {carnet} has {vouchers} vouchers; a route through "
            f"{len(routing)} countries needs {needed}"
        )
        return [FieldError("/guarantee", "vouchers", said)]
    return []
