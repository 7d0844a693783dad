"""The ``silkgate`` command.

Two kinds of commands: those that run the node on this machine (``serve``,
``db``, ``refdata``, ``users``, ``offices``, ``journal``, ``demo``, ``tariff``,
``rates``, ``risk``, ``sps``, ``origin rules``, ``trs``, ``statistics``, ``simulate`` and the
exchange's ``node``, ``partners``, ``exchange``, ``aeo``) work on the node's database directly;
``declarations``, ``inspections``, ``transit`` and the certificates of origin (``origin apply``,
``origin applications``, ``origin approve``...) are clients of a node's API, as a
trader's, a broker's or an officer's tool would be, so they work against any node.
``assess`` and ``origin determine`` do either: against a node with ``--node``, or
on this machine's database.

One module per command group; :mod:`silkgate.cli._common` holds what they share.

Every command speaks the language of ``--lang``, else ``SILKGATE_LANG``, else the
system's (``LC_ALL``, ``LC_MESSAGES``, ``LANG``): English, Simplified Chinese,
Russian or Vietnamese. Codes, MRNs and JSON output never change with it.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from silkgate import i18n
from silkgate.cli.aeo import aeo_app
from silkgate.cli.assessments import assess
from silkgate.cli.db import db_app
from silkgate.cli.declarations import decl_app
from silkgate.cli.demo import demo_app
from silkgate.cli.ecommerce import ecommerce_app
from silkgate.cli.exchange import exchange_app
from silkgate.cli.inspections import inspections_app
from silkgate.cli.journal import journal_app
from silkgate.cli.lpco import lpco_app
from silkgate.cli.node import node_app
from silkgate.cli.offices import offices_app
from silkgate.cli.origin import origin_app
from silkgate.cli.partners import partners_app
from silkgate.cli.rates import rates_app
from silkgate.cli.refdata import refdata_app
from silkgate.cli.risk import risk_app
from silkgate.cli.serve import serve
from silkgate.cli.simulate import simulate
from silkgate.cli.sps import sps_app
from silkgate.cli.statistics import statistics_app
from silkgate.cli.tariff import tariff_app
from silkgate.cli.transit import transit_app
from silkgate.cli.trs import trs_app
from silkgate.cli.users import users_app

__all__ = ["app", "main"]

app = typer.Typer(
    help="silkgate: an open smart-customs node.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _language(
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="Language of the output: en, zh-Hans, ru or vi "
            "(default: SILKGATE_LANG, else the system's).",
            show_default=False,
        ),
    ] = None,
) -> None:
    i18n.activate(i18n.from_environment(os.environ, lang))


app.command()(serve)
app.command()(assess)
app.command()(simulate)
for _group, _name in (
    (db_app, "db"),
    (refdata_app, "refdata"),
    (users_app, "users"),
    (offices_app, "offices"),
    (journal_app, "journal"),
    (demo_app, "demo"),
    (decl_app, "declarations"),
    (inspections_app, "inspections"),
    (transit_app, "transit"),
    (tariff_app, "tariff"),
    (rates_app, "rates"),
    (risk_app, "risk"),
    (sps_app, "sps"),
    (origin_app, "origin"),
    (lpco_app, "lpco"),
    (trs_app, "trs"),
    (statistics_app, "statistics"),
    (node_app, "node"),
    (partners_app, "partners"),
    (exchange_app, "exchange"),
    (aeo_app, "aeo"),
    (ecommerce_app, "ecommerce"),
):
    app.add_typer(_group, name=_name)


def main() -> None:  # pragma: no cover
    os.environ.setdefault("PYTHONUTF8", "1")
    app()
