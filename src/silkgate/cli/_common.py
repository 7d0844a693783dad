"""What the command groups share: the consoles, settings, the node on this machine, errors.

Every failure ends the same way: a line on standard error, then exit 1 (2 for
bad usage and configuration), as the commands have always done.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from silkgate.config import Settings, settings_problem
from silkgate.i18n import _
from silkgate.i18n.sentences import say
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.errors import Conflict, Forbidden, InvalidRequest, NotFound

if TYPE_CHECKING:
    import sqlalchemy as sa

    from silkgate.node import Node

T = TypeVar("T")

# Piped or redirected output is read by programs and copied from: as wide as its lines,
# never cut at 80 columns (COLUMNS, when set, still decides).
WIDE = 1000
# Prose in a table wraps at this width, however wide the console, to stay readable.
PROSE_WIDTH = 100


def _console(stderr: bool = False) -> Console:
    console = Console(stderr=stderr)
    if console.is_terminal or "COLUMNS" in os.environ:
        return console
    return Console(stderr=stderr, width=WIDE)


out = _console()
err = _console(stderr=True)


def settings() -> Settings:
    """The node's settings (from SILKGATE_* variables); a bad one ends with exit 2."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        err.print(f"[red]configuration error:[/red] {settings_problem(exc)}", highlight=False)
        raise typer.Exit(2) from None


def existing_database(config: Settings) -> None:
    """Refuse an SQLite file that is not there: opening it would create an empty database.

    Only the commands that create databases (``db upgrade``, ``demo``,
    ``simulate``) may start from nothing; every other one says where it looked.
    """
    path = config.sqlite_path()
    if path is None or path.exists():
        return
    relative = "" if path.is_absolute() else f", relative to the working directory {Path.cwd()}"
    fail(
        f"there is no database at {path.resolve()} (SILKGATE_DATABASE_URL is "
        f"{config.database_url}{relative}). Run the command in the folder that holds the "
        "node's database, or set SILKGATE_DATABASE_URL to it (sqlite:////absolute/path.db); "
        "`silkgate db upgrade` or `silkgate demo run` create one.",
        2,
    )


def engine(config: Settings) -> sa.Engine:
    """The engine of the node's database, which must exist (see :func:`existing_database`)."""
    from silkgate.store.db import make_engine

    existing_database(config)
    return make_engine(config.database_url, pool_size=2)


def word(code: str | None, spaced: bool = False) -> str:
    """A status, channel or action in another language (the console's words).

    In English, the code itself, as programs reading the output expect it
    (``spaced``: its underscores as spaces); a code with no word stays as it is.
    """
    from silkgate import i18n
    from silkgate.web.terms import TERMS

    text = code or ""
    known = TERMS.get(text)
    if known and i18n.current() != i18n.DEFAULT:
        return _(known)
    return text.replace("_", " ") if spaced else text


def fail(message: str, code: int = 1) -> NoReturn:
    """End the command with ``message`` (in the language in use, where its shape is known)."""
    prefix = _("error:")
    err.print(f"[red]{prefix}[/red] {say(message)}")
    raise typer.Exit(code)


def invalid(exc: InvalidRequest) -> NoReturn:
    """Report a refused change field by field; nothing was changed."""
    unchanged = _("nothing was changed")
    err.print(f"[red]{say(exc.title)}[/red]: {unchanged}")
    for e in exc.errors:
        err.print(f"  {e.pointer or '(body)'}: {say(e.detail)}", highlight=False)
    raise typer.Exit(1)


def refuse(exc: InvalidRequest) -> NoReturn:
    """One ``error:`` line per refused field, as the set-up commands report any refusal."""
    prefix = _("error:")
    for e in exc.errors:
        err.print(f"[red]{prefix}[/red] {say(e.detail)}")
    raise typer.Exit(1)


def guard(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a service; its refusals end the command with their message."""
    try:
        return fn(*args, **kwargs)
    except InvalidRequest as exc:
        invalid(exc)
    except (NotFound, Forbidden, Conflict) as exc:
        fail(str(exc))


def open_local_node(clock: Clock = system_clock) -> Node:
    """The node whose database this machine holds (not yet ready: exit 1), on ``clock``."""
    from silkgate.bootstrap import open_node
    from silkgate.node import NodeNotReady

    config = settings()
    try:
        return open_node(config, engine(config), clock=clock)
    except NodeNotReady as exc:
        fail(str(exc))


def acting_principal(node: Node | None = None) -> Principal:
    """Who a command on the node's own machine acts as, for the audit trail.

    With SILKGATE_TOKEN set, the user that token belongs to (and that user's
    rights); otherwise the node's administrator, named after the login.
    """
    token = os.environ.get("SILKGATE_TOKEN", "").strip()
    if token and node is not None:
        principal = node.tokens.resolve(token)
        if principal is None:
            fail("SILKGATE_TOKEN is unknown or revoked")
        return principal
    return Principal(0, os.environ.get("USER", "admin"), Role.ADMIN, None)


def login() -> str:
    """Who loads files on this machine, as the loaded versions record it."""
    return os.environ.get("USER", "admin")


def read_json(path: Path) -> Any:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{path} is not valid JSON: {exc}")


def read_bytes(path: Path) -> bytes:
    try:
        return sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")


def parse_date(text: str, option: str = "--date") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not a date (YYYY-MM-DD)", 2)


def local_today() -> dt.date:
    """Today in the administration's time zone (the node's idea of "today")."""
    return system_clock().astimezone(ZoneInfo(settings().timezone)).date()


def print_file_errors(path: Path, errors: list[Any], what: str) -> None:
    err.print(
        f"[red]{path}: {len(errors)} error(s); nothing was loaded, the {what} unchanged[/red]"
    )
    for e in errors[:200]:
        err.print(f"  {e}", highlight=False)
    if len(errors) > 200:
        err.print(f"  … and {len(errors) - 200} more")


def folding_table(*headers: str, prose: tuple[str, ...] = (), **options: Any) -> Table:
    """A table that never cuts a value: identifiers, codes and amounts are copied from it.

    The ``prose`` columns (descriptions, reasons) wrap at words; the others stay
    on one line, and fold only when the terminal is too narrow for them. The
    headers and the title are shown in the language in use (mark them with ``N_``).
    """
    if "title" in options:
        options["title"] = _(options["title"])
    table = Table(*(_(header) for header in headers), **options)
    for column, header in zip(table.columns, headers, strict=True):
        column.overflow = "fold"
        column.no_wrap = header not in prose
        if header in prose:
            column.max_width = PROSE_WIDTH
    return table
