"""The bare framework, as a yardstick for ``bench/lodge.py``: parse the body, answer 201.

    .venv/bin/python bench/reference_node.py --port 8799 --workers 2

The same server as a node (uvicorn with its standard extras, the same options,
one ``SO_REUSEPORT`` socket per worker process, the same body limit answered
413 before reading), with one FastAPI route that reads the JSON body, checks
that it is an object with an ``lrn`` and answers 201 with a small JSON body
and a ``Location``: what any endpoint must do before it does any work.
``bench/lodge.py`` loads it with the same client and bodies and prints the
node's throughput as a ratio of this one's.
"""

from __future__ import annotations

import argparse
import multiprocessing
import signal
import uuid

import orjson
import uvicorn
from fastapi import FastAPI, Request
from starlette.responses import Response

from silkgate.api.limits import BodySizeLimit
from silkgate.config import Settings
from silkgate.serve import _listening_socket, _options


def _settings() -> Settings:
    # The node's defaults (body limit, proxy options); the mode only so that no key is needed.
    return Settings(mode="test", secret_key="reference-secret-key-0123456789")


def create_app() -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/healthz")
    async def healthz() -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    @app.post("/v1/declarations", status_code=201)
    async def lodge(request: Request) -> Response:
        doc = orjson.loads(await request.body())
        if not isinstance(doc, dict) or "lrn" not in doc:
            return Response(b'{"title":"invalid"}', status_code=422)
        mrn = uuid.uuid4().hex[:18].upper()
        body = orjson.dumps({"mrn": mrn, "lrn": doc["lrn"], "status": "lodged"})
        return Response(
            body,
            status_code=201,
            media_type="application/json",
            headers={"Location": f"/v1/declarations/{mrn}"},
        )

    app.add_middleware(BodySizeLimit, max_bytes=_settings().max_body_bytes)
    return app


def _worker(host: str, port: int) -> None:
    sock = _listening_socket(host, port)
    config = uvicorn.Config(create_app(), **_options(_settings()))
    uvicorn.Server(config).run(sockets=[sock])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_worker, args=(args.host, args.port))
        for _ in range(max(1, args.workers))
    ]
    for p in processes:
        p.start()

    def stop(_signum: int, _frame: object) -> None:
        for p in processes:
            if p.is_alive():
                p.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for p in processes:
        p.join()


if __name__ == "__main__":
    main()
