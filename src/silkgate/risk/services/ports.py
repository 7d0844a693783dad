"""What the risk use cases need from the rest of the node, as narrow contracts.

The node wires the real collaborators (the SPS service, the exchange's partner
agreements, the AEO register); each has a default that keeps risk working on
its own: no SPS requirements, no partner under mutual recognition, no one to
tell of an AEO change, no trained model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import sqlalchemy as sa

from silkgate.declarations.document import DeclarationDocument


class Scorer(Protocol):
    """A trained model: fraud probability of items, and why."""

    model_id: int

    def score_items(self, facts: list[dict[str, Any]], on: dt.date) -> list[float]: ...

    def explain(self, facts: dict[str, Any], on: dt.date, top: int = 5) -> list[dict[str, Any]]: ...


class SpsRequirements(Protocol):
    """The SPS controls that apply to the items of a declaration (the SPS service)."""

    def applicable(self, doc: DeclarationDocument, on: dt.date) -> Sequence[Any]: ...


ModelLoader = Callable[[dict[str, Any] | None], Scorer | None]
"""Builds a scorer from a stored model row (keeps LightGBM an optional dependency)."""

MraPartners = Callable[[], list[str]]
"""The partners whose AEOs this node recognises (mutual recognition)."""

AeoChanged = Callable[[sa.Connection, dt.datetime], None]
"""Told, in the transaction that changed it, that this node's AEO register changed."""


def no_partners() -> list[str]:
    """No partner under mutual recognition."""
    return []
