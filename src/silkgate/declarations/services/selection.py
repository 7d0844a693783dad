"""Selectivity's decision as the declaration's lifecycle sees it, and as it is stored."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa

from silkgate.declarations.aggregate import Selection, stricter
from silkgate.declarations.ports import Selector, Signal
from silkgate.store import risk as risk_store


def selection_of(decision: Any) -> Selection:
    """The lifecycle's view of a risk decision (channel, reasons, quarantine)."""
    return Selection(
        channel=decision.channel.value,
        reasons=tuple(decision.reasons),
        sps_requirements=tuple(decision.sps_requirements),
        quarantine=bool(decision.sps),
        verify_origin=tuple(
            (h.item_seq, f"risk profile {h.profile.name} (version {h.profile.version})")
            for h in decision.hits
            if h.profile.effect == "verify"
        ),
    )


def store_decision(
    conn: sa.Connection,
    risk: Selector,
    decision: Any,
    *,
    declaration_id: int,
    version: int,
    at: dt.datetime,
) -> None:
    """Keep the decision taken on a version (the officer's risk card reads it)."""
    risk_store.insert_decisions(
        conn,
        [
            {
                "declaration_id": declaration_id,
                "version": version,
                "decided_at": at,
                **risk.decision_row(decision, risk.model_id()),
            }
        ],
    )


def with_signals(decision: Any, signals: list[Signal]) -> Any:
    """The decision with signals found at lodging: at least each signal's channel, and why.

    Selectivity stays one decision: the signal is a reason inside it, the
    channel the stricter of the two.
    """
    if not signals:
        return decision
    channel = decision.channel.value
    for signal in signals:
        channel = stricter(channel, signal.channel) or channel
    return dataclasses.replace(
        decision,
        channel=type(decision.channel)(channel),
        reasons=[*decision.reasons, *(s.reason for s in signals)],
    )
