"""The declaration use cases of one node, behind one object for the edges (API, console, CLI).

Each use case lives in its own module and runs in one unit of work:
``lodging`` (prepare, group commit), ``amendment`` (amend, correct),
``decisions`` (officers' decisions, cancellation), ``payments`` (assessment,
account, payments and guarantees) and ``queries`` (reading). This class only
composes them over one :class:`~silkgate.declarations.services.context.Context`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from silkgate.declarations.services.amendment import Amendments
from silkgate.declarations.services.context import Context
from silkgate.declarations.services.decisions import Decisions
from silkgate.declarations.services.information import Information
from silkgate.declarations.services.lodging import Lodging, Lodgings, Outcome, request_fingerprint
from silkgate.declarations.services.payments import Payments
from silkgate.declarations.services.queries import Page, Queries
from silkgate.declarations.validation import CodeLists
from silkgate.kernel.clock import Clock
from silkgate.store import declarations as store

__all__ = ["DeclarationService", "Lodging", "Outcome", "Page", "request_fingerprint"]


class DeclarationService:
    """Lodging, amending, deciding, paying and reading declarations."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.lodgings = Lodgings(ctx)
        self.amendments = Amendments(ctx)
        self.decisions = Decisions(ctx)
        self.payments = Payments(ctx)
        self.queries = Queries(ctx)
        self.information = Information(ctx)
        # The edges call these directly.
        self.prepare = self.lodgings.prepare
        self.replay = self.lodgings.replay
        self.lodge = self.lodgings.lodge
        self.commit = self.lodgings.commit
        self.amend = self.amendments.amend
        self.correct = self.amendments.correct
        self.act = self.decisions.act
        self.assessment = self.payments.assessment
        self.account = self.payments.account
        self.record_payment = self.payments.record_payment
        self.get = self.queries.get
        self.version = self.queries.version
        self.versions = self.queries.versions
        self.timeline = self.queries.timeline
        self.search = self.queries.search

    @property
    def codes(self) -> CodeLists:
        return self.ctx.codes

    @property
    def zone(self) -> ZoneInfo:
        return self.ctx.zone

    @property
    def clock(self) -> Clock:
        return self.ctx.clock

    @property
    def currency(self) -> str:
        return self.ctx.currency

    def today(self, at: dt.datetime) -> dt.date:
        """The administration's local date at ``at``."""
        return self.ctx.today(at)

    def summary(self, d: store.StoredDeclaration) -> dict[str, Any]:
        return self.queries.summary(d)
