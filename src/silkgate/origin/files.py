"""The rules-of-origin file: agreements' terms and rules in TOML, checked whole before use.

One table per agreement (``[ACFTA]``) holds its terms; an array of tables
(``[[ACFTA.rules]]``) its rules, each a rule in the language of
:mod:`silkgate.origin.rules` for an HS prefix (none: the general rule) over a
period. The format is documented in ``docs/origin.md``.

As with the tariff, parsing never stops at the first problem: every error is
reported with its line (the line of the key, or of the table it is missing
from), and a file with any error changes nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from silkgate.origin.agreements import AGREEMENTS
from silkgate.origin.rulebook import AgreementTerms, Cumulation, ProductRule
from silkgate.origin.rules import (
    Criterion,
    RuleError,
    TariffChange,
    leaves,
    parse,
    process_name,
)
from silkgate.tariff.files import FileErrors, LineError

__all__ = ["FileErrors", "LineError", "ParsedRules", "parse_rules"]

TERMS_REQUIRED = (
    "name",
    "parties",
    "proofs",
    "certificate_validity_months",
    "de_minimis",
    "build_up",
    "cumulation",
    "minimal_operations",
)
TERMS_OPTIONAL: tuple[str, ...] = ("always", "de_minimis_not_for", "transit_operations")
TERMS_OPTIONAL += ("source", "rules", "verification_days")
RULE_KEYS = ("hs", "rule", "valid_from", "valid_to", "source", "illustrative")
DEFAULT_TRANSIT = ("unloading", "reloading", "preservation")


@dataclass
class ParsedRules:
    title: str
    terms: list[AgreementTerms] = field(default_factory=list)
    rules: list[ProductRule] = field(default_factory=list)


# --- where things are in the text ----------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=")


class _Lines:
    """The line (1-based) on which each table and key of a TOML text starts.

    ``tomllib`` reports only syntax errors with a line; the checks of what the
    file means find their lines here. An array of tables is numbered as the
    parsed list is (``("ACFTA", "rules", 0)``).
    """

    def __init__(self, text: str) -> None:
        self.tables: dict[tuple[Any, ...], int] = {}
        self.keys: dict[tuple[Any, ...], int] = {}
        seen: dict[tuple[Any, ...], int] = {}
        current: tuple[Any, ...] = ()
        for n, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                path: tuple[Any, ...] = tuple(
                    p.strip().strip('"') for p in header.group(2).split(".")
                )
                if header.group(1) == "[[":
                    index = seen.get(path, 0)
                    seen[path] = index + 1
                    path = (*path, index)
                current = path
                self.tables.setdefault(path, n)
                continue
            key = _KEY.match(line)
            if key:
                self.keys.setdefault((*current, key.group(1).strip('"')), n)

    def of(self, *path: Any) -> int:
        """The line of a key (or, when absent, of the nearest table holding it)."""
        if path in self.keys:
            return self.keys[path]
        for end in range(len(path), 0, -1):
            if path[:end] in self.tables:
                return self.tables[path[:end]]
        return 1


# --- checking -----------------------------------------------------------------------------------


class _Check:
    """The checks of one file; ``errors`` collects every problem with its line."""

    def __init__(self, text: str, countries: frozenset[str], hs_codes: frozenset[str]) -> None:
        self.lines = _Lines(text)
        self.countries = countries
        self.hs_codes = hs_codes
        self.errors: list[LineError] = []

    def error(self, path: tuple[Any, ...], column: str | None, message: str) -> None:
        self.errors.append(LineError(self.lines.of(*path), column, message))

    def text(self, where: tuple[Any, ...], value: Any, *, required: bool = True) -> str:
        if isinstance(value, str) and (value.strip() or not required):
            return value.strip()
        self.error(
            where,
            where[-1],
            "must be text" if value is not None and not isinstance(value, str) else "required",
        )
        return ""

    def words(self, where: tuple[Any, ...], value: Any) -> list[str]:
        if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
            return list(value)
        self.error(where, where[-1], 'must be a list of texts (["a", "b"])')
        return []

    def date(self, where: tuple[Any, ...], value: Any, *, required: bool) -> dt.date | None:
        if value is None:
            if required:
                self.error(where, where[-1], "required (YYYY-MM-DD)")
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.error(where, where[-1], f"{value!r} is not a date (YYYY-MM-DD)")
        return None

    def criterion(self, where: tuple[Any, ...], value: Any) -> Criterion | None:
        text = self.text(where, value)
        if not text:
            return None
        try:
            tree = parse(text)
        except RuleError as exc:
            self.error(where, where[-1], f"{text!r}: {exc}")
            return None
        for leaf in leaves(tree):
            if isinstance(leaf, TariffChange):
                for excepted in leaf.exceptions:
                    for code in {excepted.first, excepted.last}:
                        if code not in self.hs_codes:
                            self.error(where, where[-1], f"{code} is not in HS 2022 ({text!r})")
        return tree

    def hs_prefixes(self, where: tuple[Any, ...], value: Any) -> list[str]:
        """The HS prefixes a rule is for: [""] for the general rule."""
        if value is None:
            return [""]
        raw = [value] if isinstance(value, str) else value
        if not isinstance(raw, list) or not raw:
            self.error((*where, "hs"), "hs", 'must be an HS code or a list of them ("8471.30")')
            return []
        found = []
        for code in raw:
            digits = code.replace(".", "").strip() if isinstance(code, str) else ""
            if len(digits) not in (2, 4, 6) or not digits.isdigit():
                self.error(
                    (*where, "hs"), "hs", f"{code!r} is not an HS chapter, heading or subheading"
                )
            elif digits not in self.hs_codes:
                self.error((*where, "hs"), "hs", f"{code!r} is not in HS 2022")
            else:
                found.append(digits)
        return found

    def unknown(self, where: tuple[Any, ...], table: dict[str, Any], known: Iterable[str]) -> None:
        for key in sorted(set(table) - set(known)):
            self.error((*where, key), key, f"unknown key (known: {', '.join(known)})")


def _percent(check: _Check, where: tuple[Any, ...], value: Any) -> Decimal:
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidOperation
        number = Decimal(str(value))
    except InvalidOperation:
        check.error(where, where[-1], "must be a percentage (10)")
        return Decimal(0)
    if not number.is_finite() or not 0 <= number <= 100:
        check.error(where, where[-1], f"{value} is not a percentage from 0 to 100")
        return Decimal(0)
    return number


def _chapters(check: _Check, where: tuple[Any, ...], value: Any) -> frozenset[str]:
    """HS chapters, each "50" or a range "50-63"."""
    found: set[str] = set()
    for item in check.words(where, value or []):
        first, _, last = item.partition("-")
        last = last or first
        if not (len(first) == len(last) == 2 and first.isdigit() and last.isdigit()):
            check.error(where, where[-1], f"{item!r} is not an HS chapter or a range of them")
            continue
        found.update(f"{n:02d}" for n in range(int(first), int(last) + 1))
    return frozenset(found)


def _processes(check: _Check, where: tuple[Any, ...], value: Any) -> frozenset[str]:
    return frozenset(process_name(p) for p in check.words(where, value))


def _countries(check: _Check, where: tuple[Any, ...], value: Any) -> frozenset[str]:
    parties = check.words(where, value)
    for code in parties:
        if code not in check.countries:
            check.error(where, where[-1], f"{code!r} is not an ISO 3166 country")
    return frozenset(parties)


def _days(check: _Check, code: str, days: Any) -> int:
    """The issuer's term to answer a verification request (1 to 730 days; 90 by default)."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 730:
        check.error((code, "verification_days"), "verification_days", "must be 1 to 730 days")
        return 90
    return days


def _terms(check: _Check, code: str, table: dict[str, Any]) -> AgreementTerms | None:
    bad = len(check.errors)
    where = (code,)
    check.unknown(where, table, TERMS_REQUIRED + TERMS_OPTIONAL)
    for key in TERMS_REQUIRED:
        if key not in table:
            check.error(where, key, "required")
    known = AGREEMENTS.get(code)
    if known is None:
        check.error(
            where, None, f"{code!r} is not an agreement silkgate knows ({', '.join(AGREEMENTS)})"
        )
    parties = _countries(check, (code, "parties"), table.get("parties", []))
    proofs = tuple(check.words((code, "proofs"), table.get("proofs", [])))
    if known is not None and "parties" in table and parties != known.parties:
        _differs(check, (code, "parties"), "parties", parties, known.parties)
    if known is not None and "proofs" in table and frozenset(proofs) != known.proofs:
        _differs(check, (code, "proofs"), "proofs", frozenset(proofs), known.proofs)
    months = table.get("certificate_validity_months", 12)
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 60:
        check.error(
            (code, "certificate_validity_months"),
            "certificate_validity_months",
            "must be 1 to 60 months",
        )
    days = _days(check, code, table.get("verification_days", 90))
    build_up = table.get("build_up", False)
    if not isinstance(build_up, bool):
        check.error((code, "build_up"), "build_up", "must be true or false")
    cumulation = table.get("cumulation", "none")
    if cumulation not in {c.value for c in Cumulation}:
        check.error((code, "cumulation"), "cumulation", f"{cumulation!r} is not parties or none")
        cumulation = "none"
    always = table.get("always")
    terms = AgreementTerms(
        code=code,
        name=check.text((code, "name"), table.get("name", code)),
        parties=parties,
        proofs=proofs,
        certificate_validity_months=months if isinstance(months, int) else 12,
        de_minimis=_percent(check, (code, "de_minimis"), table.get("de_minimis", 0)),
        de_minimis_not_for=_chapters(
            check, (code, "de_minimis_not_for"), table.get("de_minimis_not_for")
        ),
        build_up=build_up is True,
        cumulation=Cumulation(cumulation),
        always=check.criterion((code, "always"), always) if always is not None else None,
        minimal_operations=_processes(
            check, (code, "minimal_operations"), table.get("minimal_operations", [])
        ),
        transit_operations=_processes(
            check,
            (code, "transit_operations"),
            table.get("transit_operations", list(DEFAULT_TRANSIT)),
        ),
        source=check.text((code, "source"), table.get("source", ""), required=False),
        verification_days=days,
    )
    return terms if len(check.errors) == bad else None


def _differs(
    check: _Check, where: tuple[Any, ...], what: str, given: frozenset[str], known: frozenset[str]
) -> None:
    parts = []
    if given - known:
        parts.append("not " + ", ".join(sorted(given - known)))
    if known - given:
        parts.append("also " + ", ".join(sorted(known - given)))
    check.error(
        where,
        what,
        f"differ from the {what} declarations are checked against ({'; '.join(parts)})",
    )


def _rules(check: _Check, code: str, entries: Any) -> list[ProductRule]:
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        check.error((code, "rules"), "rules", f"must be an array of tables ([[{code}.rules]])")
        return []
    found: list[ProductRule] = []
    for i, entry in enumerate(entries):
        where = (code, "rules", i)
        bad = len(check.errors)
        check.unknown(where, entry, RULE_KEYS)
        prefixes = check.hs_prefixes(where, entry.get("hs"))
        criterion = check.criterion((*where, "rule"), entry.get("rule"))
        valid_from = check.date((*where, "valid_from"), entry.get("valid_from"), required=True)
        valid_to = check.date((*where, "valid_to"), entry.get("valid_to"), required=False)
        if valid_from and valid_to and valid_to < valid_from:
            check.error((*where, "valid_to"), "valid_to", f"is before valid_from {valid_from}")
        source = check.text((*where, "source"), entry.get("source"))
        illustrative = entry.get("illustrative", False)
        if not isinstance(illustrative, bool):
            check.error((*where, "illustrative"), "illustrative", "must be true or false")
        if len(check.errors) > bad:
            continue
        assert criterion is not None and valid_from is not None
        line = check.lines.of(*where)
        found.extend(
            ProductRule(code, p, criterion, valid_from, valid_to, source, illustrative, line)
            for p in prefixes
        )
    return found


def _overlaps(check: _Check, rules: list[ProductRule]) -> None:
    """Two rules for the same agreement and HS prefix may not be in force on the same day."""
    by_scope: dict[tuple[str, str], list[ProductRule]] = {}
    for rule in rules:
        by_scope.setdefault((rule.agreement, rule.hs_prefix), []).append(rule)
    for (agreement, _), scoped in by_scope.items():
        ordered = sorted(scoped, key=lambda r: r.valid_from)
        for earlier, later in itertools.pairwise(ordered):
            if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
                check.errors.append(
                    LineError(
                        later.line,
                        "valid_from",
                        f"the {agreement} rule for the {later.scope} overlaps line {earlier.line}",
                    )
                )


def parse_rules(text: str, countries: Iterable[str], hs_codes: Iterable[str]) -> ParsedRules:
    """Parse and check a whole rules file; :class:`FileErrors` lists every problem.

    ``hs_codes`` are the HS 2022 chapters, headings and subheadings a rule may name.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise FileErrors(
            [LineError(int(line.group(1)) if line else 1, None, f"not TOML: {exc}")]
        ) from None
    check = _Check(text, frozenset(countries), frozenset(hs_codes))
    parsed = ParsedRules(title="Rules of origin")
    for key, value in data.items():
        if key == "title":
            parsed.title = check.text(("title",), value)
        elif isinstance(value, dict):
            terms = _terms(check, key, value)
            rules = _rules(check, key, value.get("rules", []))
            if terms is not None:
                parsed.terms.append(terms)
            parsed.rules.extend(rules)
        else:
            check.error((key,), key, "unknown key: the file holds a title and agreement tables")
    _overlaps(check, parsed.rules)
    if not data or not any(isinstance(v, dict) for v in data.values()):
        check.errors.append(LineError(1, None, "the file has no agreement ([ACFTA] ...)"))
    if check.errors:
        raise FileErrors(sorted(check.errors, key=lambda e: e.line))
    return parsed
