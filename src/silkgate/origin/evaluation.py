"""Each criterion of a rule tested against a case, with the sentences that explain it.

:class:`Evaluator` tests the criteria of a rule tree against the
:class:`~silkgate.origin.facts.Facts` of a case, each single criterion once,
and writes one or more plain sentences per test.
"""

from __future__ import annotations

from decimal import Decimal

from silkgate.origin.facts import HUNDRED, ZERO, Facts, Line, money, percent
from silkgate.origin.rulebook import dotted
from silkgate.origin.rules import (
    LEVEL_NAMES,
    AllOf,
    AnyOf,
    Criterion,
    ProducedEntirely,
    SpecificProcess,
    TariffChange,
    ValueContent,
    WhollyObtained,
)


class Evaluator:
    """Tests criteria against :class:`Facts`; ``notes`` explains each test, in order."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.notes: list[str] = []
        self.failing: dict[int, list[str]] = {}  # material index -> criteria it fails
        self._done: dict[int, bool] = {}
        self._rvc_explained = False

    def met(self, criterion: Criterion) -> tuple[bool, tuple[Criterion, ...]]:
        """Whether ``criterion`` is met, and the single criteria that meet it.

        Alternatives are tested in order until one is met, as the exporter may
        choose any (the rest are named as not needed); every part of a
        combination is tested, so that all its shortcomings are explained.
        """
        if isinstance(criterion, AnyOf):
            for i, part in enumerate(criterion.parts):
                ok, used = self.met(part)
                if ok:
                    if criterion.rest[i]:
                        self.notes.append(f"Not tested, as {part} is met: {criterion.rest[i]}.")
                    return True, used
            return False, ()
        if isinstance(criterion, AllOf):
            results = [self.met(part) for part in criterion.parts]
            if all(ok for ok, _ in results):
                return True, tuple(leaf for _, used in results for leaf in used)
            return False, ()
        # By identity: a rule's tree is built once per load, and hashing it is not free.
        known = self._done.get(id(criterion))
        if known is None:
            known = self._test(criterion)
            self._done[id(criterion)] = known
        return known, (criterion,) if known else ()

    def _test(self, criterion: Criterion) -> bool:
        if isinstance(criterion, WhollyObtained):
            return self._wholly_obtained()
        if isinstance(criterion, ProducedEntirely):
            return self._produced_entirely()
        if isinstance(criterion, ValueContent):
            return self._value_content(criterion)
        if isinstance(criterion, TariffChange):
            return self._tariff_change(criterion)
        assert isinstance(criterion, SpecificProcess)
        return self._specific_process(criterion)

    def _wholly_obtained(self) -> bool:
        f = self.facts
        country = f.case.exporting_country
        if not f.case.wholly_obtained:
            self.notes.append(
                f"WO: not met: the product is not stated to be wholly obtained in {country}."
            )
            return False
        if f.non_originating:
            self.notes.append(
                "WO: not met: the product is stated to be wholly obtained, but "
                f"{_names(f.non_originating)} is non-originating."
            )
            return False
        self.notes.append(
            f"WO: met: the product is stated to be wholly obtained in {country} "
            "(the exporter shows how to the issuing authority)."
        )
        return True

    def _produced_entirely(self) -> bool:
        f = self.facts
        if not f.count:
            self.notes.append("PE: not met: no materials are listed.")
            return False
        if f.non_originating:
            n, total = len(f.non_originating), f.count
            self.notes.append(
                f"PE: not met: {n} of {total} material{'s' if total != 1 else ''} "
                f"{'is' if n == 1 else 'are'} non-originating ({_names(f.non_originating)})."
            )
            return False
        self.notes.append(f"PE: met: every material is originating under {f.terms.code}.")
        return True

    def _value_content(self, criterion: ValueContent) -> bool:
        f = self.facts
        if not self._rvc_explained:
            self._explain_rvc()
        threshold = criterion.threshold
        up = f.rvc_build_up if f.terms.build_up else None
        if f.at_least(f.kept, threshold):
            self.notes.append(f"{criterion}: met: {percent(f.rvc)} % ≥ {threshold} % (build-down).")
            return True
        if up is not None and f.terms.build_up and f.at_least(f.added, threshold):
            self.notes.append(
                f"{criterion}: met: {percent(up)} % ≥ {threshold} % (build-up); "
                f"build-down gives only {percent(f.rvc)} %."
            )
            return True
        shown = f" and {percent(up)} % (build-up)" if up is not None else ""
        self.notes.append(
            f"{criterion}: not met: {percent(f.rvc)} % (build-down){shown} < {threshold} %."
        )
        return False

    def _explain_rvc(self) -> None:
        f = self.facts
        self._rvc_explained = True
        c = f.currency
        self.notes.append(
            f"RVC, build-down: 100 * (FOB {money(f.fob)} - VNM {money(f.vnm)}) / FOB "
            f"{money(f.fob)} = {percent(f.rvc)} % (VNM: the non-originating materials, in {c})."
        )
        if f.rvc_build_up is None:
            if f.terms.build_up:
                self.notes.append(
                    "RVC, build-up: not computed (no cost elements given: direct_labour, "
                    "direct_overhead, other_cost, profit)."
                )
            return
        parts = [f"originating materials {money(f.vom)}"]
        parts += [f"{name.replace('_', ' ')} {money(v)}" for name, v in f.costs]
        allowed = "" if f.terms.build_up else f"; {f.terms.code} does not allow this method"
        self.notes.append(
            f"RVC, build-up: 100 * ({' + '.join(parts)}) / FOB {money(f.fob)} = "
            f"{percent(f.rvc_build_up)} %{allowed}."
        )

    def _tariff_change(self, criterion: TariffChange) -> bool:
        f = self.facts
        label, level = str(criterion), LEVEL_NAMES[criterion.level]
        if not f.non_originating:
            self.notes.append(f"{label}: met: no material is non-originating.")
            return True
        n = criterion.level
        own = f.case.hs[:n]
        simple = not criterion.exceptions
        failing: list[tuple[Line, str]] = []
        passing: list[Line] = []
        for line in f.non_originating:
            hs = line.material.hs
            if simple and hs is not None and len(hs) >= n and hs[:n] != own:
                passing.append(line)  # the usual case, decided without a call
                continue
            why = _fails_change(hs, own, criterion)
            if why is None:
                passing.append(line)
            else:
                failing.append((line, why))
                self.failing.setdefault(line.index, []).append(label)
        notes = self.notes
        if len(passing) > 5:
            notes.append(f"{label}: {len(passing)} non-originating materials change {level}.")
        else:
            for line in passing:
                was = dotted((line.material.hs or "")[: criterion.level])
                notes.append(f"{label}: {line.name} changes {level} ({was} → {dotted(own)}).")
        for line, why in failing:
            notes.append(f"{label}: {line.name} ({money(line.value)} {f.currency}) fails: {why}.")
        if not failing:
            notes.append(f"{label}: met: every non-originating material changes {level}.")
            return True
        return self._de_minimis(label, sum([line.value for line, _ in failing], ZERO))

    def _de_minimis(self, label: str, failing_value: Decimal) -> bool:
        f = self.facts
        terms = f.terms
        share = failing_value / f.fob * HUNDRED
        what = (
            f"the materials that fail are worth {money(failing_value)} {f.currency}, "
            f"{percent(share)} % of FOB"
        )
        if terms.de_minimis <= 0:
            self.notes.append(f"{label}: not met: {what}; {terms.code} has no de minimis.")
            return False
        if f.case.hs[:2] in terms.de_minimis_not_for:
            self.notes.append(
                f"{label}: not met: {what}; {terms.code}'s de minimis by value does not apply "
                f"to chapter {f.case.hs[:2]}."
            )
            return False
        if failing_value * HUNDRED <= terms.de_minimis * f.fob:
            self.notes.append(
                f"{label}: met by de minimis: {what}, within {terms.code}'s {terms.de_minimis} %."
            )
            return True
        self.notes.append(
            f"{label}: not met: {what}, more than {terms.code}'s de minimis "
            f"of {terms.de_minimis} %."
        )
        return False

    def _specific_process(self, criterion: SpecificProcess) -> bool:
        stated = self.facts.processes
        if criterion.process in stated:
            self.notes.append(f"{criterion}: met: the process is stated.")
            return True
        listed = ", ".join(stated) if stated else "none"
        self.notes.append(f"{criterion}: not met: the processes stated are {listed}.")
        return False


def _fails_change(hs: str | None, own: str, criterion: TariffChange) -> str | None:
    """Why a non-originating material of ``hs`` fails ``criterion`` (None: it passes)."""
    level = LEVEL_NAMES[criterion.level]
    if hs is None:
        return "its HS code is not given, so no change can be shown"
    for excepted in criterion.exceptions:
        inside = excepted.covers(hs)
        if inside is None:
            return f"classified only to {dotted(hs)}, it cannot be shown to be outside {excepted}"
        if inside:
            return f"it comes from {excepted}, which the rule excepts"
    n = criterion.level
    if len(hs) >= n:
        return f"{level} {dotted(own)} is the product's own" if hs[:n] == own else None
    if own.startswith(hs):
        return f"classified only to {dotted(hs)}, a change of {level} cannot be shown"
    return None


def _names(lines: list[Line], most: int = 3) -> str:
    names = [line.material.description for line in lines[:most]]
    more = f" and {len(lines) - most} more" if len(lines) > most else ""
    return ", ".join(names) + more
