"""A simulated month of import traffic, driven through the whole node.

``silkgate simulate --declarations N`` is the node's demonstration of its main
job: realistic declarations (an HS mix weighted like real trade, partner
origins, a pool of importers of which some are AEOs, a small share of
undervaluation fraud and of quarantine problems) are lodged, assessed and
selected; declarations under control get their joint inspection, with
simulated officer and inspector time and findings that match the truth the
generator knows; duties are paid; goods are released, returned or seized.
Every step goes through the same services as the API, on a simulated clock,
so the journal's timestamps feed the Time Release Study as real ones would.

The traffic is invented for demonstration, and labelled so.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from silkgate.declarations.commands import Decision, PaymentBody
from silkgate.inspection.commands import CheckResult
from silkgate.kernel.actors import Principal
from silkgate.kernel.clock import ManualClock
from silkgate.node import Node
from silkgate.simulated_trade import ASEAN, CHAPTERS, OFFICES, ORIGINS, PORTS, PRICE
from silkgate.store import principals as principal_store
from silkgate.store.db import reading

PEST = "Bactrocera dorsalis"
# What share of their worth undervalued goods are declared at.
UNDERVALUED = 0.3


@dataclass
class Truth:
    """What the generator knows and the node must find out."""

    undervalued: bool
    sps_problem: bool


@dataclass
class Tally:
    lodged: int = 0
    refused: int = 0
    channels: dict[str, int] = field(default_factory=dict)
    inspected: int = 0
    fraud_planted: int = 0
    fraud_found: int = 0
    sps_planted: int = 0
    sps_found: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, table: dict[str, int], key: str) -> None:
        table[key] = table.get(key, 0) + 1


def _money(value: float) -> str:
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class Simulation:
    def __init__(self, node: Node, *, seed: int = 1, days: int = 30) -> None:
        self.node = node
        self.rng = random.Random(seed)
        self.days = days
        if not isinstance(node.clock, ManualClock):
            raise ValueError("a simulation runs a node opened with a ManualClock")
        self.clock = node.clock
        with reading(node.engine) as conn:
            users = {p.name: p for p in principal_store.all_principals(conn)}
        self.broker: Principal = users["lotus-broker"]
        self.officer: Principal = users["officer.li"]
        self.inspector: Principal = users["inspector.chen"]
        schedule = node.tariff.schedule()
        self.lines: dict[str, list[Any]] = {}
        for code, line in schedule.lines.items():
            self.lines.setdefault(code[:2], []).append(line)
        self.importers = [
            (f"91310000SIM{n:06d}"[:18], f"Importer {n} (simulated)") for n in range(1, 201)
        ]
        self.tally = Tally()

    # -- traffic -------------------------------------------------------------------------

    def _line(self) -> Any:
        chapters = [c for c in CHAPTERS if c in self.lines]
        chapter = self.rng.choices(chapters, weights=[CHAPTERS[c] for c in chapters])[0]
        return self.rng.choice(self.lines[chapter])

    def declaration(self, n: int, lodged_at: dt.datetime) -> tuple[dict[str, Any], Truth]:
        rng = self.rng
        origin = rng.choice(ORIGINS)
        office = rng.choice(OFFICES)
        importer = rng.choice(self.importers)
        today = lodged_at.date()
        truth = Truth(undervalued=rng.random() < 0.04, sps_problem=rng.random() < 0.1)
        items = [
            self._item(n, seq, origin, today, truth) for seq in range(1, rng.randint(1, 6) + 1)
        ]
        invoice = self._invoice(n, today, sum((Decimal(i["value"]) for i in items), Decimal(0)))
        return self._document(n, office, importer, origin, today, invoice, items), truth

    def _item(self, n: int, seq: int, origin: str, today: dt.date, truth: Truth) -> dict[str, Any]:
        rng = self.rng
        line = self._line()
        mass = rng.randint(50, 20000)
        price = PRICE.get(line.code[:2], 4) * rng.uniform(0.6, 1.6)
        if truth.undervalued:
            price *= UNDERVALUED
        item: dict[str, Any] = {
            "seq": seq,
            "description": line.description[:200] or "goods",
            "hs_code": line.code,
            "origin": origin,
            "net_mass_kg": str(mass),
            "packages": {"count": max(1, mass // 20), "kind": "CT"},
            "value": str(Decimal(_money(mass * price))),
        }
        units = {
            m.unit
            for m in line.measures
            if m.needs_quantity and m.unit not in ("KGM", "TNE", "GRM")
        }
        if units:
            item["supplementary_quantity"] = {
                "value": str(rng.randint(1, 5000)),
                "unit": units.pop(),
            }
        if origin in ASEAN and rng.random() < 0.6:
            item["preference"] = {
                "agreement": "ACFTA",
                "proof": {
                    "type": "FORM_E",
                    "reference": f"E{n:08d}{seq}",
                    "date": str(today - dt.timedelta(days=3)),
                },
            }
        needed = [
            r
            for r in self.node.sps.requirements().applicable(line.code, origin, today)
            if r.document
        ]
        # Some importers with an SPS problem leave the certificate out.
        if needed and not (truth.sps_problem and rng.random() < 0.5):
            item["documents"] = [
                {
                    "code": r.document,
                    "reference": f"{origin}-CERT-{n}-{seq}",
                    "date": str(today - dt.timedelta(days=2)),
                    "issuing_country": origin,
                }
                for r in needed[:1]
            ]
        return item

    def _invoice(self, n: int, today: dt.date, total: Decimal) -> dict[str, Any]:
        terms = self.rng.choice(["FOB", "CIF", "CFR", "EXW", "FCA"])
        invoice: dict[str, Any] = {
            "number": f"SIM-{n:07d}",
            "date": str(today - dt.timedelta(days=self.rng.randint(2, 20))),
            "currency": "USD",
            "amount": str(total),
            "incoterm": terms,
            "incoterm_place": "port of loading",
        }
        if terms in ("FOB", "EXW", "FCA"):
            invoice["freight"] = _money(float(total) * 0.03)
        return invoice

    def _document(
        self,
        n: int,
        office: str,
        importer: tuple[str, str],
        origin: str,
        today: dt.date,
        invoice: dict[str, Any],
        items: list[dict[str, Any]],
    ) -> dict[str, Any]:
        mass_total = sum(int(i["net_mass_kg"]) for i in items)
        return {
            "type": "IM",
            "procedure": "4000",
            "lrn": f"SIM{n:07d}-{self.rng.randint(0, 10**6):06d}",
            "office": office,
            "declarant": {
                "id": self.broker.party_id,
                "name": "Nanning Lotus Customs Brokerage (demo)",
                "role": "direct_agent",
            },
            "importer": {
                "id": importer[0],
                "name": importer[1],
                "address": {"city": "Shanghai", "country": "CN"},
            },
            "exporter": {
                "name": f"Exporter {self.rng.randint(1, 300)} (simulated)",
                "address": {"city": "Port city", "country": origin},
            },
            "transport": {
                "mode": 1,
                "document": {"type": "BL", "number": f"SIMBL{n:08d}"},
                "loading_place": PORTS[origin],
                "discharge_place": office,
                "dispatch_country": origin,
                "destination_country": "CN",
                "arrival_date": str(today),
            },
            "invoice": invoice,
            "totals": {
                "gross_mass_kg": str(int(mass_total * 1.08) + 1),
                "packages": sum(i["packages"]["count"] for i in items),
                "items": len(items),
            },
            "items": items,
        }

    # -- one declaration's life --------------------------------------------------------

    def _later(self, hours_mean: float) -> None:
        self.clock.advance(dt.timedelta(hours=self.rng.expovariate(1 / hours_mean)))

    def run_one(self, n: int, lodged_at: dt.datetime) -> None:
        from silkgate.kernel.errors import InvalidRequest

        node, tally = self.node, self.tally
        self.clock.set(lodged_at)
        raw, truth = self.declaration(n, lodged_at)
        try:
            summary, _ = node.declarations.lodge(self.broker, raw)
        except InvalidRequest:
            tally.refused += 1
            return
        tally.lodged += 1
        mrn = summary["mrn"]
        channel = summary["channel"] or "none"
        tally.count(tally.channels, channel)
        tally.fraud_planted += truth.undervalued
        if summary["status"] == "released":
            tally.count(tally.outcomes, "released")
            return
        d = node.declarations.get(self.officer, mrn)
        task = d["inspection"]
        has_sps = bool(task and any(c["service"] == "sps" for c in task["checks"]))
        tally.sps_planted += truth.sps_problem and has_sps
        if task:
            self._inspect(task, truth, d["document"]["items"])
        # The trader pays some hours after lodging (or after the inspection).
        self._later(3)
        due = node.declarations.account(self.officer, mrn)["due"]
        if Decimal(due) > 0:
            payment = PaymentBody(
                kind="payment", amount=Decimal(due), currency="CNY", reference=f"BANK-SIM-{n}"
            )
            node.declarations.record_payment(self.officer, mrn, payment)
        status = node.declarations.get(self.officer, mrn)["status"]
        if status == "released":
            tally.count(tally.outcomes, "released")
            return
        self._later(0.5)
        decision = self._decide(task, truth)
        from silkgate.declarations.states import Action

        reason = {
            Action.DESTROY: f"quarantine pest {PEST} found",
            Action.SEIZE: "deliberate undervaluation",
        }.get(decision)
        node.declarations.act(self.officer, mrn, decision, Decision(reason=reason))
        tally.count(tally.outcomes, {Action.RELEASE: "released"}.get(decision, decision.value))

    def _inspect(self, task: dict[str, Any], truth: Truth, items: list[dict[str, Any]]) -> None:
        node, tally = self.node, self.tally
        self._later(2 if task["checks"][0]["service"] == "customs" else 4)  # queue
        tally.inspected += 1
        # Undervalued goods: the officer corrects the items to their real value, dearest
        # first, one per finding; the duties assessed again are the revenue recovered.
        undervalued = sorted(items, key=lambda i: Decimal(i["value"]), reverse=True)
        found_fraud = found_sps = False
        for check in task["checks"]:
            self._later(0.3)
            who = self.inspector if check["service"] == "sps" else self.officer
            finding = self._finding(check, truth, undervalued)
            raw: dict[str, Any] = {"status": "compliant"}
            if finding is not None:
                raw = {"status": "non_compliant", "finding": finding}
                found_fraud = found_fraud or check["service"] == "customs"
                found_sps = found_sps or check["service"] == "sps"
            node.inspections.record(who, task["id"], check["seq"], CheckResult.model_validate(raw))
        self._later(0.5)
        node.inspections.complete(self.officer, task["id"])
        tally.fraud_found += found_fraud
        tally.sps_found += found_sps

    @staticmethod
    def _finding(
        check: dict[str, Any], truth: Truth, undervalued: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        """What ``check`` finds, knowing the truth (None: compliant)."""
        if check["service"] == "sps":
            if not truth.sps_problem:
                return None
            if check["check"] == "certificate":
                return {"kind": "certificate", "note": "certificate missing"}
            return {"kind": "pest", "note": "larvae found", "pest": {"scientific_name": PEST}}
        if not (truth.undervalued and check["check"] in ("documents", "value")):
            return None
        if not undervalued:
            return {"kind": "value", "note": "price below the market"}
        item = undervalued.pop(0)
        real = (Decimal(item["value"]) / Decimal(str(UNDERVALUED))).quantize(Decimal("0.01"))
        return {
            "kind": "value",
            "item": item["seq"],
            "note": f"item {item['seq']}: price below the market, worth {real} USD",
            "corrected": {"value": str(real)},
        }

    def _decide(self, task: dict[str, Any] | None, truth: Truth) -> Any:
        from silkgate.declarations.states import Action

        if (
            task is not None
            and truth.sps_problem
            and any(c["service"] == "sps" for c in task["checks"])
        ):
            return Action.DESTROY
        if task is not None and truth.undervalued and self.rng.random() < 0.2:
            return Action.SEIZE
        return Action.RELEASE

    def run(self, count: int, progress: Callable[[int], None] | None = None) -> Tally:
        """Simulate ``count`` declarations lodged over the last ``days`` days."""
        start = self.clock() - dt.timedelta(days=self.days)
        for n in range(1, count + 1):
            day = self.rng.randrange(self.days)
            hour = self.rng.choice([8, 9, 10, 11, 13, 14, 15, 16, 17])
            lodged_at = start + dt.timedelta(days=day, hours=hour, minutes=self.rng.randrange(60))
            self.run_one(n, lodged_at)
            if progress:
                progress(n)
        return self.tally
