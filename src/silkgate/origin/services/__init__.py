"""The origin use cases of a node: load the rules of origin, determine a product's origin.

The rules in force are held in memory as a compiled
:class:`~silkgate.origin.rulebook.RuleBook` (each rule parsed once per load)
and refreshed when an administrator loads a new version (checked every
``ttl`` seconds), as the tariff is. Determining stores nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.errors import FieldError, InvalidRequest
from silkgate.kernel.versioned import FileLoad, InForce
from silkgate.origin.case import Case, CodeLists, check_codes
from silkgate.origin.commands import parse_request
from silkgate.origin.determination import Determination, determine
from silkgate.origin.files import FileErrors, LineError, ParsedRules, parse_rules
from silkgate.origin.rulebook import AgreementTerms, RuleBook
from silkgate.store import origin as store
from silkgate.store.db import reading, writing
from silkgate.store.versions import add_version

# National currency per unit of a currency on a date (None: no rate in force).
NationalRate = Callable[[str, dt.date], Decimal | None]


class RulesNotLoaded(RuntimeError):
    """No rules of origin are loaded: nothing can be determined."""

    def __str__(self) -> str:
        return (
            "no rules of origin are loaded on this node; "
            "an administrator loads them with `silkgate origin rules load FILE`"
        )


class OriginService:
    def __init__(
        self,
        engine: sa.Engine,
        *,
        codes: CodeLists,
        national_rate: NationalRate,
        zone: ZoneInfo,
        ttl: float = 5.0,
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.codes = codes
        self.hs_codes = codes.hs_codes()
        self.national_rate = national_rate
        self.zone = zone
        self.clock = clock
        self._in_force: InForce[RuleBook] = InForce(self._load, ttl=ttl)

    def _load(self, held: RuleBook | None) -> RuleBook:
        with reading(self.engine) as conn:
            version = store.active_version(conn) or 0
            if held is not None and held.version == version:
                return held
            return store.rule_book(conn, version) if version else RuleBook([], [])

    def rule_book(self) -> RuleBook:
        """The rules in force, as of at most ``ttl`` seconds ago; :class:`RulesNotLoaded`."""
        book = self._in_force.get()
        if not book.version:
            raise RulesNotLoaded()
        return book

    def validity_months(self, agreement: str) -> int | None:
        """How long an agreement's certificates are valid, if the rules in force say."""
        terms = self._terms(agreement)
        return terms.certificate_validity_months if terms else None

    def verification_days(self, agreement: str) -> int | None:
        """How long the issuer has to answer a verification request, if the rules say."""
        terms = self._terms(agreement)
        return terms.verification_days if terms else None

    def parties(self, agreement: str) -> frozenset[str] | None:
        terms = self._terms(agreement)
        return terms.parties if terms else None

    def _terms(self, agreement: str) -> AgreementTerms | None:
        book = self._in_force.get()
        return book.terms(agreement) if book.version else None

    def refresh(self) -> None:
        """Forget what is held, so the next use reads the database."""
        self._in_force.forget()

    def today(self) -> dt.date:
        return self.clock().astimezone(self.zone).date()

    # -- the calculator ------------------------------------------------------------------------

    def case(self, raw: Any, *, body: bytes | None = None) -> Case:
        """The request in ``raw`` checked against the code lists; :class:`InvalidRequest`."""
        case: Case | None = None
        errors: list[FieldError] = []
        try:
            case = parse_request(raw, self.today(), body=body)
        except InvalidRequest as exc:
            errors = exc.errors
        reported = {e.pointer for e in errors}
        errors += [
            e for e in check_codes(raw, self.codes, self.hs_codes) if e.pointer not in reported
        ]
        if errors or case is None:
            raise InvalidRequest(errors)
        return case

    def determine(self, raw: Any, *, body: bytes | None = None) -> Determination:
        """Whether the product of the request originates; stores nothing."""
        return self.determine_case(self.case(raw, body=body))

    def determine_case(self, case: Case) -> Determination:
        return determine(case, self.rule_book(), self.national_rate)

    # -- what is published -----------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        book = self.rule_book()
        return {
            "version": book.version,
            "title": book.title,
            "agreements": [
                {**t.as_json(), "rules": len(book.rules(t.code))} for t in book.agreements()
            ],
        }

    def rule(self, agreement: str, hs: str, on: dt.date) -> dict[str, Any] | None:
        """The rule of ``agreement`` in force on ``on`` for subheading ``hs``; None if none."""
        book = self.rule_book()
        found = book.rule_for(agreement, hs, on)
        if found is None:
            return None
        return {
            **found.as_json(),
            "applied": str(book.applied(found)),
            "date": on.isoformat(),
            "version": book.version,
        }

    # -- administration --------------------------------------------------------------------------

    def load(self, data: bytes, *, source: str, actor: str) -> tuple[int, ParsedRules]:
        """Check a whole rules file and make it the version in force.

        :class:`~silkgate.origin.files.FileErrors` (every error, with its line)
        and nothing stored if the file has any error.
        """
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileErrors([LineError(1, None, f"not UTF-8 text: {exc}")]) from None
        parsed = parse_rules(text, self.codes.countries, self.hs_codes)
        load = FileLoad.of(data, source=source, actor=actor, at=self.clock())
        version = add_version(
            self.engine, self._in_force, lambda conn: store.add_version(conn, parsed, load)
        )
        return version, parsed

    def versions(self) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            return store.versions(conn)

    def activate(self, version: int) -> bool:
        """Make a loaded version the one in force; False if there is no such version."""
        with writing(self.engine) as conn:
            done = store.activate(conn, version)
        self._in_force.forget()
        return done
