"""The tariff, rates and duty-calculator commands, as an administrator and a trader use them."""

from __future__ import annotations

import json

from tests.conftest import EXAMPLE
from tests.e2e.conftest import run_cli

HEADER = (
    "code,description,unit,measure,agreement,valid_from,valid_to,"
    "ad_valorem,specific,specific_unit,minimum,maximum"
)


def test_a_tariff_file_with_errors_lists_them_all_and_loads_nothing(settings, prepared, tmp_path):
    before = run_cli(settings, "tariff", "versions")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "\n".join(
            [
                HEADER,
                "09012100,Coffee,,duty,,2024-01-01,,15,,,,",
                "09012100,,,duty,,2024-06-01,,abc,,,,",
                "9999,Nothing,,duty,,2024-01-01,,5,,,,",
            ]
        )
    )
    r = run_cli(settings, "tariff", "load", str(bad))
    assert r.returncode == 1
    assert "nothing was loaded" in r.stderr
    assert "line 3, ad_valorem: 'abc' is not a number" in r.stderr
    assert "line 4, code: '9999' is not an 8- or 10-digit tariff line" in r.stderr
    assert run_cli(settings, "tariff", "versions").stdout == before.stdout


def test_show_and_search_the_tariff(settings, prepared):
    shown = run_cli(settings, "tariff", "show", "0901", "--date", "2026-11-23")
    assert shown.returncode == 0, shown.stderr
    assert "09012100" in shown.stdout and "ACFTA" in shown.stdout
    assert "illustrative" in shown.stdout
    found = run_cli(settings, "tariff", "search", "lithium")
    assert found.returncode == 0 and "85076000" in found.stdout


def test_rates_load_and_show(settings, prepared, tmp_path):
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,valid_from,valid_to,rate\nARS,2026-01-01,2026-12-31,0.0071\n")
    r = run_cli(settings, "rates", "load", str(rates))
    assert r.returncode == 0 and "1 rate(s) added" in r.stdout, r.stderr
    rates.write_text("currency,valid_from,valid_to,rate\nARS,2026-01-01,2026-12-31,0.0072\n")
    r = run_cli(settings, "rates", "load", str(rates))
    assert r.returncode == 1 and "--replace" in r.stderr
    shown = run_cli(settings, "rates", "show", "--currency", "ARS", "--date", "2026-05-01")
    assert "0.0071" in shown.stdout


def test_assess_a_declaration_without_lodging_it(settings, prepared, live_node):
    local = run_cli(settings, "assess", str(EXAMPLE), "--date", "2026-11-20", "--json")
    assert local.returncode == 0, local.stderr
    result = json.loads(local.stdout)
    assert result["items"][0]["preference_status"] == "granted_subject_to_origin_verification"
    remote = run_cli(
        settings, "assess", str(EXAMPLE), "--date", "2026-11-20", "--json", node=live_node
    )
    assert remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout)["totals"] == result["totals"]
    table = run_cli(settings, "assess", str(EXAMPLE), "--date", "2026-11-20")
    assert result["totals"]["total"] in table.stdout
    assert "subject to origin verification" in table.stdout
    early = run_cli(settings, "assess", str(EXAMPLE), "--date", "2028-01-15")
    assert early.returncode == 1
    assert "no official customs exchange rate for USD" in early.stderr


def test_trs_report_writes_csv_and_png(settings, prepared, tmp_path):
    csv_file, png_file = tmp_path / "trs.csv", tmp_path / "trs.png"
    r = run_cli(
        settings, "trs", "report", "--by", "office", "--csv", str(csv_file), "--png", str(png_file)
    )
    assert r.returncode == 0, r.stderr
    assert "Time Release Study" in r.stdout
    assert csv_file.read_text().startswith("office,lodged,released,mean_hours")
    assert png_file.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
