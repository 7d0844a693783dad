"""The portal's pure core: the form's fields and the document, and uploads by content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from silkgate.kernel.errors import FieldError
from silkgate.portal import form, uploads

EXAMPLE = Path(__file__).parents[2] / "examples" / "import-declaration.json"


def example() -> dict:
    return json.loads(EXAMPLE.read_text())


def test_a_document_goes_through_the_form_and_back_unchanged():
    doc = example()
    fields = form.fields_of(doc)
    again = json.loads(json.dumps(form.document(fields, party_id=doc["declarant"]["id"])))
    assert again == doc


def test_blank_inputs_are_no_part_and_the_declarant_is_the_traders():
    fields = {"/type": "IM", "/consignee/name": "", "/items/0/hs_code": "08109040"}
    doc = form.document(fields, party_id="91310115MA1K4DEMO1")
    assert "consignee" not in doc
    assert doc["declarant"]["id"] == "91310115MA1K4DEMO1"
    assert doc["totals"]["items"] == 1 and doc["items"][0]["seq"] == 1


def test_whole_numbers_and_lists_are_typed_and_the_packages_summed():
    fields = {
        "/transport/mode": "1",
        "/transport/containers": "MSCU1234566, TGHU7654321",
        "/items/0/packages/count": "10",
        "/items/1/packages/count": "5",
        "/items/1/preference/proof/transit": "true",
    }
    doc = form.document(fields, party_id=None)
    assert doc["transport"]["mode"] == 1
    assert doc["transport"]["containers"] == ["MSCU1234566", "TGHU7654321"]
    assert doc["totals"]["packages"] == 15
    assert doc["items"][1]["preference"]["proof"]["transit"] is True


def test_rows_are_added_copied_and_removed_in_order():
    fields = form.fields_of(example())
    copied = form.edited(fields, "copy-0")
    assert [copied[f"/items/{i}/hs_code"] for i in range(3)] == ["08109040", "08109040", "08134090"]
    removed = form.edited(copied, "remove-0")
    assert form.rows_of(removed) == 2
    added = form.edited(removed, "add")
    assert form.rows_of(added) == 3 and added["/items/2/hs_code"] == ""
    assert form.rows_of(form.edited({"/items/0/hs_code": "1"}, "remove-0")) == 1


def test_errors_are_placed_beside_the_nearest_input():
    errors = [
        FieldError("/items/1/hs_code", "unknown", "no such code"),
        FieldError("/items/0/preference/proof", "missing", "is required"),
        FieldError("/totals/items", "mismatch", "says 3"),
        FieldError("", "invalid", "the whole document"),
    ]
    beside, apart = form.placed(errors, 2)
    assert beside["/items/1/hs_code"] == ["no such code"]
    assert beside["/items/0/preference/proof/type"] == ["is required"]
    assert apart == ["totals items: says 3", "the whole document"]


def test_an_amendment_lists_what_it_changes():
    before = form.fields_of(example())
    after = {**before, "/items/1/value": "7000.00"}
    assert form.changes(before, after) == [("/items/1/value", "7750.00", "7000.00")]


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (b"%PDF-1.4 ...", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0....JFIF", "image/jpeg"),
        (b'\xef\xbb\xbf<?xml version="1.0"?><a/>', "application/xml"),
        (b"  <SPSCertificate xmlns='x'>", "application/xml"),
        (b"MZ\x90\x00", None),
        (b"<script>alert(1)</script>", None),
        (b"PK\x03\x04 a zip", None),
    ],
)
def test_the_type_is_read_from_the_content(data, media_type):
    assert uploads.sniff(data) == media_type


@pytest.mark.parametrize(
    ("kind", "name", "data", "code"),
    [
        ("invoice", "a.pdf", b"MZ\x90\x00", "type"),
        ("invoice", "a.pdf", b"\x89PNG\r\n\x1a\n", "mismatch"),
        ("invoice", "a.pdf", b"%PDF-" + b"0" * 100, "too_large"),
        ("invoice", "a.pdf", b"", "empty"),
        ("passport", "a.pdf", b"%PDF-", "kind"),
        ("invoice", "", b"%PDF-", "name"),
    ],
)
def test_a_refused_upload_says_why(kind, name, data, code):
    with pytest.raises(uploads.Refused) as refused:
        uploads.accepted(kind, name, data, limit=64)
    assert refused.value.code == code


def test_an_accepted_upload_has_its_hash_and_a_plain_name():
    up = uploads.accepted("photo", "C:\\scans\\Seal.JPG", b"\xff\xd8\xff\xe0", limit=64)
    assert up.filename == "Seal.JPG" and up.media_type == "image/jpeg" and len(up.sha256) == 64


@pytest.mark.parametrize("locale", ["zh_Hans", "ru", "vi"])
def test_the_portal_catalogue_is_whole_in_each_language(locale):
    """Every message of the portal has its translation, with the same placeholders, and the
    compiled catalogue says what the source says."""
    import io
    import re

    from babel.messages.pofile import read_po

    from silkgate import i18n

    root = Path(__file__).parents[2] / "src" / "silkgate"
    template = read_po(io.BytesIO((root / "portal" / "i18n" / "portal.pot").read_bytes()))
    po = root / "i18n" / "locales" / locale / "LC_MESSAGES" / "portal.po"
    catalogue = read_po(io.BytesIO(po.read_bytes()))
    from babel.support import Translations

    compiled = Translations.load(str(root / "i18n" / "locales"), [locale], "portal")
    with i18n.use(locale):
        for message in template:
            if not message.id:
                continue
            said = catalogue.get(message.id)
            assert said is not None and said.string, f"{locale}: no translation of {message.id!r}"
            marks = re.compile(r"%\(\w+\)s|\{\w+\}")
            assert sorted(marks.findall(said.string)) == sorted(marks.findall(message.id))
            # Another catalogue may word a short message ("By") its own way on its own pages.
            assert compiled.gettext(message.id) == said.string, f"{locale}: portal.mo is stale"
