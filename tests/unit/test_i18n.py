# ruff: noqa: RUF001 (the expected words are Russian and Chinese)
"""The user's language: which one a request or a command speaks, and the catalogues."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from silkgate import i18n
from silkgate.i18n import cldr
from silkgate.i18n.middleware import chosen
from silkgate.i18n.sentences import say
from silkgate.web.formats import country, currency, money, term, when

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "silkgate"
LOCALES = SOURCE / "i18n" / "locales"
OTHERS = [locale for locale in i18n.LOCALES if locale != i18n.DEFAULT]


# -- which language ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans"),
        ("zh", "zh_Hans"),
        ("zh-Hans-CN", "zh_Hans"),
        ("zh-TW,ru;q=0.5", "ru"),  # Traditional Chinese is not ours: the next one is
        ("ru-RU,ru;q=0.9", "ru"),
        ("fr-FR, vi;q=0.4, en;q=0.3", "vi"),
        ("en;q=0.2, vi;q=0.9", "vi"),  # by weight, not by place
        ("ru;q=0, vi", "vi"),  # q=0 means "not this one"
        ("de, fr", "en"),
        ("", "en"),
        ("*", "en"),
        ("ru;q=oops", "en"),
    ],
)
def test_accept_language_picks_the_best_of_ours(header, expected):
    assert i18n.negotiate(header) == expected


def test_the_switch_s_cookie_wins_over_the_browser_s_header():
    assert chosen("sg_lang=vi; sg_session_cn=abc", "ru-RU") == "vi"
    assert chosen("sg_session_cn=abc", "ru-RU") == "ru"
    # A cookie naming no language of ours is ignored, and so is a broken cookie header.
    assert chosen("sg_lang=xx", "zh-CN") == "zh_Hans"
    assert chosen('sg_lang="vi; broken', "ru") == "ru"


def test_a_command_speaks_its_option_then_silkgate_lang_then_the_system_s():
    system = {"LANG": "ru_RU.UTF-8"}
    assert i18n.from_environment(system) == "ru"
    assert i18n.from_environment({**system, "SILKGATE_LANG": "vi"}) == "vi"
    assert i18n.from_environment({**system, "SILKGATE_LANG": "vi"}, "zh-Hans") == "zh_Hans"
    assert i18n.from_environment({"LC_ALL": "vi_VN.UTF-8", "LANG": "ru_RU.UTF-8"}) == "vi"
    assert i18n.from_environment({"LANG": "C.UTF-8"}) == "en"
    assert i18n.from_environment({}) == "en"


def test_the_language_is_per_context_and_the_tag_is_bcp_47():
    with i18n.use("zh_Hans"):
        assert i18n.current() == "zh_Hans" and i18n.tag() == "zh-Hans"
        with i18n.use("not-ours"):
            assert i18n.current() == "en"
        assert i18n.current() == "zh_Hans"
    assert i18n.current() == "en"


# -- names and numbers as the locale writes them ----------------------------------------------


def test_amounts_are_grouped_as_the_locale_groups_them_to_the_currency_s_minor_unit():
    expected = {
        "en": "1,234,567.50 CNY",
        "zh_Hans": "1,234,567.50 CNY",
        "ru": "1\xa0234\xa0567,50 CNY",
        "vi": "1.234.567,50 CNY",
    }
    for locale, written in expected.items():
        with i18n.use(locale):
            assert money("1234567.5", "CNY") == written
            assert money("2500000", "VND").endswith(" VND")
            assert "," not in money("2500000", "VND").split()[0][-3:]  # no decimals in dong
    with i18n.use("ru"):
        assert cldr.amount(Decimal("0.125"), "CNY") == "0,125"  # more digits are kept


def test_countries_and_currencies_are_named_in_the_language_with_their_codes_unchanged():
    with i18n.use("zh_Hans"):
        assert country("VN") == "越南 (VN)" and currency("CNY") == "人民币 (CNY)"
    with i18n.use("ru"):
        assert country("CN") == "Китай (CN)"
    with i18n.use("vi"):
        assert country("CN") == "Trung Quốc (CN)"
    assert country("CN") == "China (CN)"
    assert country("XX") == "XX" and country("") == ""


def test_a_time_is_written_in_the_locale_and_in_the_zone_asked_for():
    released = "2026-11-20T09:30:00+00:00"
    with i18n.use("zh_Hans"):
        assert when(released, "Asia/Shanghai") == "2026年11月20日 17:30:00 Asia/Shanghai"
    with i18n.use("ru"):
        assert when(released, "Asia/Ho_Chi_Minh").startswith("20 нояб. 2026\u202fг., 16:30:00")
    assert when(dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)).endswith("9:30:00\u202fAM UTC")
    assert when("not a time") == "not a time" and when(None) == ""


def test_codes_have_words_and_unknown_codes_stay_as_they_are():
    with i18n.use("ru"):
        assert term("under_control") == "на контроле" and term("red") == "красный"
        assert term("some_new_code") == "some new code"


def test_sentences_made_with_values_are_translated_with_the_values_unchanged():
    with i18n.use("ru"):
        assert say("must be at most 35 characters") == "должно содержать не более 35 символов"
        assert say("no declaration 26CN00011") == "нет декларации 26CN00011"
        assert say("Not found") == "Не найдено"
        assert say("something nobody wrote a shape for") == "something nobody wrote a shape for"
    with i18n.use("zh_Hans"):
        found = say("cannot release a declaration that is lodged; allowed: control, release")
        assert found == "无法放行状态为已申报的报关单；允许的操作：control, release"
    assert say("must be at most 35 characters") == "must be at most 35 characters"


# -- the catalogues ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", OTHERS)
def test_the_committed_mo_files_are_the_po_files_compiled(locale):
    po = LOCALES / locale / "LC_MESSAGES" / "silkgate.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    committed = po.with_suffix(".mo").read_bytes()
    assert compiled.getvalue() == committed, f"{po.with_suffix('.mo')} is stale: make i18n"
    assert not list(catalog.check()), f"{po}: a translation's placeholders differ from its msgid"


def _extracted() -> set[str]:
    """Every message of the node's Python modules and templates, as `make i18n` extracts them."""
    method_map = [("**.py", "python"), ("web/templates/**.html", "jinja2")]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "1"}}
    keywords = {
        "_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "pattern": (2,), "shaped": (2,)
    }  # fmt: skip
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SOURCE), method_map, options, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("locale", OTHERS)
def test_no_english_is_left_on_a_page_in_another_language(locale):
    """Every message of the console, the flashes and the problems has its translation."""
    catalogue = i18n.translations(locale)
    missing = sorted(m for m in _extracted() if not _translated(catalogue, m))
    assert not missing, f"{locale}: {len(missing)} untranslated, run make i18n: {missing[:20]}"


def _translated(catalogue, message: str) -> bool:
    entries = catalogue._catalog  # merged: the node's catalogue and every capability's
    single = entries.get(message)
    plural = entries.get((message, 0))
    return bool(single or plural)


def test_every_template_string_is_wrapped():
    """Text between tags in a template is a message, not English written into the page."""
    leftovers = []
    for path in sorted((SOURCE / "web" / "templates").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"{#.*?#}|{{.*?}}|{%.*?%}", " ", text, flags=re.S)
        text = re.sub(r'[a-z-]+="[^"<>]*"', " ", text)  # attributes a macro writes
        text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]*>", " ", text, flags=re.S)
        for word in re.findall(r"[A-Za-z][A-Za-z'’-]{2,}", text):
            if word not in _NOT_WORDS:
                leftovers.append(f"{path.name}: {word}")
    assert not leftovers, "\n".join(leftovers)


# Codes, names and paths that stay as they are in every language.
_NOT_WORDS = {
    "silkgate",
    "UTC",
    "PUT",
    "declarations",
    "exchange",
    "card",
    "trs",
    "e-CO",
    "FOB",
    "USD",
    "CIF",
    "JSON",
    "CSV",
    "MRN",
    "SHA-",
}
