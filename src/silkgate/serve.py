"""Serving a node with one or more worker processes.

With several workers each process binds its own listening socket with
``SO_REUSEPORT``, so the kernel spreads connections evenly across them. (A
single shared socket lets whichever worker wakes first accept most
keep-alive connections, which leaves the other cores idle.)
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
from types import FrameType
from typing import Any

import uvicorn

from silkgate.config import Settings

_OPTIONS: dict[str, Any] = {"log_level": "warning", "access_log": False, "proxy_headers": True}


def _options(settings: Settings) -> dict[str, Any]:
    # The client address every per-source limit counts by: X-Forwarded-For is believed only
    # from these proxies (uvicorn's forwarded_allow_ips), never from anyone else.
    return {**_OPTIONS, "forwarded_allow_ips": settings.forwarded_allow_ips}


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int) -> None:
    from silkgate.app import create_app

    sock = _listening_socket(host, port)
    settings = Settings()
    config = uvicorn.Config(create_app(settings), **_options(settings))
    uvicorn.Server(config).run(sockets=[sock])


def serve(app: Any, settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve ``app`` in this process, or ``workers`` processes that each build their own."""
    if workers <= 1:
        uvicorn.run(app, host=host, port=port, **_options(settings))
        return
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_worker, args=(host, port), name=f"silkgate-worker-{i}")
        for i in range(workers)
    ]
    for p in processes:
        p.start()

    def stop(signum: int, _frame: FrameType | None) -> None:
        for p in processes:
            if p.is_alive():
                p.terminate()  # uvicorn shuts down gracefully on SIGTERM

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for p in processes:
        p.join()
    # uvicorn re-raises the signal it shut down on, so a worker stopped by us
    # ends "killed by SIGTERM": that is a clean stop, anything else is not.
    clean = {0, -signal.SIGTERM, -signal.SIGINT}
    sys.exit(0 if all(p.exitcode in clean for p in processes) else 1)
