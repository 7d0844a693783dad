"""Lodging: validate and price on the request's thread, then store batches in one transaction.

``prepare`` does everything that needs no write (who lodges, validation, the
check of e-CO preference claims against what was received (one read, and
only when an e-CO is claimed), assessment, selectivity); ``commit`` stores a
batch of prepared lodgings with a handful of statements and one unit of work
(the group commit behind the API): idempotency keys and LRNs are checked
under the write lock, the certificates' quantities covered, each declaration
is lodged by the aggregate, and its events are journaled and handled before
the one commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.declarations.aggregate import Declaration
from silkgate.declarations.mrn import new_mrn
from silkgate.declarations.services import licences
from silkgate.declarations.services.amendment import assessed_note, brief
from silkgate.declarations.services.context import Context
from silkgate.declarations.services.queries import summary
from silkgate.declarations.services.screening import (
    REUSED,
    Lodging,
    Outcome,
    key_row,
    refuse_used_lrns,
    replay_of,
    request_fingerprint,
    screen_keys,
)
from silkgate.declarations.services.selection import selection_of, with_signals
from silkgate.declarations.validation import InvalidDeclaration, validate
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import FieldError, Forbidden, IdempotencyKeyReused
from silkgate.kernel.events import UnitOfWork
from silkgate.store import declarations as store
from silkgate.store import risk as risk_store
from silkgate.store import tariff as tariff_store
from silkgate.store.db import reading

__all__ = ["REUSED", "Lodging", "Lodgings", "Outcome", "request_fingerprint"]


class Lodgings:
    """The lodging use case."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def prepare(
        self,
        principal: Principal,
        raw: Any,
        *,
        idempotency_key: str | None = None,
        fingerprint: str | None = None,
        body: bytes | None = None,
    ) -> Lodging:
        """Check who lodges and validate the document: everything that needs no database.

        ``body`` is the JSON text ``raw`` was parsed from, when there is one.
        """
        ctx = self.ctx
        if principal.role is not Role.DECLARANT:
            raise Forbidden("only a declarant lodges declarations")
        today = ctx.today(ctx.clock())
        doc = validate(raw, ctx.codes, today, body=body)
        if doc.declarant.id != principal.party_id:
            raise InvalidDeclaration(
                [
                    FieldError(
                        "/declarant/id",
                        "not_your_identifier",
                        "must be the trader identifier your credentials were issued to",
                    )
                ]
            )
        verdicts = ctx.origin.verify(doc, today) if ctx.origin is not None else {}
        lpco = licences.verified(ctx, doc, today)
        assessment, decision, decision_row = self._priced(doc, today, verdicts, lpco)
        if idempotency_key is not None and fingerprint is None:
            fingerprint = request_fingerprint(orjson.dumps(raw))
        return Lodging(
            principal,
            doc,
            idempotency_key,
            fingerprint,
            store.new_declaration(doc),
            assessment,
            tariff_store.assessment_row(assessment),
            decision,
            decision_row,
            verdicts,
            lpco,
        )

    def _priced(
        self, doc: Any, today: dt.date, verdicts: Mapping[int, Any], lpco: Any = None
    ) -> tuple[Any, Any, dict[str, Any] | None]:
        """The assessment and the selectivity decision (and its row) of a document."""
        ctx = self.ctx
        # Assessed as of the day of lodging: the tariff and rate in force when the
        # declaration is accepted are the ones that apply.
        assessment = (
            ctx.tariff.assess(doc, today, verdicts) if verdicts else ctx.tariff.assess(doc, today)
        )
        decision = decision_row = None
        if ctx.risk is not None:
            checked = licences.facts(lpco)
            decision = (
                ctx.risk.decide(doc, assessment, today, checked)
                if checked
                else ctx.risk.decide(doc, assessment, today)
            )
            decision_row = ctx.risk.decision_row(decision, ctx.risk.model_id())
        return assessment, decision, decision_row

    def replay(
        self, principal: Principal, key: str, fingerprint: str | None
    ) -> dict[str, Any] | None:
        """The first response to a request with this Idempotency-Key, if there was one."""
        with reading(self.ctx.engine) as conn:
            found = store.find_idempotent(conn, principal.id, key)
            return replay_of(found, fingerprint or "")

    def lodge(
        self,
        principal: Principal,
        raw: Any,
        *,
        idempotency_key: str | None = None,
        fingerprint: str | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """Lodge a declaration; the summary, and whether it is a replay of an earlier lodging.

        With an ``idempotency_key``, a retry of the same request returns the
        first response and lodges nothing; the same key with a different body
        is refused.
        """
        if idempotency_key is not None:
            # A replay needs no validation: answer it before doing any work.
            fingerprint = fingerprint or request_fingerprint(orjson.dumps(raw))
            replay = self.replay(principal, idempotency_key, fingerprint)
            if replay is not None:
                return replay, True
        lodging = self.prepare(
            principal, raw, idempotency_key=idempotency_key, fingerprint=fingerprint
        )
        outcome = self.commit([lodging])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def commit(self, lodgings: list[Lodging]) -> list[Outcome]:
        """Store prepared lodgings in one transaction: one outcome per lodging, in order.

        If the batch fails on a unique key (two nodes raced on one
        Idempotency-Key), each lodging is retried on its own so one conflict
        cannot fail the others.
        """
        try:
            return self._commit(lodgings)
        except sa.exc.IntegrityError:
            if len(lodgings) == 1:
                return [self._after_conflict(lodgings[0])]
            return [self.commit([one])[0] for one in lodgings]

    def _after_conflict(self, lodging: Lodging) -> Outcome:
        """Explain a unique-key violation that another process won the race to."""
        with reading(self.ctx.engine) as conn:
            if lodging.idempotency_key is not None:
                found = store.find_idempotent(conn, lodging.principal.id, lodging.idempotency_key)
                try:
                    replay = replay_of(found, lodging.fingerprint or "")
                except IdempotencyKeyReused as exc:
                    return exc
                if replay is not None:
                    return replay, True
            outcomes: list[Outcome | None] = [None]
            if not refuse_used_lrns(conn, [lodging], [0], outcomes):
                refused = outcomes[0]
                assert refused is not None
                return refused
        return RuntimeError("the declaration could not be stored; send it again")

    def _commit(self, lodgings: list[Lodging]) -> list[Outcome]:
        at = self.ctx.clock()
        outcomes: list[Outcome | None] = [None] * len(lodgings)
        with self.ctx.unit_of_work() as uow:
            fresh, repeats = screen_keys(uow.connection, lodgings, outcomes)
            fresh = refuse_used_lrns(uow.connection, lodgings, fresh, outcomes)
            if fresh:
                self._store(uow, lodgings, fresh, outcomes, at)
        for i, first in repeats:
            done = outcomes[first]
            if lodgings[i].fingerprint != lodgings[first].fingerprint:
                outcomes[i] = IdempotencyKeyReused(REUSED)
            elif isinstance(done, tuple):
                outcomes[i] = (done[0], True)
            else:
                outcomes[i] = done
        return [o if o is not None else RuntimeError("not processed") for o in outcomes]

    def _store(
        self,
        uow: UnitOfWork,
        lodgings: list[Lodging],
        fresh: list[int],
        outcomes: list[Outcome | None],
        at: dt.datetime,
    ) -> None:
        """Lodge the fresh declarations of a batch: rows, decisions, assessments, events, keys."""
        conn = uow.connection
        # LPCOs first: a lodging refused for its LPCO covers no e-CO line.
        fresh = licences.secure(self.ctx, conn, lodgings, fresh, outcomes)
        if not fresh:
            return
        self._secure_claims(conn, lodgings, fresh)
        for i in fresh:
            lodgings[i] = self._signalled(conn, lodgings[i])
        declarations = [self._lodged(lodgings[i], at) for i in fresh]
        stored = store.insert_many(
            conn,
            [
                (d, lodgings[i].rows, lodgings[i].principal.name)
                for i, d in zip(fresh, declarations, strict=True)
            ],
            at,
        )
        rows = [(d.id, lodgings[i]) for i, d in zip(fresh, stored, strict=True)]
        claimed = [
            ((d.id, d.mrn, 1), lodgings[i].assessment, lodgings[i].verdicts)
            for i, d in zip(fresh, stored, strict=True)
            if lodgings[i].verdicts
        ]
        if claimed and self.ctx.origin is not None:
            self.ctx.origin.record(uow, claimed, at)
        licences.record(
            self.ctx,
            uow,
            [((d.id, d.mrn, 1), lodgings[i].lpco) for i, d in zip(fresh, stored, strict=True)],
            at,
        )
        if self.ctx.risk is not None:
            risk_store.insert_decisions(
                conn,
                [
                    {"declaration_id": d, "version": 1, "decided_at": at, **(lg.decision_row or {})}
                    for d, lg in rows
                ],
            )
        tariff_store.insert_assessments(
            conn,
            [
                {"declaration_id": d, "version": 1, "assessed_at": at, **lg.assessment_row}
                for d, lg in rows
            ],
        )
        for declaration in declarations:
            uow.collect(*declaration.take_events())
        keys = []
        for i, d in zip(fresh, stored, strict=True):
            result = summary(d, self.ctx.codes.currencies)
            result["assessment"] = brief(lodgings[i].assessment)
            outcomes[i] = (result, False)
            keys.extend(key_row(lodgings[i], d.id, result, at))
        store.remember_idempotent(conn, keys)

    def _lodged(self, lodging: Lodging, at: dt.datetime) -> Declaration:
        a = lodging.assessment
        return Declaration.lodge(
            store.draft(new_mrn(self.ctx.codes.administration, at), lodging.rows, at),
            actor=lodging.principal.name,
            at=at,
            document=lodging.document,
            assessed=assessed_note(a),
            total_due=a.total("total"),
            selection=None if lodging.decision is None else selection_of(lodging.decision),
        )

    def _secure_claims(
        self, conn: sa.Connection, lodgings: list[Lodging], fresh: list[int]
    ) -> None:
        """Cover the certificates' quantities the batch's claims rely on, under the write lock.

        What changed since ``prepare`` (a certificate arrived or was cancelled,
        another lodging used a line up) changes the verdict: that lodging is
        assessed and selected again.
        """
        origin = self.ctx.origin
        claimed = [i for i in fresh if lodgings[i].verdicts]
        if origin is None or not claimed:
            return
        now = origin.secure(
            conn, [(lodgings[i].document, lodgings[i].assessment.on) for i in claimed]
        )
        for i, verdicts in zip(claimed, now, strict=True):
            lodging = lodgings[i]
            if verdicts == lodging.verdicts:
                continue
            assessment, decision, decision_row = self._priced(
                lodging.document, lodging.assessment.on, verdicts, lodging.lpco
            )
            lodgings[i] = dataclasses.replace(
                lodging,
                assessment=assessment,
                assessment_row=tariff_store.assessment_row(assessment),
                decision=decision,
                decision_row=decision_row,
                verdicts=verdicts,
            )

    def _signalled(self, conn: sa.Connection, lodging: Lodging) -> Lodging:
        """The lodging with the signals other capabilities raise (a partner's data differs)."""
        if lodging.decision is None or self.ctx.risk is None:
            return lodging
        signals = [s for source in self.ctx.signals for s in source.signals(conn, lodging.document)]
        signals += licences.signals(lodging.lpco)
        if not signals:
            return lodging
        decision = with_signals(lodging.decision, signals)
        return dataclasses.replace(
            lodging,
            decision=decision,
            decision_row={
                **self.ctx.risk.decision_row(decision, None),
                "model_id": (lodging.decision_row or {}).get("model_id"),
            },
        )
