"""Lodging, amending and deciding on declarations: the use cases, with their transactions.

This is the boundary between the pure core (document, validation, states,
journal) and the store. Every change to a declaration and its journal entry
commit in one transaction, so the journal never misses an event and never
records one that did not happen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import sqlalchemy as sa

from silkgate.declarations.document import DeclarationDocument
from silkgate.declarations.mrn import new_mrn
from silkgate.declarations.states import (
    OFFICER_ACTIONS,
    REASON_REQUIRED,
    Action,
    Status,
    allowed_actions,
    next_status,
)
from silkgate.declarations.validation import CodeLists, InvalidDeclaration, validate
from silkgate.inspection.service import InspectionService
from silkgate.inspection.service import plan as plan_inspection
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import (
    Conflict,
    FieldError,
    Forbidden,
    IdempotencyKeyReused,
    InvalidRequest,
    NotFound,
    PreconditionFailed,
    Unpaid,
)
from silkgate.risk.selectivity import Channel, Decision
from silkgate.risk.service import RiskService
from silkgate.store import declarations as store
from silkgate.store import inspection as inspection_store
from silkgate.store import journal
from silkgate.store import risk as risk_store
from silkgate.store import tariff as tariff_store
from silkgate.store.db import reading, writing
from silkgate.tariff.assessment import Assessment
from silkgate.tariff.money import ZERO, round_money
from silkgate.tariff.service import TariffService

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def request_fingerprint(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


REUSED = "this Idempotency-Key was already used for a different declaration"


@dataclass(frozen=True)
class Lodging:
    """A validated declaration on its way to the store."""

    principal: Principal
    document: DeclarationDocument
    idempotency_key: str | None
    fingerprint: str | None
    rows: store.NewDeclaration
    assessment: Assessment
    assessment_row: dict[str, Any]
    decision: Decision | None = None
    decision_row: dict[str, Any] | None = None


# The summary and whether it replays an earlier lodging, or the error to raise.
Outcome = tuple[dict[str, Any], bool] | Exception


def _replay(
    conn: sa.Connection, principal: Principal, key: str, fingerprint: str
) -> dict[str, Any] | None:
    return _replay_of(store.find_idempotent(conn, principal.id, key), fingerprint)


def _replay_of(found: tuple[str, str] | None, fingerprint: str) -> dict[str, Any] | None:
    """The stored first response for a key, given its ``(request_hash, response)``."""
    if found is None:
        return None
    request_hash, response = found
    if request_hash != fingerprint:
        raise IdempotencyKeyReused(REUSED)
    return orjson.loads(response)


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def summary(d: store.StoredDeclaration, minor_units: Mapping[str, int | None]) -> dict[str, Any]:
    """The public face of a declaration, without its document."""
    minor = minor_units.get(d.currency)
    amount = (
        d.invoice_amount if minor is None else d.invoice_amount.quantize(Decimal(1).scaleb(-minor))
    )
    return {
        "mrn": d.mrn,
        "type": d.type,
        "status": d.status,
        "version": d.version,
        "office": d.office,
        "declarant_id": d.declarant_id,
        "lrn": d.lrn,
        "currency": d.currency,
        "invoice_amount": str(amount),
        "item_count": d.item_count,
        "channel": d.channel,
        "arrival_date": d.arrival_date.isoformat() if d.arrival_date else None,
        "lodged_at": d.lodged_at.isoformat().replace("+00:00", "Z"),
        "updated_at": d.updated_at.isoformat().replace("+00:00", "Z"),
        "links": {
            "self": f"/v1/declarations/{d.mrn}",
            "journal": f"/v1/declarations/{d.mrn}/journal",
            "versions": f"/v1/declarations/{d.mrn}/versions",
        },
    }


class DeclarationService:
    """The declaration use cases of one node."""

    def __init__(
        self,
        engine: sa.Engine,
        codes: CodeLists,
        tariff: TariffService,
        risk: RiskService | None = None,
        inspections: InspectionService | None = None,
        *,
        timezone: str = "UTC",
        clock: Clock = utc_now,
    ) -> None:
        self.engine = engine
        self.codes = codes
        self.tariff = tariff
        self.risk = risk
        self.inspections = inspections
        self.currency = tariff.policy.currency
        self.minor_unit = tariff.policy.minor_unit
        self.zone = ZoneInfo(timezone)
        self.clock = clock
        # Exchange with partner administrations (advance export data), set by the node.
        self.trade: Any = None

    def summary(self, d: store.StoredDeclaration) -> dict[str, Any]:
        return summary(d, self.codes.currencies)

    def today(self, at: dt.datetime) -> dt.date:
        return at.astimezone(self.zone).date()

    # -- lodging -------------------------------------------------------------

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
        if principal.role is not Role.DECLARANT:
            raise Forbidden("only a declarant lodges declarations")
        today = self.today(self.clock())
        doc = validate(raw, self.codes, today, body=body)
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
        # Assessed as of the day of lodging: the tariff and rate in force when the
        # declaration is accepted are the ones that apply.
        assessment = self.tariff.assess(doc, today)
        decision = decision_row = None
        if self.risk is not None:
            decision = self.risk.decide(doc, assessment, today)
            decision_row = self.risk.decision_row(decision, self.risk.model_id())
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
        )

    def replay(
        self, principal: Principal, key: str, fingerprint: str | None
    ) -> dict[str, Any] | None:
        """The first response to a request with this Idempotency-Key, if there was one."""
        with reading(self.engine) as conn:
            return _replay(conn, principal, key, fingerprint or "")

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

        This is the group commit behind the API: the declarations, versions,
        items, journal entries and idempotency keys of the whole batch are
        written with a handful of statements and one commit. If the batch
        fails on a unique key (two nodes raced on one Idempotency-Key), each
        lodging is retried on its own so one conflict cannot fail the others.
        """
        try:
            return self._commit(lodgings)
        except sa.exc.IntegrityError:
            if len(lodgings) == 1:
                return [self._after_conflict(lodgings[0])]
            return [self.commit([one])[0] for one in lodgings]

    def _after_conflict(self, lodging: Lodging) -> Outcome:
        """Explain a unique-key violation that another process won the race to."""
        with reading(self.engine) as conn:
            if lodging.idempotency_key is not None:
                try:
                    replay = _replay(
                        conn, lodging.principal, lodging.idempotency_key, lodging.fingerprint or ""
                    )
                except IdempotencyKeyReused as exc:
                    return exc
                if replay is not None:
                    return replay, True
            outcomes: list[Outcome | None] = [None]
            if not self._refuse_used_lrns(conn, [lodging], [0], outcomes):
                return outcomes[0]  # type: ignore[return-value]
        return RuntimeError("the declaration could not be stored; send it again")

    @staticmethod
    def _refuse_used_lrns(
        conn: sa.Connection,
        lodgings: list[Lodging],
        fresh: list[int],
        outcomes: list[Outcome | None],
    ) -> list[int]:
        """``fresh`` without lodgings whose LRN the declarant has used (their outcome: why)."""
        pairs = {(lodgings[i].document.declarant.id, lodgings[i].document.lrn) for i in fresh}
        used = store.existing_lrns(conn, pairs)
        kept: list[int] = []
        for i in fresh:
            pair = (lodgings[i].document.declarant.id, lodgings[i].document.lrn)
            if pair in used:
                where = f"as declaration {used[pair]}" if used[pair] else "by another request"
                outcomes[i] = InvalidDeclaration(
                    [
                        FieldError(
                            "/lrn",
                            "lrn_already_used",
                            f"{pair[1]!r} was already lodged {where}; "
                            "use a new LRN, or amend that declaration",
                        )
                    ]
                )
            else:
                used[pair] = ""  # taken by this batch
                kept.append(i)
        return kept

    def _commit(self, lodgings: list[Lodging]) -> list[Outcome]:
        at = self.clock()
        outcomes: list[Outcome | None] = [None] * len(lodgings)
        fresh: list[int] = []
        first_with_key: dict[tuple[int, str], int] = {}
        repeats: list[tuple[int, int]] = []
        with writing(self.engine) as conn:
            # One query for every key of the batch (checked again under the write lock).
            used_keys = store.find_idempotent_many(
                conn,
                {(lg.principal.id, lg.idempotency_key) for lg in lodgings if lg.idempotency_key},
            )
            for i, lodging in enumerate(lodgings):
                key = lodging.idempotency_key
                if key is None:
                    fresh.append(i)
                    continue
                slot = (lodging.principal.id, key)
                if slot in first_with_key:  # the same key twice in one batch
                    repeats.append((i, first_with_key[slot]))
                    continue
                try:
                    replay = _replay_of(used_keys.get(slot), lodging.fingerprint or "")
                except IdempotencyKeyReused as exc:
                    outcomes[i] = exc
                    continue
                if replay is not None:
                    outcomes[i] = (replay, True)
                    continue
                first_with_key[slot] = i
                fresh.append(i)
            fresh = self._refuse_used_lrns(conn, lodgings, fresh, outcomes)
            if fresh:
                advance = self._advance_data(conn, lodgings, fresh)
                routes = [_route(lodgings[i]) for i in fresh]
                stored = store.insert_many(
                    conn,
                    [
                        (
                            new_mrn(self.codes.administration, at),
                            lodgings[i].rows,
                            lodgings[i].principal.name,
                        )
                        for i in fresh
                    ],
                    [status.value for status, _ in routes],
                    at,
                    [channel for _, channel in routes],
                )
                if self.risk is not None:
                    risk_store.insert_decisions(
                        conn,
                        [
                            {
                                "declaration_id": d.id,
                                "version": 1,
                                "decided_at": at,
                                **(lodgings[i].decision_row or {}),
                            }
                            for i, d in zip(fresh, stored, strict=True)
                        ],
                    )
                tariff_store.insert_assessments(
                    conn,
                    [
                        {
                            "declaration_id": d.id,
                            "version": 1,
                            "assessed_at": at,
                            **lodgings[i].assessment_row,
                        }
                        for i, d in zip(fresh, stored, strict=True)
                    ],
                )
                events = []
                for i, d, (status, _) in zip(fresh, stored, routes, strict=True):
                    actor = lodgings[i].principal.name
                    events.append(
                        journal.Event(
                            at=at,
                            actor=actor,
                            event="lodged",
                            declaration_id=d.id,
                            mrn=d.mrn,
                            version=1,
                            to_status=Status.LODGED.value,
                        )
                    )
                    events.append(self._assessed_event(at, d, 1, lodgings[i].assessment))
                    events.extend(_selectivity_events(at, d, lodgings[i].decision, status))
                    decision = lodgings[i].decision
                    if decision is not None and self.inspections is not None:
                        planned = plan_inspection(
                            conn,
                            declaration_id=d.id,
                            mrn=d.mrn,
                            version=1,
                            office=d.office,
                            channel=decision.channel.value,
                            sps_requirements=list(decision.sps_requirements),
                            at=at,
                        )
                        if planned is not None:
                            events.append(planned)
                    if self.trade is not None:
                        events.extend(
                            self.trade.lodged(conn, d, lodgings[i].document, advance.get(i), at)
                        )
                        if status is Status.RELEASED:
                            self.trade.released(conn, d, at, lodgings[i].document)
                journal.append(conn, *events)
                keys = []
                for i, d in zip(fresh, stored, strict=True):
                    result = self.summary(d)
                    result["assessment"] = self._brief(lodgings[i].assessment, d.mrn)
                    outcomes[i] = (result, False)
                    lodging = lodgings[i]
                    if lodging.idempotency_key is not None:
                        keys.append(
                            {
                                "principal_id": lodging.principal.id,
                                "key": lodging.idempotency_key,
                                "request_hash": lodging.fingerprint or "",
                                "declaration_id": d.id,
                                "response": orjson.dumps(result).decode(),
                                "created_at": at,
                            }
                        )
                store.remember_idempotent(conn, keys)
        for i, first in repeats:
            done = outcomes[first]
            if lodgings[i].fingerprint != lodgings[first].fingerprint:
                outcomes[i] = IdempotencyKeyReused(REUSED)
            elif isinstance(done, tuple):
                outcomes[i] = (done[0], True)
            else:
                outcomes[i] = done
        return [o if o is not None else RuntimeError("not processed") for o in outcomes]

    def _advance_data(
        self, conn: sa.Connection, lodgings: list[Lodging], fresh: list[int]
    ) -> dict[int, Any]:
        """Advance export data already here for the imports of a batch.

        A mismatch is a risk signal: the import goes at least to the yellow channel.
        """
        found: dict[int, Any] = {}
        if self.trade is None:
            return found
        from silkgate.exchange.trade import escalate

        for i in fresh:
            lodging = lodgings[i]
            hit = self.trade.lookup(conn, lodging.document)
            if hit is None:
                continue
            found[i] = hit
            row, mismatches = hit
            if mismatches and lodging.decision is not None and self.risk is not None:
                decision = escalate(lodging.decision, mismatches, row["sender"])
                lodgings[i] = dataclasses.replace(
                    lodging,
                    decision=decision,
                    decision_row={
                        **self.risk.decision_row(decision, None),
                        "model_id": (lodging.decision_row or {}).get("model_id"),
                    },
                )
        return found

    def _assessed_event(
        self, at: dt.datetime, d: store.StoredDeclaration, version: int, a: Assessment
    ) -> journal.Event:
        return journal.Event(
            at=at,
            actor="silkgate",
            event="assessed",
            declaration_id=d.id,
            mrn=d.mrn,
            version=version,
            reason=f"duties and taxes {a.total('total')} {a.currency} "
            f"(tariff version {a.tariff_version}, as of {a.on})",
        )

    @staticmethod
    def _brief(a: Assessment, mrn: str) -> dict[str, Any]:
        return {
            "currency": a.currency,
            **{k: format(round_money(v, a.minor_unit), "f") for k, v in a.totals.items()},
            "links": {"self": f"/v1/declarations/{mrn}/assessment"},
        }

    # -- reading -------------------------------------------------------------

    def _visible(
        self, conn: sa.Connection, principal: Principal, mrn: str, *, for_update: bool = False
    ) -> store.StoredDeclaration:
        d = store.get(conn, mrn, for_update=for_update)
        if d is None:
            raise NotFound(f"no declaration {mrn}")
        if not principal.may_see(d.declarant_id):
            raise Forbidden("this declaration was lodged by another declarant")
        return d

    def get(self, principal: Principal, mrn: str) -> dict[str, Any]:
        with reading(self.engine) as conn:
            d = self._visible(conn, principal, mrn)
            result = self.summary(d)
            result["document"] = store.document(conn, d.id, d.version)
            result["assessment"] = tariff_store.assessment_of(conn, d.id, d.version)
            result["risk"] = self._risk_of(conn, principal, d)
            result["inspection"] = (
                self.inspections.of_declaration(conn, d.id)
                if self.inspections is not None and principal.sees_all
                else None
            )
            if result["risk"] and result["risk"]["model_id"] and self.risk is not None:
                result["risk"]["top_features"] = self.risk.explain(
                    result["risk"]["model_id"],
                    DeclarationDocument.model_validate(result["document"]),
                    result["assessment"],
                    result["risk"]["model_item"],
                )
            result["account"] = self._account(conn, d)
            result["allowed_actions"] = self._actions_for(principal, d)
            return result

    @staticmethod
    def _risk_of(
        conn: sa.Connection, principal: Principal, d: store.StoredDeclaration
    ) -> dict[str, Any] | None:
        """Selectivity's decision, for staff only: a trader must not learn the profiles."""
        if not principal.sees_all:
            return None
        found = risk_store.decision_of(conn, d.id)
        if found is None:
            return None
        reasons = found["reasons"]
        return {
            "channel": found["channel"],
            "score": float(found["score"]),
            "model_score": None if found["model_score"] is None else float(found["model_score"]),
            "model_id": found["model_id"],
            "exploration": found["exploration"],
            "sps": found["sps"],
            "reasons": reasons.get("reasons", []),
            "profiles": reasons.get("profiles", []),
            "top_features": reasons.get("top_features", []),
            "model_item": reasons.get("model_item"),
            "decided_at": found["decided_at"].isoformat().replace("+00:00", "Z"),
        }

    def _actions_for(self, principal: Principal, d: store.StoredDeclaration) -> list[str]:
        actions = allowed_actions(Status(d.status))
        if principal.is_staff:
            return [a.value for a in actions if a in OFFICER_ACTIONS or a is Action.CANCEL]
        if principal.role is not Role.DECLARANT:
            return []  # an analyst reads, and decides nothing
        return [a.value for a in actions if a in (Action.AMEND, Action.CANCEL)]

    def version(self, principal: Principal, mrn: str, version: int) -> dict[str, Any]:
        with reading(self.engine) as conn:
            d = self._visible(conn, principal, mrn)
            document = store.document(conn, d.id, version)
            if document is None:
                raise NotFound(f"declaration {mrn} has no version {version}")
            return {"mrn": mrn, "version": version, "document": document}

    def versions(self, principal: Principal, mrn: str) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            d = self._visible(conn, principal, mrn)
            return [
                {
                    **v,
                    "created_at": v["created_at"].isoformat().replace("+00:00", "Z"),
                    "links": {"self": f"/v1/declarations/{mrn}/versions/{v['version']}"},
                }
                for v in store.versions(conn, d.id)
            ]

    def timeline(self, principal: Principal, mrn: str) -> list[dict[str, Any]]:
        """The declaration's journal entries, oldest first, with time elapsed since lodging."""
        with reading(self.engine) as conn:
            d = self._visible(conn, principal, mrn)
            entries = journal.entries_for(conn, d.id)
        start = entries[0].at if entries else None
        return [
            {
                "seq": e.seq,
                "at": e.at.isoformat().replace("+00:00", "Z"),
                "actor": e.actor,
                "event": e.event,
                "version": e.version,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "reason": e.reason
                if principal.sees_all or e.event not in _INTERNAL_REASONS
                # A trader learns the channel, never the profiles, scores or findings behind it.
                else _INTERNAL_REASONS[e.event](e.reason or ""),
                "elapsed_seconds": round((e.at - start).total_seconds(), 3) if start else 0.0,
            }
            for e in entries
            # Intelligence from partner administrations is not the trader's to read.
            if principal.sees_all or e.event not in _PARTNER_EVENTS
        ]

    def search(
        self,
        principal: Principal,
        filters: store.Filters,
        *,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        if not principal.sees_all:
            if filters.declarant_id not in (None, principal.party_id):
                raise Forbidden("a declarant sees only its own declarations")
            filters = store.Filters(**{**filters.__dict__, "declarant_id": principal.party_id})
        before = _decode_cursor(cursor)
        with reading(self.engine) as conn:
            rows = store.search(conn, filters, limit=limit + 1, before_id=before)
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(
            [self.summary(d) for d in rows],
            _encode_cursor(rows[-1].id) if more and rows else None,
        )

    # -- changing ------------------------------------------------------------

    def correct(
        self, principal: Principal, mrn: str, item: int, corrected: dict[str, Any], reason: str
    ) -> dict[str, Any]:
        """An officer's correction of one item after inspection: a new version, reassessed.

        ``corrected`` may set the item's ``hs_code``, ``origin``, ``value``
        (invoice currency; the invoice total follows), ``net_mass_kg`` or
        ``supplementary_quantity``. The status does not change (the goods are
        under control); the duties are assessed again as of the day of
        lodging, and the difference is what the inspection recovered.
        """
        if not principal.is_staff:
            raise Forbidden("corrections are made by customs officers")
        allowed = {"hs_code", "origin", "value", "net_mass_kg", "supplementary_quantity"}
        unknown = sorted(set(corrected) - allowed)
        if unknown or not corrected:
            raise InvalidRequest(
                [
                    FieldError(
                        "/finding/corrected",
                        "invalid",
                        f"may correct {', '.join(sorted(allowed))}"
                        + (f"; not {', '.join(unknown)}" if unknown else ""),
                    )
                ]
            )
        at = self.clock()
        with writing(self.engine) as conn:
            d = self._visible(conn, principal, mrn, for_update=True)
            if Status(d.status).is_final:
                raise Conflict(f"the declaration is {d.status}")
            raw = store.document(conn, d.id, d.version)
            assert raw is not None
            items = [i for i in raw["items"] if i["seq"] == item]
            if not items:
                raise InvalidRequest(
                    [FieldError("/finding/item", "invalid", f"the declaration has no item {item}")]
                )
            items[0].update(corrected)
            index = raw["items"].index(items[0])
            try:
                raw["invoice"]["amount"] = str(sum(Decimal(str(i["value"])) for i in raw["items"]))
                # More goods found than declared weigh more: the gross mass follows the net.
                net = sum(Decimal(str(i["net_mass_kg"])) for i in raw["items"])
                if net > Decimal(str(raw["totals"]["gross_mass_kg"])):
                    raw["totals"]["gross_mass_kg"] = str(net)
            except (ArithmeticError, ValueError, TypeError):
                pass  # validation below names the field
            try:
                doc = validate(raw, self.codes, self.today(at))
            except InvalidDeclaration as exc:
                prefix = f"/items/{index}/"

                def where(pointer: str) -> str:
                    # The officer sent item fields: point at those, not into the document.
                    if pointer.startswith(prefix):
                        return "/finding/corrected/" + pointer[len(prefix) :]
                    return "/finding/corrected"

                raise InvalidRequest(
                    [FieldError(where(e.pointer), e.code, e.detail) for e in exc.errors]
                ) from None
            before = tariff_store.assessed_total(conn, d.id, d.version) or ZERO
            assessment = self.tariff.assess(doc, self.today(d.lodged_at))
            amended = store.amend(conn, d, d.status, doc, at, principal.name, reason)
            tariff_store.insert_assessments(
                conn,
                [
                    {
                        "declaration_id": d.id,
                        "version": amended.version,
                        "assessed_at": at,
                        **tariff_store.assessment_row(assessment),
                    }
                ],
            )
            journal.append(
                conn,
                journal.Event(
                    at=at,
                    actor=principal.name,
                    event="corrected",
                    declaration_id=d.id,
                    mrn=d.mrn,
                    version=amended.version,
                    reason=f"item {item}: "
                    + ", ".join(f"{k} {v}" for k, v in corrected.items())
                    + f" ({reason})",
                ),
                self._assessed_event(at, amended, amended.version, assessment),
            )
        after = assessment.total("total")
        return {
            "mrn": mrn,
            "version": amended.version,
            "assessed_before": format(before, "f"),
            "assessed_after": format(after, "f"),
            "difference": format(after - before, "f"),
        }

    def amend(
        self,
        principal: Principal,
        mrn: str,
        raw: Any,
        *,
        if_match: int | None = None,
        reason: str | None = None,
    ) -> dict[str, Any]:
        """Replace the document with a new version; every earlier version is kept."""
        at = self.clock()
        doc = validate(raw, self.codes, self.today(at))
        with writing(self.engine) as conn:
            d = self._visible(conn, principal, mrn, for_update=True)
            if principal.role is not Role.DECLARANT:
                raise Forbidden("only the declarant amends a declaration")
            task = inspection_store.task_of(conn, d.id)
            if task is not None and (task["started_at"] or task["status"] != "open"):
                raise Conflict(
                    "the goods are being (or have been) inspected: the declaration can no "
                    "longer be amended; the inspection's findings correct it"
                )
            if if_match is not None and if_match != d.version:
                raise PreconditionFailed(
                    f"the declaration is at version {d.version}, not {if_match}"
                )
            errors = []
            if doc.type != d.type:
                errors.append(FieldError("/type", "immutable", f"cannot change from {d.type}"))
            if doc.lrn != d.lrn:
                errors.append(
                    FieldError("/lrn", "immutable", f"an amendment keeps the LRN {d.lrn!r}")
                )
            if doc.declarant.id != d.declarant_id:
                errors.append(
                    FieldError(
                        "/declarant/id", "immutable", "an amendment cannot change the declarant"
                    )
                )
            if errors:
                raise InvalidDeclaration(errors)
            status = next_status(Status(d.status), Action.AMEND)
            # Reassessed as of the original day of lodging, whatever the day of amendment.
            assessment = self.tariff.assess(doc, self.today(d.lodged_at))
            amended = store.amend(conn, d, status.value, doc, at, principal.name, reason)
            tariff_store.insert_assessments(
                conn,
                [
                    {
                        "declaration_id": d.id,
                        "version": amended.version,
                        "assessed_at": at,
                        **tariff_store.assessment_row(assessment),
                    }
                ],
            )
            events = [
                journal.Event(
                    at=at,
                    actor=principal.name,
                    event="amended",
                    declaration_id=d.id,
                    mrn=d.mrn,
                    version=amended.version,
                    from_status=d.status,
                    to_status=status.value,
                    reason=reason,
                ),
                self._assessed_event(at, amended, amended.version, assessment),
            ]
            if self.risk is not None:
                amended, more = self._reselect(conn, amended, d.channel, doc, assessment, at)
                events.extend(more)
            if self.trade is not None:
                # The new version is compared with the partner's export data again.
                signals = self.trade.amended(conn, amended, doc, at)
                if signals:
                    events.extend(signals)
                    amended = store.get_by_id(conn, amended.id) or amended
            journal.append(conn, *events)
        result = self.summary(amended)
        result["assessment"] = self._brief(assessment, amended.mrn)
        return result

    def _reselect(
        self,
        conn: sa.Connection,
        d: store.StoredDeclaration,
        before: str | None,
        doc: DeclarationDocument,
        assessment: Assessment,
        at: dt.datetime,
    ) -> tuple[store.StoredDeclaration, list[journal.Event]]:
        """Selectivity again after an amendment; the stricter of the old and new channel holds.

        An amendment must not be a way to draw a kinder channel, so a red
        declaration stays red; a new risk (another origin, a lower value) can
        make it stricter.
        """
        assert self.risk is not None
        decision = self.risk.decide(doc, assessment, self.today(d.lodged_at))
        risk_store.insert_decisions(
            conn,
            [
                {
                    "declaration_id": d.id,
                    "version": d.version,
                    "decided_at": at,
                    **self.risk.decision_row(decision, self.risk.model_id()),
                }
            ],
        )
        channel = decision.channel.value
        if before and _STRICTNESS.index(before) > _STRICTNESS.index(channel):
            channel = before
        status = Status(d.status)
        held = channel in (Channel.RED.value, Channel.YELLOW.value) or decision.sps
        if held and status is Status.LODGED:
            status = Status.UNDER_CONTROL
        store.set_channel(conn, d.id, channel)
        changed = store.set_status(conn, d, status.value, at) if status.value != d.status else d
        reason = f"{channel}: " + "; ".join(decision.reasons or ["no risk found"])
        if channel != decision.channel.value:
            reason = (
                f"{channel} (kept from before the amendment; now {decision.channel.value}): "
                + ("; ".join(decision.reasons or ["no risk found"]))
            )
        event = journal.Event(
            at=at,
            actor=SYSTEM,
            event="channel",
            declaration_id=d.id,
            mrn=d.mrn,
            version=d.version,
            from_status=d.status if changed.status != d.status else None,
            to_status=changed.status if changed.status != d.status else None,
            reason=reason[:1000],
        )
        events = [event]
        if self.inspections is not None:
            planned = plan_inspection(
                conn,
                declaration_id=d.id,
                mrn=d.mrn,
                version=d.version,
                office=d.office,
                channel=channel,
                sps_requirements=list(decision.sps_requirements),
                at=at,
            )
            if planned is not None:
                events.append(planned)
        return dataclasses.replace(changed, channel=channel), events

    def act(
        self, principal: Principal, mrn: str, action: Action, reason: str | None = None
    ) -> dict[str, Any]:
        """An officer's decision (control, hold, resume, release, reject) or a cancellation."""
        reason = (reason or "").strip() or None
        if action in REASON_REQUIRED and reason is None:
            raise InvalidRequest(
                [FieldError("/reason", "missing", f"a reason is required to {action.value}")]
            )
        if action is Action.AMEND:
            raise ValueError("use amend() to amend")
        at = self.clock()
        with writing(self.engine) as conn:
            d = self._visible(conn, principal, mrn, for_update=True)
            if action in OFFICER_ACTIONS and not principal.is_staff:
                raise Forbidden(f"only customs officers may {action.value} a declaration")
            if not principal.is_staff and principal.role is not Role.DECLARANT:
                raise Forbidden(f"a {principal.role.value} may not {action.value} a declaration")
            status = next_status(Status(d.status), action)
            if action is Action.RELEASE:
                task = inspection_store.task_of(conn, d.id)
                if task is not None and task["status"] != "completed":
                    raise Conflict(
                        f"the joint inspection (task {task['id']}) is not complete; "
                        "complete it before releasing, or release under a condition"
                    )
                if task is not None and inspection_store.quarantine_failed(conn, task["id"]):
                    raise Conflict(
                        "the quarantine service found pests, a failed laboratory test or "
                        "prohibited goods: return or destroy them (or treat and inspect again)"
                    )
            if action in (Action.RELEASE, Action.CONDITIONAL_RELEASE):
                unsecured = self._account(conn, d)["unsecured"]
                if Decimal(unsecured) > 0:
                    raise Unpaid(
                        f"duties and taxes of {unsecured} {self.currency} are neither paid nor "
                        "guaranteed; record a payment or a guarantee before release"
                    )
            changed = store.set_status(conn, d, status.value, at)
            if action in (Action.RELEASE, Action.CONDITIONAL_RELEASE) and self.trade is not None:
                self.trade.released(conn, changed, at)
            if action in (
                Action.RETURN,
                Action.DESTROY,
                Action.SEIZE,
                Action.REJECT,
                Action.CANCEL,
            ):
                inspection_store.close_open_task(conn, d.id, at, action.value)
            if action is Action.SEIZE:
                # A seizure opens an enforcement case: the investigation that follows.
                case_id = inspection_store.open_case(
                    conn,
                    declaration_id=d.id,
                    opened_at=at,
                    opened_by=principal.name,
                    reason=reason or "",
                    status="open",
                )
                reason = f"{reason} (enforcement case {case_id} opened)"
            journal.append(
                conn,
                journal.Event(
                    at=at,
                    actor=principal.name,
                    event=action.value,
                    declaration_id=d.id,
                    mrn=d.mrn,
                    version=d.version,
                    from_status=d.status,
                    to_status=status.value,
                    reason=reason,
                ),
            )
        return self.summary(changed)

    # -- duties, payments and guarantees ------------------------------------------

    def assessment(
        self, principal: Principal, mrn: str, version: int | None = None
    ) -> dict[str, Any]:
        """The assessment of the current (or a given) version of a declaration."""
        with reading(self.engine) as conn:
            d = self._visible(conn, principal, mrn)
            found = tariff_store.assessment_of(conn, d.id, version or d.version)
        if found is None:
            raise NotFound(f"declaration {mrn} has no assessment of version {version or d.version}")
        return {"mrn": mrn, **found}

    def _account(self, conn: sa.Connection, d: store.StoredDeclaration) -> dict[str, Any]:
        """What is assessed on the current version, paid, guaranteed, and still due."""
        assessed = tariff_store.assessed_total(conn, d.id, d.version)
        rows = tariff_store.payments_of(conn, d.id)
        paid = sum((Decimal(r["amount"]) for r in rows if r["kind"] == "payment"), ZERO)
        guaranteed = sum((Decimal(r["amount"]) for r in rows if r["kind"] == "guarantee"), ZERO)
        assessed = assessed if assessed is not None else ZERO
        # Still to be paid; negative when an amendment lowered the duties below what
        # was paid (a refund is due). A guarantee secures an amount, it does not pay it.
        due = assessed - paid
        if d.status in _NOTHING_DUE:
            # The goods did not enter: no duty is due; what was paid is refunded.
            due = -paid
        # A guarantee is released as the duties it secures are paid.
        guaranteed = min(guaranteed, max(due, ZERO))
        money = lambda v: format(round_money(v, self.minor_unit), "f")  # noqa: E731
        return {
            "currency": self.currency,
            "assessed": money(assessed),
            "paid": money(paid),
            "guaranteed": money(guaranteed),
            "due": money(due),
            # Neither paid nor guaranteed: release waits until this is zero.
            "unsecured": money(max(due - guaranteed, ZERO)),
            "payments": [
                {
                    "kind": r["kind"],
                    "amount": money(Decimal(r["amount"])),
                    "currency": r["currency"],
                    "reference": r["reference"],
                    "recorded_at": r["recorded_at"].isoformat().replace("+00:00", "Z"),
                    "recorded_by": r["recorded_by"],
                }
                for r in rows
            ],
        }

    def account(self, principal: Principal, mrn: str) -> dict[str, Any]:
        with reading(self.engine) as conn:
            d = self._visible(conn, principal, mrn)
            return {"mrn": mrn, "status": d.status, **self._account(conn, d)}

    def record_payment(
        self,
        principal: Principal,
        mrn: str,
        *,
        kind: str,
        amount: Decimal,
        currency: str,
        reference: str,
    ) -> dict[str, Any]:
        """Record a payment received, or a guarantee accepted, against the amount due.

        Customs staff record them (a payment is confirmed by the treasury or the
        bank, a guarantee is accepted by customs); the declarant sees them.
        A payment may not exceed what is still to be paid (a refund is a
        separate procedure); a guarantee may not exceed what is neither paid
        nor already guaranteed. A payment after a guarantee pays what the
        guarantee secured.
        """
        if not principal.is_staff:
            raise Forbidden("payments and guarantees are recorded by customs staff")
        errors = []
        if kind not in ("payment", "guarantee"):
            errors.append(FieldError("/kind", "invalid", "must be 'payment' or 'guarantee'"))
        if currency != self.currency:
            errors.append(
                FieldError("/currency", "not_national_currency", f"must be {self.currency}")
            )
        if amount <= 0:
            errors.append(FieldError("/amount", "not_positive", "must be greater than 0"))
        elif amount != round_money(amount, self.minor_unit):
            errors.append(
                FieldError(
                    "/amount",
                    "too_many_decimals",
                    f"{self.currency} has {self.minor_unit} decimal places",
                )
            )
        if not reference.strip():
            errors.append(FieldError("/reference", "missing", "is required"))
        if errors:
            raise InvalidRequest(errors)
        at = self.clock()
        with writing(self.engine) as conn:
            d = self._visible(conn, principal, mrn, for_update=True)
            if d.status in (Status.REJECTED.value, Status.CANCELLED.value):
                raise Conflict(f"the declaration is {d.status}: nothing is due on it")
            account = self._account(conn, d)
            limit = Decimal(account["due" if kind == "payment" else "unsecured"])
            if amount > limit:
                what = "due" if kind == "payment" else "neither paid nor guaranteed"
                raise InvalidRequest(
                    [
                        FieldError(
                            "/amount",
                            "exceeds_amount_due",
                            f"{amount} is more than the {max(limit, ZERO)} {self.currency} {what}",
                        )
                    ]
                )
            tariff_store.add_payment(
                conn,
                declaration_id=d.id,
                kind=kind,
                amount=amount,
                currency=currency,
                reference=reference.strip(),
                recorded_at=at,
                recorded_by=principal.name,
            )
            journal.append(
                conn,
                journal.Event(
                    at=at,
                    actor=principal.name,
                    event=kind,
                    declaration_id=d.id,
                    mrn=d.mrn,
                    version=d.version,
                    reason=f"{amount} {currency}, reference {reference.strip()}",
                ),
            )
            account = self._account(conn, d)
            if (
                d.status == Status.LODGED.value
                and d.channel in (Channel.GREEN.value, Channel.BLUE.value)
                and Decimal(account["unsecured"]) <= 0
            ):
                # Green (or blue) and now secured: released without waiting for an officer.
                d = store.set_status(conn, d, Status.RELEASED.value, at)
                journal.append(
                    conn,
                    journal.Event(
                        at=at,
                        actor=SYSTEM,
                        event="release",
                        declaration_id=d.id,
                        mrn=d.mrn,
                        version=d.version,
                        from_status=Status.LODGED.value,
                        to_status=Status.RELEASED.value,
                        reason=f"{d.channel} channel, duties and taxes paid or guaranteed",
                    ),
                )
                if self.trade is not None:
                    self.trade.released(conn, d, at)
            return {"mrn": mrn, "status": d.status, **account}


SYSTEM = "silkgate"  # the actor of what the node does by itself
_STRICTNESS = ["green", "blue", "yellow", "red"]
_NOTHING_DUE = frozenset({"returned", "destroyed", "rejected", "cancelled"})
# Journal reasons a declarant sees only in part: the channel's name, not why.
_INTERNAL_REASONS: dict[str, Callable[[str], str | None]] = {
    "channel": lambda reason: reason.split(":", 1)[0].split(" ", 1)[0],
    "outcome": lambda reason: None,
}
_PARTNER_EVENTS = frozenset({"advance_data", "partner_result"})


def _route(lodging: Lodging) -> tuple[Status, str | None]:
    """Where selectivity sends a new declaration: its first status, and its channel.

    Red and yellow go under control; green and blue wait for their duties to be
    paid or guaranteed, and are released at once when nothing is due.
    """
    decision = lodging.decision
    if decision is None:
        return Status.LODGED, None
    channel = decision.channel
    # Quarantine (SPS) holds the goods whatever the channel: the quarantine service
    # inspects them; customs checks only what the channel calls for.
    if channel in (Channel.RED, Channel.YELLOW) or decision.sps:
        return Status.UNDER_CONTROL, channel.value
    if lodging.assessment.total("total") <= 0:
        return Status.RELEASED, channel.value
    return Status.LODGED, channel.value


def _selectivity_events(
    at: dt.datetime, d: store.StoredDeclaration, decision: Decision | None, status: Status
) -> list[journal.Event]:
    if decision is None:
        return []
    reason = f"{decision.channel.value}: " + "; ".join(decision.reasons or ["no risk found"])
    events = [
        journal.Event(
            at=at,
            actor=SYSTEM,
            event="channel",
            declaration_id=d.id,
            mrn=d.mrn,
            version=1,
            from_status=Status.LODGED.value if status is Status.UNDER_CONTROL else None,
            to_status=Status.UNDER_CONTROL.value if status is Status.UNDER_CONTROL else None,
            reason=reason[:1000],
        )
    ]
    if status is Status.RELEASED:
        events.append(
            journal.Event(
                at=at,
                actor=SYSTEM,
                event="release",
                declaration_id=d.id,
                mrn=d.mrn,
                version=1,
                from_status=Status.LODGED.value,
                to_status=Status.RELEASED.value,
                reason=f"{decision.channel.value} channel, nothing due",
            )
        )
    return events


def _encode_cursor(last_id: int) -> str:
    return format(last_id, "x")


def _decode_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        value = int(cursor, 16)
    except ValueError:
        raise InvalidRequest(
            [FieldError("/cursor", "invalid", "is not a cursor this node issued")]
        ) from None
    return value
