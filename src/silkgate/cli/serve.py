"""``silkgate serve``: the API and the web console of the node on this machine."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from silkgate.cli._common import existing_database, fail, out, settings

Host = Annotated[
    str | None, typer.Option(help="Address to listen on (default SILKGATE_HOST, 127.0.0.1).")
]
Port = Annotated[
    int | None,
    typer.Option(min=1, max=65535, help="Port to listen on (default SILKGATE_PORT, 8000)."),
]


def listen_on(host: str | None, port: int | None) -> None:
    """``--host`` and ``--port`` stand for SILKGATE_HOST and SILKGATE_PORT.

    Set as the variables, they reach everything that reads the settings: the
    node's card (its endpoint) and each worker process.
    """
    if host is not None:
        os.environ["SILKGATE_HOST"] = host
    if port is not None:
        os.environ["SILKGATE_PORT"] = str(port)


def serve(
    host: Host = None,
    port: Port = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default SILKGATE_WORKERS, 1).")
    ] = None,
) -> None:
    """Serve the API and the web console."""
    from silkgate.app import create_app
    from silkgate.bootstrap import open_node
    from silkgate.node import NodeNotReady
    from silkgate.serve import serve as run_workers

    listen_on(host, port)
    config = settings()
    existing_database(config)
    try:
        node = open_node(config)
    except NodeNotReady as exc:
        fail(str(exc))
    workers = workers or config.workers
    out.print(
        f"{config.administration} node serving the API and the console on "
        f"http://{config.host}:{config.port} (API docs at /docs; partners reach it at "
        f"{config.endpoint}; {workers} worker{'s' if workers != 1 else ''}); "
        f"database {config.database_location()}; Ctrl-C stops",
        highlight=False,
        soft_wrap=True,
    )
    if workers > 1:
        node.close()  # each worker process builds its own node
        app_or_none = None
    else:
        app_or_none = create_app(config, node)
    run_workers(app_or_none, config, config.host, config.port, workers)
