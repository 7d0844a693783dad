"""Code-list, date and arithmetic checks over the raw JSON of a declaration.

They run even when the structure is broken elsewhere (see
:func:`~silkgate.declarations.validation.validate`), so every reader here
expects anything: a list where a code should be, a string where a number should be.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from silkgate.kernel import amounts
from silkgate.kernel.errors import FieldError, pointer
from silkgate.origin.agreements import AGREEMENTS

if TYPE_CHECKING:
    from silkgate.declarations.validation import CodeLists

# Pre-arrival lodging is allowed, but not for goods expected more than this far ahead.
MAX_PRE_ARRIVAL = dt.timedelta(days=90)
# An invoice older than this is almost certainly a typing error in the year.
MAX_INVOICE_AGE = dt.timedelta(days=3 * 366)
# The country and place of the route that must be this administration's, per declaration type.
_LOCAL_ROUTE: dict[str, tuple[str, str]] = {
    "IM": ("destination_country", "discharge_place"),
    "EX": ("dispatch_country", "loading_place"),
}


def _dec(value: Any) -> Decimal | None:
    # Only amounts within bounds take part in the arithmetic (1E+999999999 would overflow it).
    return amounts.bounded(value)


def _all_decimals(values: Iterable[Any]) -> list[Decimal] | None:
    """Every value as a decimal, or None as soon as one is not a number."""
    out: list[Decimal] = []
    for value in values:
        d = _dec(value)
        if d is None:
            return None
        out.append(d)
    return out


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _container_check_digit_ok(cid: str) -> bool:
    """ISO 6346 check digit of a container identifier such as MSCU1234565."""
    values: dict[str, int] = {}
    n = 10
    for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if n % 11 == 0:
            n += 1
        values[ch] = n
        n += 1
    total = sum((values[c] if c.isalpha() else int(c)) * (2**i) for i, c in enumerate(cid[:10]))
    return (total % 11) % 10 == int(cid[10])


class Checker:
    """Code-list, date and arithmetic checks over the raw JSON of a declaration."""

    def __init__(self, raw: dict[str, Any], codes: CodeLists, today: dt.date) -> None:
        self.raw = raw
        # Anything may arrive here (a list where a code should be): compare, never hash.
        kind = raw.get("type")
        self.kind: str | None = kind if kind in ("IM", "EX") else None
        self.codes = codes
        self.today = today
        self.errors: list[FieldError] = []

    def error(self, ptr: str, code: str, detail: str) -> None:
        self.errors.append(FieldError(ptr, code, detail))

    def run(self) -> list[FieldError]:
        self.header()
        self.parties()
        self.transport()
        self.invoice()
        self.items()
        self.totals()
        return self.errors

    # -- code lists ----------------------------------------------------------

    def country(self, value: Any, *ptr: str | int) -> None:
        if isinstance(value, str) and value not in self.codes.countries:
            self.error(pointer(*ptr), "unknown_country", f"{value!r} is not an ISO 3166 country")

    def location(self, value: Any, *ptr: str | int) -> None:
        if isinstance(value, str) and value not in self.codes.locations:
            self.error(pointer(*ptr), "unknown_location", f"{value!r} is not a UN/LOCODE")

    def money(self, value: Any, minor: int | None, *ptr: str | int) -> None:
        if amounts.sent_as_number(value):
            self.error(pointer(*ptr), "amount_as_number", amounts.AS_STRING)
            return
        amount = _dec(value)
        if amount is None:
            found = amounts.parsed(value)
            if found is not None and amounts.oversized(found):
                self.error(pointer(*ptr), "out_of_range", amounts.TOO_LARGE)
        elif minor is not None and amounts.more_decimals_than(amount, minor):
            self.error(
                pointer(*ptr),
                "too_many_decimals",
                f"{value} has more decimals than the currency allows ({minor})",
            )

    def documents(self, docs: Any, *ptr: str | int) -> None:
        for i, doc in enumerate(_list(docs)):
            doc = _obj(doc)
            self.country(doc.get("issuing_country"), *ptr, i, "issuing_country")
            issued = _date(doc.get("date"))
            if issued and issued > self.today:
                self.error(pointer(*ptr, i, "date"), "date_in_future", "is in the future")

    # -- sections ------------------------------------------------------------

    def header(self) -> None:
        office = self.raw.get("office")
        if isinstance(office, str) and office not in self.codes.offices:
            known = office in self.codes.locations
            self.error(
                "/office",
                "unknown_office",
                f"{office!r} is not a customs office of this administration"
                if known
                else f"{office!r} is not a UN/LOCODE",
            )
        self.documents(self.raw.get("documents"), "documents")

    def parties(self) -> None:
        for role in ("importer", "exporter", "consignee", "carrier"):
            address = _obj(_obj(self.raw.get(role)).get("address"))
            self.country(address.get("country"), role, "address", "country")
        admin = self.codes.administration
        kind = self.kind
        local = "importer" if kind == "IM" else "exporter" if kind == "EX" else None
        if local:
            country = _obj(_obj(self.raw.get(local)).get("address")).get("country")
            if isinstance(country, str) and country != admin:
                self.error(
                    pointer(local, "address", "country"),
                    "party_not_local",
                    f"the {local} of an {'import' if kind == 'IM' else 'export'} declaration "
                    f"must be established in {admin}",
                )

    def transport(self) -> None:
        t = _obj(self.raw.get("transport"))
        admin = self.codes.administration
        kind = self.kind
        self.country(t.get("nationality"), "transport", "nationality")
        for field in ("dispatch_country", "destination_country"):
            self.country(t.get(field), "transport", field)
        for field in ("loading_place", "discharge_place"):
            self.location(t.get(field), "transport", field)
        # The border this node guards must be on the route the declaration describes.
        local = _LOCAL_ROUTE.get(kind) if kind else None
        if local:
            country, place = t.get(local[0]), t.get(local[1])
            if isinstance(country, str) and country in self.codes.countries and country != admin:
                self.error(
                    pointer("transport", local[0]),
                    "not_this_administration",
                    f"must be {admin} for an {'import' if kind == 'IM' else 'export'}",
                )
            if isinstance(place, str) and place in self.codes.locations and place[:2] != admin:
                self.error(
                    pointer("transport", local[1]),
                    "not_this_administration",
                    f"{place!r} is not in {admin}",
                )
        seen: set[str] = set()
        for i, cid in enumerate(_list(t.get("containers"))):
            if not (isinstance(cid, str) and len(cid) == 11 and cid[4:].isdigit()):
                continue
            if not _container_check_digit_ok(cid):
                self.error(
                    pointer("transport", "containers", i),
                    "bad_check_digit",
                    f"{cid!r} fails the ISO 6346 check digit",
                )
            if cid in seen:
                self.error(
                    pointer("transport", "containers", i), "duplicate", f"{cid!r} is listed twice"
                )
            seen.add(cid)
        arrival = _date(t.get("arrival_date"))
        if arrival and arrival > self.today + MAX_PRE_ARRIVAL:
            self.error(
                "/transport/arrival_date",
                "too_far_ahead",
                f"is more than {MAX_PRE_ARRIVAL.days} days ahead; lodge closer to arrival",
            )

    def invoice(self) -> None:
        inv = _obj(self.raw.get("invoice"))
        currency = inv.get("currency")
        minor: int | None = None
        if isinstance(currency, str):
            if currency not in self.codes.currencies:
                self.error(
                    "/invoice/currency",
                    "unknown_currency",
                    f"{currency!r} is not a current ISO 4217 currency",
                )
            elif self.codes.currencies[currency] is None:
                # Metals (XAU), SDR, bond units, XTS and XXX have no minor unit:
                # ISO lists them, but no invoice is paid in them.
                self.error(
                    "/invoice/currency",
                    "not_a_currency",
                    f"{currency!r} is an ISO 4217 code for a metal, fund or no currency, "
                    "not a currency an invoice is paid in",
                )
            else:
                minor = self.codes.currencies[currency]
        for field in ("amount", "freight", "insurance", "additions", "deductions"):
            self.money(inv.get(field), minor, "invoice", field)
        for i, item in enumerate(_list(self.raw.get("items"))):
            self.money(_obj(item).get("value"), minor, "items", i, "value")
        issued = _date(inv.get("date"))
        if issued:
            if issued > self.today:
                self.error("/invoice/date", "date_in_future", "is in the future")
            elif issued < self.today - MAX_INVOICE_AGE:
                self.error("/invoice/date", "date_too_old", "is more than three years ago")
            arrival = _date(_obj(self.raw.get("transport")).get("arrival_date"))
            if arrival and arrival < issued:
                self.error(
                    "/transport/arrival_date", "before_invoice", "is before the invoice date"
                )

    def items(self) -> None:
        admin = self.codes.administration
        for i, item in enumerate(_list(self.raw.get("items"))):
            item = _obj(item)
            if item.get("seq") != i + 1 and isinstance(item.get("seq"), int):
                self.error(
                    pointer("items", i, "seq"),
                    "bad_sequence",
                    f"items must be numbered 1, 2, 3, …; expected {i + 1}",
                )
            hs = item.get("hs_code")
            if (
                isinstance(hs, str)
                and len(hs) in (6, 8, 10)
                and hs.isdigit()
                and hs[:6] not in self.codes.hs_subheadings
            ):
                self.error(
                    pointer("items", i, "hs_code"),
                    "unknown_hs_code",
                    f"{hs!r} is not an HS 2022 subheading"
                    if len(hs) == 6
                    else f"{hs!r} is not in HS 2022: there is no subheading {hs[:6]}",
                )
            origin = item.get("origin")
            self.country(origin, "items", i, "origin")
            qty = _obj(item.get("supplementary_quantity"))
            unit = qty.get("unit")
            if isinstance(unit, str) and unit not in self.codes.units:
                self.error(
                    pointer("items", i, "supplementary_quantity", "unit"),
                    "unknown_unit",
                    f"{unit!r} is not a UN/ECE Rec 20 unit of measure",
                )
            kind = _obj(item.get("packages")).get("kind")
            if isinstance(kind, str) and kind not in self.codes.package_types:
                self.error(
                    pointer("items", i, "packages", "kind"),
                    "unknown_package_type",
                    f"{kind!r} is not a UN/ECE Rec 21 package type",
                )
            self.preference(i, item, origin, admin)
            self.documents(item.get("documents"), "items", i, "documents")

    def preference(self, i: int, item: dict[str, Any], origin: Any, admin: str) -> None:
        pref = item.get("preference")
        if not isinstance(pref, dict):
            return
        code = pref.get("agreement")
        if not isinstance(code, str):
            return
        agreement = AGREEMENTS.get(code)
        if agreement is None:
            self.error(
                pointer("items", i, "preference", "agreement"),
                "unknown_agreement",
                f"{code!r} is not an agreement this node applies ("
                + ", ".join(sorted(a for a, ag in AGREEMENTS.items() if admin in ag.parties))
                + ")",
            )
            return
        if (
            isinstance(origin, str)
            and origin in self.codes.countries
            and origin not in agreement.parties
        ):
            self.error(
                pointer("items", i, "preference", "agreement"),
                "origin_not_party",
                f"origin {origin} is not a party to {code}",
            )
        if origin == admin and self.raw.get("type") == "IM":
            self.error(
                pointer("items", i, "preference", "agreement"),
                "origin_is_importing_country",
                f"goods originating in {admin} need no preference to enter {admin}",
            )
        if admin not in agreement.parties:
            self.error(
                pointer("items", i, "preference", "agreement"),
                "administration_not_party",
                f"{admin} does not apply {code}",
            )
        proof = _obj(pref.get("proof"))
        ptype = proof.get("type")
        if isinstance(ptype, str) and ptype not in agreement.proofs and ptype.isupper():
            self.error(
                pointer("items", i, "preference", "proof", "type"),
                "proof_not_accepted",
                f"{code} accepts {', '.join(sorted(agreement.proofs))}",
            )
        issued = _date(proof.get("date"))
        if issued and issued > self.today:
            self.error(
                pointer("items", i, "preference", "proof", "date"),
                "date_in_future",
                "is in the future",
            )

    def totals(self) -> None:
        totals = _obj(self.raw.get("totals"))
        items = [_obj(x) for x in _list(self.raw.get("items"))]
        declared_items = totals.get("items")
        if isinstance(declared_items, int) and items and declared_items != len(items):
            self.error(
                "/totals/items",
                "total_mismatch",
                f"says {declared_items} but the declaration has {len(items)} item(s)",
            )
        counts = [_obj(x.get("packages")).get("count") for x in items]
        packages = [p for p in counts if isinstance(p, int)]
        declared_packages = totals.get("packages")
        if (
            isinstance(declared_packages, int)
            and items
            and len(packages) == len(counts)
            and sum(packages) != declared_packages
        ):
            self.error(
                "/totals/packages",
                "total_mismatch",
                f"says {declared_packages} but the items add up to {sum(packages)}",
            )
        values = _all_decimals(x.get("value") for x in items)
        amount = _dec(_obj(self.raw.get("invoice")).get("amount"))
        if amount is not None and items and values is not None:
            total = sum(values, Decimal(0))
            if total != amount:
                self.error(
                    "/invoice/amount",
                    "total_mismatch",
                    f"is {amount} but the item values add up to {total}",
                )
        masses = _all_decimals(x.get("net_mass_kg") for x in items)
        gross = _dec(totals.get("gross_mass_kg"))
        if gross is not None and items and masses is not None:
            net = sum(masses, Decimal(0))
            if net > gross:
                self.error(
                    "/totals/gross_mass_kg",
                    "mass_below_net",
                    f"{gross} kg is less than the items' net mass ({net} kg)",
                )
