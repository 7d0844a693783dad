"""The agencies' LPCOs in the declaration use cases: refused, held or drawn down.

Lodging and amendment ask the ``LicenceChecks`` port (``declarations/ports.py``);
this module holds what they do with the answer: a refusal is an
:class:`InvalidDeclaration` naming the fields, a hold is a signal (the goods go
under control, at least yellow, with the reason), and ``item.lpco`` goes to
selectivity as a fact.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from silkgate.declarations.document import DeclarationDocument
from silkgate.declarations.ports import Signal
from silkgate.declarations.services.context import Context
from silkgate.declarations.services.screening import Lodging, Outcome
from silkgate.declarations.validation import InvalidDeclaration
from silkgate.kernel.events import UnitOfWork

# The channel at least of goods held for an LPCO: a documentary check.
HOLD_CHANNEL = "yellow"


def verified(ctx: Context, doc: DeclarationDocument, on: dt.date) -> Any:
    """The check before the write (None when no item needs an LPCO); a refusal raises."""
    if ctx.lpco is None:
        return None
    checked = ctx.lpco.verify(doc, on)
    refused(checked)
    return checked if checked.findings else None


def refused(checked: Any) -> None:
    if checked is not None and checked.refusals:
        raise InvalidDeclaration(list(checked.refusals))


def facts(checked: Any) -> Mapping[int, str] | None:
    """``item.lpco`` by item, for selectivity (None: no item needs an LPCO)."""
    return checked.facts if checked is not None and checked.findings else None


def signals(checked: Any) -> list[Signal]:
    """A signal per item held for its LPCO."""
    if checked is None:
        return []
    return [Signal(HOLD_CHANNEL, reason) for reason in checked.holds]


def secure(
    ctx: Context,
    conn: sa.Connection,
    lodgings: list[Lodging],
    fresh: list[int],
    outcomes: list[Outcome | None],
) -> list[int]:
    """Draw down the LPCOs a batch relies on, under the write lock; the lodgings left.

    A lodging whose check changed since ``prepare`` (another lodging drew the
    balance meanwhile, an LPCO was suspended) is selected again with the new
    facts; one now refused gets its :class:`InvalidDeclaration` as its outcome and
    draws nothing.
    """
    checked = [i for i in fresh if lodgings[i].lpco is not None]
    if ctx.lpco is None or not checked:
        return fresh
    now = ctx.lpco.secure(
        conn, [(lodgings[i].document, lodgings[i].assessment.on) for i in checked]
    )
    dropped = set()
    for i, result in zip(checked, now, strict=True):
        lodging = lodgings[i]
        if result.refusals:
            outcomes[i] = InvalidDeclaration(list(result.refusals))
            dropped.add(i)
            continue
        lodgings[i] = _decided_again(ctx, dataclasses.replace(lodging, lpco=result), lodging)
    return [i for i in fresh if i not in dropped]


def _decided_again(ctx: Context, lodging: Lodging, before: Lodging) -> Lodging:
    if ctx.risk is None or lodging.lpco.facts == before.lpco.facts:
        return lodging
    decision = ctx.risk.decide(
        lodging.document, lodging.assessment, lodging.assessment.on, facts(lodging.lpco)
    )
    return dataclasses.replace(
        lodging,
        decision=decision,
        decision_row=ctx.risk.decision_row(decision, ctx.risk.model_id()),
    )


def record(
    ctx: Context,
    uow: UnitOfWork,
    stored: list[tuple[tuple[int, str, int], Any]],
    at: dt.datetime,
    *,
    replacing: bool = False,
) -> None:
    """Keep the checks and draw-downs of stored declarations ``((id, mrn, version), check)``;
    ``replacing``: they replace an earlier version's (a check of None leaves none)."""
    entries = stored if replacing else [(key, c) for key, c in stored if c is not None]
    if ctx.lpco is not None and entries:
        ctx.lpco.record(uow, entries, at, replacing=replacing)
