"""``silkgate serve``: the API and the web console of the node on this machine."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from silkgate.cli._common import fail, out, settings
from silkgate.config import Settings


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default SILKGATE_WORKERS, 1).")
    ] = None,
) -> None:
    """Serve the API and the web console."""
    from silkgate.app import create_app
    from silkgate.bootstrap import open_node
    from silkgate.node import NodeNotReady
    from silkgate.serve import serve as run_workers

    config = serving(settings(), host, port)
    try:
        node = open_node(config)
    except NodeNotReady as exc:
        fail(str(exc))
    workers = workers or config.workers
    out.print(
        f"{config.administration} node serving the API and the console on "
        f"http://{config.host}:{config.port} (API docs at /docs; partners reach it at "
        f"{config.endpoint}; {workers} worker{'s' if workers != 1 else ''}); Ctrl-C stops",
        highlight=False,
    )
    if workers > 1:
        node.close()  # each worker process builds its own node
        app_or_none = None
    else:
        app_or_none = create_app(config, node)
    run_workers(app_or_none, config, config.host, config.port, workers)


def serving(config: Settings, host: str | None, port: int | None) -> Settings:
    """The settings with the address given on the command line, which the node's card
    then advertises (unless ``SILKGATE_PUBLIC_URL`` says otherwise).

    Worker processes read their settings from the environment: it is updated too.
    """
    host, port = host or config.host, port or config.port
    os.environ["SILKGATE_HOST"], os.environ["SILKGATE_PORT"] = host, str(port)
    return config.model_copy(update={"host": host, "port": port})
