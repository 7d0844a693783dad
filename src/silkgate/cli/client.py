"""The API client of ``declarations`` and ``assess --node``, as a trader's tool would be."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import typer

from silkgate import i18n
from silkgate.cli._common import err, fail
from silkgate.i18n import N_, _

NODE = "http://127.0.0.1:8000"
NodeUrl = Annotated[
    str, typer.Option("--node", envvar="SILKGATE_NODE_URL", help="Base URL of the node.")
]
Token = Annotated[
    str,
    typer.Option("--token", envvar="SILKGATE_TOKEN", help="Your API token.", show_default=False),
]


TOKEN_MISSING = N_(
    "SILKGATE_TOKEN is not set, so the node cannot tell who you are. Set it to your API "
    "token: export SILKGATE_TOKEN=sg_... (a demo node prints its users' tokens as it "
    "starts; `silkgate users add` makes one), or pass --token"
)


def call(method: str, url: str, token: str, **kwargs: Any) -> Any:
    """One request to the node; a refusal is printed as its problem document, exit 1."""
    token = token.strip()
    if not token:
        fail(_(TOKEN_MISSING), 2)
    if any(c.isspace() or not (c.isascii() and c.isprintable()) for c in token):
        fail(_("SILKGATE_TOKEN is not a token: it holds spaces or characters no token has"), 2)
    try:
        response = httpx.request(
            method,
            url,
            # The node answers its problems in the command's language.
            headers={
                "Authorization": f"Bearer {token}",
                "Accept-Language": i18n.tag(),
                **kwargs.pop("headers", {}),
            },
            timeout=30,
            **kwargs,
        )
    except httpx.HTTPError as exc:
        fail(_("cannot reach the node at %(url)s: %(why)s") % {"url": url, "why": exc})
    return answer(response)


def answer(response: httpx.Response) -> Any:
    """The response's JSON; a refusal is printed as its problem document, exit 1."""
    if response.status_code >= 400:
        print_problem(response)
        raise typer.Exit(1)
    return response.json()


def print_problem(response: httpx.Response) -> None:
    try:
        problem = response.json()
    except ValueError:
        word = _("error")
        err.print(f"[red]{word} {response.status_code}[/red]: {response.text[:500]}")
        return
    err.print(
        f"[red]{problem.get('status', response.status_code)} {problem.get('title', '')}"
        f"[/red]: {problem.get('detail', '')}"
    )
    for e in problem.get("errors", []):
        err.print(f"  {e.get('pointer') or '(document)'}: {e.get('detail')}")
