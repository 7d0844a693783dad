"""The user's language: which one is in use, and the words in it.

The console, the CLI and the API's problem details speak English, Simplified
Chinese, Russian and Vietnamese. Each request (or CLI run) sets its language
with :func:`use`; code then writes ``_("Released")`` and gets the words in that
language from the gettext catalogues under ``locales/`` (domain ``silkgate``,
and one more per capability that ships its own).
A message with no translation stays in English; codes (HS, countries,
currencies, MRNs) never change with the language.

The language lives in a context variable, so concurrent requests each keep
their own and nothing needs to be passed down the calls.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib.resources import files

from babel import Locale, UnknownLocaleError
from babel.support import Translations
from jinja2 import Environment

DOMAIN = "silkgate"
DEFAULT = "en"
# The languages the node speaks, as Babel names them, in the order a switch lists them.
LOCALES: tuple[str, ...] = ("en", "zh_Hans", "ru", "vi")

# Each language by its own name, as the switch on every page offers it.
NAMES: dict[str, str] = {
    "en": "English",
    "zh_Hans": "简体中文",
    "ru": "Русский",
    "vi": "Tiếng Việt",
}
# The cookie that remembers the language a user chose with the switch.
COOKIE = "sg_lang"
# Where a command's language comes from, first found first: its own, then the system's.
ENVIRONMENT = ("SILKGATE_LANG", "LC_ALL", "LC_MESSAGES", "LANG")

_current: ContextVar[str] = ContextVar("silkgate_locale", default=DEFAULT)


def current() -> str:
    """The language in use (one of :data:`LOCALES`)."""
    return _current.get()


@contextmanager
def use(locale: str | None) -> Iterator[str]:
    """Speak ``locale`` (or the default, if it is not one of ours) inside the block."""
    chosen = locale if locale in LOCALES else DEFAULT
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def activate(locale: str | None) -> str:
    """Speak ``locale`` from now on in this context (a CLI run); returns the one chosen."""
    chosen = locale if locale in LOCALES else DEFAULT
    _current.set(chosen)
    return chosen


def tag(locale: str | None = None) -> str:
    """The BCP 47 tag of ``locale`` (the one in use by default): ``zh-Hans``, ``ru``.

    What ``<html lang>`` and ``Content-Language`` carry.
    """
    return (locale or current()).replace("_", "-")


def from_environment(environ: Mapping[str, str], chosen: str | None = None) -> str:
    """A command's language: ``chosen`` (``--lang``), else ``SILKGATE_LANG``, else the system's.

    The system's is the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set
    (``ru_RU.UTF-8``); ``C`` and ``POSIX`` mean English.
    """
    preferences = [chosen] + [environ.get(name) for name in ENVIRONMENT]
    for preference in preferences:
        if preference:
            return negotiate(preference.split(".")[0].split("@")[0])
    return DEFAULT


def negotiate(*preferences: str | None) -> str:
    """The first of ``preferences`` we speak (a cookie's value, an ``Accept-Language`` header).

    Each preference is a locale name or an ``Accept-Language`` value with
    quality weights; the first one that names a language of ours wins.
    """
    for preference in preferences:
        for tag in _ranked(preference or ""):
            found = _ours(tag)
            if found:
                return found
    return DEFAULT


def _ranked(header: str) -> list[str]:
    """The tags of an ``Accept-Language`` value, best first."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def _ours(tag: str) -> str | None:
    """Which of our languages ``tag`` (``zh-CN``, ``ru_RU``, ``vi``) means, if any."""
    if tag in LOCALES:
        return tag
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    if locale.language == "zh":
        # Traditional script is not one of ours; Simplified is what zh and zh-CN mean.
        return "zh_Hans" if locale.script in (None, "Hans") else None
    return locale.language if locale.language in LOCALES else None


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    """Every compiled catalogue of ``locale``, merged (English: none, the messages are English).

    Each capability may ship its own catalogue (``locales/<locale>/LC_MESSAGES/<name>.mo``)
    beside the node's (``silkgate.mo``); they are merged, the node's first.
    """
    if locale == DEFAULT:
        return _gettext.NullTranslations()
    directory = files("silkgate.i18n") / "locales"
    messages = directory / locale / "LC_MESSAGES"
    names = sorted(
        entry.name[: -len(".mo")]
        for entry in (messages.iterdir() if messages.is_dir() else ())
        if entry.name.endswith(".mo")
    )
    merged = Translations.load(str(directory), [locale], DOMAIN)
    if not isinstance(merged, Translations):
        merged = Translations(domain=DOMAIN)
    for name in names:
        extra = Translations.load(str(directory), [locale], name)
        if name != DOMAIN and isinstance(extra, Translations):
            merged.merge(extra)
    return merged


def gettext(message: str) -> str:
    """``message`` in the language in use."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for ``n`` of a message with a plural, in the language in use."""
    return translations(current()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet (a module's constant).

    Translate it where it is shown, with ``_(message)``, in the language of that moment.
    """
    return message


def install(env: Environment) -> None:
    """Give templates ``_()``, ``ngettext()`` and ``{% trans %}`` in the language in use."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["current_locale"] = current
    env.globals["locale_tag"] = tag
    env.globals["locale_names"] = NAMES
