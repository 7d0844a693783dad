"""The declaration form: its fields are the JSON pointers of the document they fill.

Each input of the form is named by the RFC 6901 pointer of the field it fills
(``/invoice/currency``, ``/items/2/hs_code``), so the document the API takes is
built from the form by :func:`document`, a validation error is placed beside
its input by :func:`placed`, and a document is turned back into the form's
fields by :func:`fields_of` (to copy a declaration, amend it, or finish a
draft). Nothing here validates: the form goes through the API's validation.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


def N_(message: str) -> str:  # gettext's name: a message translated when shown
    """Mark ``message`` for the catalogue; the template translates it when shown."""
    return message


@dataclass(frozen=True)
class Field:
    """One input: the pointer it fills (under an item: relative to the item), its label, how
    it is entered (``text``, ``date``, ``number``, ``select``) and the code list it offers."""

    pointer: str
    label: str
    kind: str = "text"
    codes: str | None = None  # a code list: countries, currencies, units, packages...
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()


MODES = (
    ("", "—"), ("1", N_("Sea")), ("2", N_("Rail")), ("3", N_("Road")), ("4", N_("Air")),
    ("5", N_("Post")), ("7", N_("Fixed installation")), ("8", N_("Inland waterway")),
    ("9", N_("Own propulsion")),
)  # fmt: skip
INCOTERMS = (
    ("", "—"),
    *(
        (c, c)
        for c in ("EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF")
    ),
)
TRANSPORT_DOCUMENTS = tuple(
    (c, c) for c in ("BL", "SWB", "AWB", "HAWB", "CMR", "CIM", "POSTAL", "OTHER")
)
PROOFS = (
    ("", "—"), ("FORM_E", "Form E"), ("FORM_D", "Form D"), ("RCEP_CO", "RCEP CO"),
    ("E_CO", "e-CO"), ("ORIGIN_DECLARATION", N_("Origin declaration")),
)  # fmt: skip
DECLARANT_ROLES = (
    ("self", N_("On my own account")),
    ("direct_agent", N_("Direct representative")),
    ("indirect_agent", N_("Indirect representative")),
)


def _party(at: str, label: str, required: bool) -> list[Field]:
    return [
        Field(f"{at}/name", label, required=required),
        Field(f"{at}/id", N_("Identifier (TIN)")),
        Field(f"{at}/address/street", N_("Street")),
        Field(f"{at}/address/city", N_("City")),
        Field(f"{at}/address/postcode", N_("Postcode")),
        Field(f"{at}/address/country", N_("Country"), codes="countries"),
    ]


# The form's sections (title, fields) above the items.
SECTIONS: tuple[tuple[str, tuple[Field, ...]], ...] = (
    (
        N_("Declaration"),
        (
            Field(
                "/type",
                N_("Type"),
                "select",
                required=True,
                choices=(("IM", N_("Import")), ("EX", N_("Export"))),
            ),
            Field("/lrn", N_("Your reference (LRN)"), required=True),
            Field("/office", N_("Customs office"), codes="offices", required=True),
            Field("/procedure", N_("Procedure code")),
            Field("/ucr", N_("Unique consignment reference (UCR)")),
            Field("/declarant/name", N_("Declarant"), required=True),
            Field("/declarant/role", N_("Acting"), "select", choices=DECLARANT_ROLES),
        ),
    ),
    (N_("Importer"), tuple(_party("/importer", N_("Importer"), True))),
    (N_("Exporter"), tuple(_party("/exporter", N_("Exporter"), True))),
    (N_("Consignee (if not the importer)"), tuple(_party("/consignee", N_("Consignee"), False))),
    (
        N_("Transport"),
        (
            Field(
                "/transport/mode", N_("Mode at the border"), "select", required=True, choices=MODES
            ),
            Field("/transport/means_id", N_("Means of transport (vessel, flight, plate)")),
            Field("/transport/nationality", N_("Nationality of the means"), codes="countries"),
            Field(
                "/transport/document/type",
                N_("Transport document"),
                "select",
                choices=TRANSPORT_DOCUMENTS,
            ),
            Field("/transport/document/number", N_("Transport document number"), required=True),
            Field("/transport/containers", N_("Containers (separated by spaces)")),
            Field(
                "/transport/loading_place", N_("Place of loading"), codes="locations", required=True
            ),
            Field(
                "/transport/discharge_place",
                N_("Place of discharge"),
                codes="locations",
                required=True,
            ),
            Field(
                "/transport/dispatch_country",
                N_("Country of dispatch"),
                codes="countries",
                required=True,
            ),
            Field(
                "/transport/destination_country",
                N_("Country of destination"),
                codes="countries",
                required=True,
            ),
            Field("/transport/arrival_date", N_("Arrival date"), "date"),
        ),
    ),
    (
        N_("Invoice"),
        (
            Field("/invoice/number", N_("Invoice number"), required=True),
            Field("/invoice/date", N_("Invoice date"), "date", required=True),
            Field("/invoice/currency", N_("Currency"), codes="currencies", required=True),
            Field("/invoice/amount", N_("Invoice amount"), "number", required=True),
            Field("/invoice/incoterm", N_("Incoterm"), "select", choices=INCOTERMS, required=True),
            Field("/invoice/incoterm_place", N_("Incoterm place"), required=True),
            Field("/invoice/freight", N_("Freight"), "number"),
            Field("/invoice/insurance", N_("Insurance"), "number"),
            Field("/invoice/additions", N_("Additions to the price (WTO art. 8)"), "number"),
            Field("/invoice/deductions", N_("Deductions from the price"), "number"),
            Field("/invoice/valuation_method", N_("Valuation method (1 to 7)"), "number"),
            Field("/totals/gross_mass_kg", N_("Gross mass (kg)"), "number", required=True),
            Field("/totals/packages", N_("Packages in all (blank: the items' sum)"), "number"),
            Field("/documents/0/code", N_("Document for the whole declaration (code)")),
            Field("/documents/0/reference", N_("Its reference")),
            Field("/documents/0/date", N_("Its date"), "date"),
            Field("/documents/0/issuing_country", N_("Issued by (country)"), codes="countries"),
        ),
    ),
)

# The fields of one item, relative to ``/items/{i}``.
ITEM: tuple[Field, ...] = (
    Field("description", N_("Description of the goods"), required=True),
    Field("hs_code", N_("HS code"), codes="hs", required=True),
    Field("origin", N_("Origin"), codes="countries", required=True),
    Field("net_mass_kg", N_("Net mass (kg)"), "number", required=True),
    Field("value", N_("Value (invoice currency)"), "number", required=True),
    Field("packages/count", N_("Packages"), "number", required=True),
    Field("packages/kind", N_("Kind of package"), codes="packages", required=True),
    Field("packages/marks", N_("Marks")),
    Field("supplementary_quantity/value", N_("Supplementary quantity")),
    Field("supplementary_quantity/unit", N_("Unit"), codes="units"),
    Field("preference/agreement", N_("Preference claimed (agreement)")),
    Field("preference/proof/type", N_("Proof of origin"), "select", choices=PROOFS),
    Field("preference/proof/reference", N_("Certificate number")),
    Field("preference/proof/date", N_("Certificate date"), "date"),
    Field("preference/proof/line", N_("Certificate line"), "number"),
    Field("preference/proof/transit", N_("Through a non-party (transit only)"), "checkbox"),
    Field("procedure", N_("Procedure code")),
    Field("documents/0/code", N_("Document code (licence, certificate)")),
    Field("documents/0/reference", N_("Document reference")),
    Field("documents/0/date", N_("Document date"), "date"),
    Field("documents/0/issuing_country", N_("Issued by (country)"), codes="countries"),
)

# Fields entered as text that the document holds as a whole number (or a Literal of them).
_WHOLE = re.compile(
    r"^/(transport/mode|totals/(packages|items)|invoice/valuation_method"
    r"|items/\d+/(seq|packages/count|preference/proof/line))$"
)
_ITEM = re.compile(r"^/items/(\d+)/(.+)$")
_LIST = ("/transport/containers",)
# The longest form the API takes: 999 items.
MAX_ITEMS = 999


def names(rows: int) -> list[str]:
    """Every input's name on a form with ``rows`` items."""
    head = [f.pointer for _, fs in SECTIONS for f in fs]
    return head + [f"/items/{i}/{f.pointer}" for i in range(rows) for f in ITEM]


def rows_of(fields: Mapping[str, str]) -> int:
    """How many item rows the form has (at least one)."""
    seen = [int(m.group(1)) for k in fields if (m := _ITEM.match(k))]
    return min(max(seen, default=0) + 1, MAX_ITEMS)


def kept(fields: Mapping[str, str]) -> dict[str, str]:
    """Only the form's own fields, stripped (anything else posted is dropped)."""
    known = set(names(rows_of(fields)))
    return {k: v.strip() for k, v in fields.items() if k in known and isinstance(v, str)}


def _set(doc: dict[str, Any], parts: list[str], value: Any) -> None:
    node: Any = doc
    for here, after in itertools.pairwise(parts):
        key: Any = int(here) if isinstance(node, list) else here
        if isinstance(node, list):
            while len(node) <= key:
                node.append({} if not after.isdigit() else [])
            node = node[key]
        else:
            node = node.setdefault(key, [] if after.isdigit() else {})
    last = parts[-1]
    if isinstance(node, list):
        while len(node) <= int(last):
            node.append(None)
        node[int(last)] = value
    else:
        node[last] = value


def _typed(pointer: str, value: str) -> Any:
    if pointer in _LIST:
        return [v for v in re.split(r"[\s,;]+", value.upper()) if v]
    if pointer.endswith("/transit"):
        return value in ("true", "on")
    if _WHOLE.match(pointer) and value.isdigit():
        return int(value)
    return value


def document(fields: Mapping[str, str], *, party_id: str | None) -> dict[str, Any]:
    """The declaration JSON the form says, as the API takes it.

    Blank inputs are left out (an optional part left blank is no part); the
    items are numbered in order and counted; the packages in all default to
    the items' sum; the declarant's identifier is the trader's own.
    """
    doc: dict[str, Any] = {}
    form = kept(fields)
    rows = rows_of(form)
    for pointer in names(rows):
        value = form.get(pointer, "")
        if value:
            _set(doc, pointer.lstrip("/").split("/"), _typed(pointer, value))
    items = doc.setdefault("items", [])
    while len(items) < rows:
        items.append({})
    for i, item in enumerate(items):
        if isinstance(item, dict):
            item["seq"] = i + 1
    totals = doc.setdefault("totals", {})
    totals["items"] = rows
    if "packages" not in totals:
        counts = [it.get("packages", {}).get("count") for it in items if isinstance(it, dict)]
        if counts and all(isinstance(c, int) for c in counts):
            totals["packages"] = sum(c for c in counts if isinstance(c, int))
    if party_id:
        doc.setdefault("declarant", {})["id"] = party_id
    return doc


def _walk(value: Any, at: str) -> Iterable[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, f"{at}/{k}")
    elif isinstance(value, list) and at not in _LIST:
        for i, v in enumerate(value):
            yield from _walk(v, f"{at}/{i}")
    elif isinstance(value, list):
        yield at, " ".join(str(v) for v in value)
    elif value is not None:
        yield at, str(value).lower() if isinstance(value, bool) else str(value)


def fields_of(doc: Mapping[str, Any]) -> dict[str, str]:
    """The form's fields for a document (a draft's, or a declaration's to copy or amend)."""
    found = dict(_walk(dict(doc), ""))
    rows = max(1, len(doc.get("items") or []))
    return {k: v for k, v in found.items() if k in set(names(rows))}


def edited(fields: Mapping[str, str], op: str) -> dict[str, str]:
    """The form after a row operation: ``add``, ``copy-N`` or ``remove-N`` (N from 0)."""
    form = kept(fields)
    rows = [
        {f.pointer: form.get(f"/items/{i}/{f.pointer}", "") for f in ITEM}
        for i in range(rows_of(form))
    ]
    verb, _, which = op.partition("-")
    n = int(which) if which.isdigit() else -1
    if verb == "add" and len(rows) < MAX_ITEMS:
        rows.append({f.pointer: "" for f in ITEM})
    elif verb == "copy" and 0 <= n < len(rows) and len(rows) < MAX_ITEMS:
        rows.insert(n + 1, dict(rows[n]))
    elif verb == "remove" and 0 <= n < len(rows) and len(rows) > 1:
        rows.pop(n)
    out = {k: v for k, v in form.items() if not _ITEM.match(k)}
    for i, row in enumerate(rows):
        out.update({f"/items/{i}/{k}": v for k, v in row.items()})
    return out


def placed(errors: Iterable[Any], rows: int) -> tuple[dict[str, list[str]], list[str]]:
    """Each error beside the input it is about: the input whose pointer is the error's, the
    first input of a part missing whole, or the nearest above it; errors about no input
    (the whole document, a total the form counts) are returned apart."""
    order = names(rows)
    inputs = set(order)
    beside: dict[str, list[str]] = {}
    apart: list[str] = []
    for e in errors:
        at = e.pointer
        if at and at not in inputs:  # a part missing whole: beside its first input
            at = next((n for n in order if n.startswith(at + "/")), at)
        while at and at not in inputs:
            at = at.rsplit("/", 1)[0]
        if at:
            beside.setdefault(at, []).append(e.detail)
        else:
            label = e.pointer.lstrip("/").replace("/", " ").replace("_", " ")
            apart.append(f"{label}: {e.detail}" if label else e.detail)
    return beside, apart


def changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """What an amendment changes: (pointer, value before, value after), in the form's order."""
    rows = max(rows_of(before), rows_of(after))
    return [
        (p, before.get(p, ""), after.get(p, ""))
        for p in names(rows)
        if before.get(p, "") != after.get(p, "")
    ]


def label_of(pointer: str) -> tuple[str, int | None]:
    """The label of an input, and the item it belongs to (numbered from 1), if any."""
    m = _ITEM.match(pointer)
    if m:
        label = next((f.label for f in ITEM if f.pointer == m.group(2)), m.group(2))
        return label, int(m.group(1)) + 1
    return next((f.label for _, fs in SECTIONS for f in fs if f.pointer == pointer), pointer), None
