"""SPS requirement files and their look-up."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files

import pytest

from silkgate.sps.requirements import Control, Requirements, parse
from silkgate.tariff.files import FileErrors

COUNTRIES = {"VN", "TH", "CN", "NZ"}
HEADER = "hs_prefix,origin,control,document,description,valid_from,valid_to\n"


def test_the_demo_set_parses_and_applies_by_prefix_origin_and_date():
    text = (files("silkgate.sps") / "files" / "demo-sps.csv").read_text()
    held = Requirements(parse(text, COUNTRIES | {"US"}))
    on = dt.date(2026, 11, 23)
    controls = {r.control for r in held.applicable("08109040", "VN", on)}
    assert controls == {Control.PHYTO_CERTIFICATE, Control.TREATMENT}
    assert {r.control for r in held.applicable("08109040", "TH", on)} == {Control.PHYTO_CERTIFICATE}
    assert held.applicable("84713000", "VN", on) == []
    assert {r.control for r in held.applicable("08106000", "TH", on)} >= {Control.QUARANTINE_HOLD}


def test_every_error_with_its_line():
    with pytest.raises(FileErrors) as exc:
        parse(
            HEADER
            + "0810,VN,phyto_certificate,,Fruit,2024-01-01,\n"
            + "08x,ZZ,sniffing,N851,Fruit,2024-01-01,\n"
            + "0810,,lab_test,,,2024-13-01,\n",
            COUNTRIES,
        )
    assert [str(e) for e in exc.value.errors] == [
        "line 2, document: a certificate needs its document code",
        "line 3, hs_prefix: '08x' is not 2, 4, 6, 8 or 10 digits",
        "line 3, origin: 'ZZ' is not an ISO 3166 country",
        "line 3, control: 'sniffing' is not one of phyto_certificate, vet_certificate, "
        "health_certificate, lab_test, treatment, quarantine_hold, prohibited",
        "line 4, description: required",
        "line 4, valid_from: '2024-13-01' is not a date (YYYY-MM-DD)",
    ]


def test_kcs_history_rows_are_checked_whole():
    from silkgate.risk import kcs
    from tests.kcs_synthetic import HEADER, rows

    data = rows(5)
    data[1]["Net Mass"] = "-5"
    data[1]["Item Price"] = "abc"
    data[2]["Fraud"], data[2]["Critical Fraud"] = "0", "1"
    data[3]["Country of Origin"] = ""
    text = ",".join(HEADER) + "\n" + "\n".join(",".join(r[h] for h in HEADER) for r in data)
    with pytest.raises(FileErrors) as exc:
        kcs.read(text)
    assert [str(e) for e in exc.value.errors] == [
        "line 3, Net Mass: '-5' is negative",
        "line 3, Item Price: 'abc' is not a number",
        "line 4, Critical Fraud: a critical fraud is a fraud: Fraud is 0",
        "line 5, Country of Origin: required",
    ]
