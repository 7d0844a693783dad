"""The tariff use cases of a node: load schedules and rates, look up, search, assess.

The active schedule and the exchange rates are held in memory (assessment
runs on every lodging and must not query the tariff). Each process checks
every ``ttl`` seconds whether an administrator has loaded a new version, so a
`silkgate tariff load` reaches every worker within that time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.declarations.document import DraftDeclaration
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.versioned import FileLoad, InForce
from silkgate.origin.claims import Verdict
from silkgate.store import tariff as store
from silkgate.store.db import reading
from silkgate.store.refdata import hs_descriptions, hs_sections
from silkgate.store.versions import add_version
from silkgate.tariff import files
from silkgate.tariff.assessment import Assessment, Policy, assess
from silkgate.tariff.rates import ExchangeRates, MissingRate, Rate
from silkgate.tariff.schedule import Schedule, TariffLine
from silkgate.tariff.search import SearchIndex


class TariffNotLoaded(RuntimeError):
    """No tariff schedule is loaded: nothing can be assessed."""

    def __str__(self) -> str:
        return (
            "no tariff schedule is loaded on this node; "
            "an administrator loads one with `silkgate tariff load FILE`"
        )


class RatesConflict(ValueError):
    """A rate file would change rates already published."""

    def __init__(self, conflicts: list[store.RateConflict]) -> None:
        super().__init__(conflicts)
        self.conflicts = conflicts


@dataclass(frozen=True)
class _Loaded:
    schedule: Schedule | None
    rates: ExchangeRates
    index: SearchIndex | None
    versions: tuple[int | None, int]  # (active tariff version, rates version)


def _decode(data: bytes) -> str:
    if data[:2] == b"\x1f\x8b":
        import gzip

        data = gzip.decompress(data)
    return data.decode("utf-8-sig")


def _overlaps_with_stored(rates: list[Rate], stored: list[Rate]) -> list[files.LineError]:
    """Loaded rates whose period overlaps a stored rate of the same currency (other start).

    A rate with the same start date replaces the stored one (with ``replace``);
    one that starts inside a stored period would leave the rest of that period
    without a rate, so it is refused: shorten the stored rate first.
    """
    replaced = {(r.currency, r.valid_from) for r in rates}
    by_currency: dict[str, list[Rate]] = {}
    for r in stored:
        if (r.currency, r.valid_from) not in replaced:  # superseded by this file
            by_currency.setdefault(r.currency, []).append(r)
    errors = []
    for n, new in enumerate(rates, start=1):
        for old in by_currency.get(new.currency, ()):
            if old.valid_from == new.valid_from:
                continue
            others = by_currency[new.currency] + [r for r in rates if r.currency == new.currency]
            old_end = old.valid_to or _next_start(others, old)
            new_end = new.valid_to or _next_start(others, new)
            if new.start <= (old_end or dt.date.max) and old.start <= (new_end or dt.date.max):
                until = f" to {old.valid_to}" if old.valid_to else ""
                errors.append(
                    files.LineError(
                        new.line or n,
                        "valid_from",
                        f"the {new.currency} rate from {new.valid_from} overlaps the rate "
                        f"from {old.valid_from}{until} already loaded; shorten that one first "
                        "(load it again with its valid_to and --replace)",
                    )
                )
                break
    return errors


def _next_start(rates: list[Rate], rate: Rate) -> dt.date | None:
    start = rate.start
    later = [r.valid_from for r in rates if r.valid_from and r.valid_from > start]
    return min(later) - dt.timedelta(days=1) if later else None


class TariffService:
    def __init__(
        self,
        engine: sa.Engine,
        *,
        administration: str,
        currency: str,
        minor_unit: int,
        subheadings: frozenset[str],
        currencies: dict[str, int | None],
        presumed_insurance: Decimal = Decimal("0.003"),
        ttl: float = 5.0,
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.administration = administration
        self.policy = Policy(currency, minor_unit, presumed_insurance)
        self.subheadings = subheadings
        self.currencies = currencies
        self.ttl = ttl
        self.clock = clock
        self._in_force: InForce[_Loaded] = InForce(self._load, ttl=ttl)
        self._hs: dict[str, str] | None = None
        self._sections: tuple[dict[str, str], dict[str, str]] = ({}, {})

    # -- what is in force ---------------------------------------------------------

    def _load(self, held: _Loaded | None) -> _Loaded:
        with reading(self.engine) as conn:
            versions = (store.active_version(conn), store.rates_version(conn))
            if held is not None and versions == held.versions:
                return held
            schedule = store.load_schedule(conn, self.policy.currency, versions[0])
            rates = ExchangeRates(self.policy.currency, store.all_rates(conn), versions[1])
            if self._hs is None:
                self._hs = hs_descriptions(conn)
                self._sections = hs_sections(conn)
        index = SearchIndex(schedule, self._hs) if schedule else None
        return _Loaded(schedule, rates, index, versions)

    def _current(self) -> _Loaded:
        return self._in_force.get()

    def refresh(self) -> None:
        """Forget what is held, so the next use reads the database."""
        self._in_force.forget()

    def schedule(self) -> Schedule:
        schedule = self._current().schedule
        if schedule is None:
            raise TariffNotLoaded()
        return schedule

    def rates(self) -> ExchangeRates:
        return self._current().rates

    def assess(
        self, doc: DraftDeclaration, on: dt.date, proofs: Mapping[int, Verdict] | None = None
    ) -> Assessment:
        """``doc`` assessed as of ``on``; :class:`NotAssessable` or :class:`TariffNotLoaded`.

        ``proofs``: the e-CO check's verdicts on the preference claims, by item.
        """
        loaded = self._current()
        if loaded.schedule is None:
            raise TariffNotLoaded()
        return assess(doc, loaded.schedule, loaded.rates, on, self.policy, proofs)

    # -- transparency ---------------------------------------------------------------

    def hs_path(self, code: str) -> list[dict[str, str]]:
        self._current()
        hs = self._hs or {}
        names, of_chapter = self._sections
        path = []
        section = of_chapter.get(code[:2])
        if section:
            path.append({"level": "section", "code": section, "description": names[section]})
        for level, n in (("chapter", 2), ("heading", 4), ("subheading", 6)):
            if len(code) >= n and code[:n] in hs:
                path.append({"level": level, "code": code[:n], "description": hs[code[:n]]})
        return path

    def line_json(self, line: TariffLine, on: dt.date) -> dict[str, Any]:
        currency = self.policy.currency
        return {
            "code": line.code,
            "description": line.description,
            "unit": line.unit,
            "measures": [m.as_json(currency) for m in line.in_force(on)],
        }

    def lookup(self, code: str, on: dt.date) -> dict[str, Any] | None:
        """The lines under ``code`` (2 to 10 digits) and their measures in force on ``on``."""
        schedule = self.schedule()
        lines = schedule.under(code)
        if not lines:
            return None
        return {
            "code": code,
            "date": on.isoformat(),
            "path": self.hs_path(code),
            "lines": [self.line_json(schedule.lines[c], on) for c in lines[:200]],
            "truncated": len(lines) > 200,
            "tariff": self.describe(schedule),
        }

    def describe(self, schedule: Schedule) -> dict[str, Any]:
        return {
            "version": schedule.version,
            "title": schedule.title,
            "illustrative": schedule.illustrative,
            "currency": schedule.currency,
        }

    def search(self, query: str, on: dt.date, limit: int = 50) -> dict[str, Any]:
        loaded = self._current()
        if loaded.schedule is None or loaded.index is None:
            raise TariffNotLoaded()
        hits = loaded.index.search(query, limit)
        return {
            "query": query,
            "date": on.isoformat(),
            "results": [
                {
                    "score": hit.score,
                    "path": self.hs_path(hit.code),
                    **self.line_json(loaded.schedule.lines[hit.code], on),
                }
                for hit in hits
            ],
            "tariff": self.describe(loaded.schedule),
        }

    # -- administration -------------------------------------------------------------

    def load_tariff(
        self, data: bytes, *, source: str, actor: str
    ) -> tuple[int, files.ParsedTariff]:
        """Check a whole tariff file and store it as the new active version.

        :class:`files.FileErrors` (every error, with its line) and nothing stored if
        the file has any error.
        """
        parsed = files.parse_tariff(_decode(data), self.subheadings, self.administration)
        load = FileLoad.of(data, source=source, actor=actor, at=self.clock())
        version = add_version(
            self.engine, self._in_force, lambda conn: store.add_tariff_version(conn, parsed, load)
        )
        return version, parsed

    def load_rates(
        self, data: bytes, *, source: str, actor: str, replace: bool = False
    ) -> tuple[int, int]:
        """Check a whole rate file and store its rates: (new, replaced).

        A rate that changes one already stored for the same currency and start
        date is refused (:class:`RatesConflict`) unless ``replace``: a published
        rate is corrected on purpose, never by a re-sent file.
        """
        rates = files.parse_rates(_decode(data), self.currencies, self.policy.currency)
        load = FileLoad.of(data, source=source, actor=actor, at=self.clock())

        def write(conn: sa.Connection) -> tuple[int, int]:
            overlaps = _overlaps_with_stored(rates, store.all_rates(conn))
            if overlaps:
                raise files.FileErrors(overlaps)
            conflicts = store.rate_conflicts(conn, rates)
            if conflicts and not replace:
                raise RatesConflict(conflicts)
            return store.add_rates(conn, rates, load)

        return add_version(self.engine, self._in_force, write)

    def rate(self, currency: str, on: dt.date) -> Rate:
        return self.rates().rate(currency, on)

    def national_rate(self, currency: str, on: dt.date | None = None) -> Decimal | None:
        """National currency per unit of ``currency`` today (or ``on``); None when unknown."""
        try:
            return self.rate(currency, on or self.clock().date()).rate
        except MissingRate:
            return None
