"""Principals (declarants, officers, admins) and their bearer tokens.

Tokens are random, high-entropy strings; only an HMAC-SHA256 of each, keyed
with the node's secret, is stored, so a copy of the database yields no usable
token. (A slow password hash buys nothing for 256-bit random secrets and would
cost every request.)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from silkgate.kernel.actors import Principal, Role

__all__ = ["Principal", "Role", "demo_token", "hash_token", "is_demo_token", "new_token"]

TOKEN_PREFIX = "sg_"
DEMO_PREFIX = TOKEN_PREFIX + "demo_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def demo_token(secret_key: str, name: str) -> str:
    """A token derived from the secret, so a demo node can print the same tokens at each start.

    Only demo and test nodes create these; production tokens come from :func:`new_token`,
    and a production node refuses any token shaped like these (:func:`is_demo_token`).
    """
    digest = hmac.new(secret_key.encode(), f"demo-token:{name}".encode(), hashlib.sha256)
    return DEMO_PREFIX + digest.hexdigest()[:32]


def is_demo_token(token: str) -> bool:
    """Whether ``token`` is shaped like a derived demo token (never valid in production)."""
    return token.startswith(DEMO_PREFIX)


def hash_token(secret_key: str, token: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()
