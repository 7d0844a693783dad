"""What a node's secret key must be, by mode.

The secret keys the token hashes, the console's session ids and the node's
signing keys at rest. A secret printed in the README or the docs (the demo
default, the demo pair's) is refused outside ``demo`` mode: anyone could
compute the demo tokens from it. A ``production`` node also needs real
entropy: at least 32 random bytes, written in base64 (standard or URL-safe)
or hex, and not a pattern such as one character repeated.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from itertools import pairwise

DEFAULT_SECRET = "silkgate-demo-secret-do-not-use-in-production"

# The least a production secret holds, decoded.
MIN_BYTES = 32
# Shannon entropy per decoded byte below which the bytes are a pattern, not random: 32
# random bytes measure about 4.9 bits (of at most 5); a repeated short motif measures 3 or less.
MIN_BITS_PER_BYTE = 4.0
# The share of neighbouring characters one step apart (the same step each time) above which
# the text is a run or a sequence ("aaaa", "abcd"): random base64 or hex stays under 0.3.
MAX_SAME_STEP = 0.4

GENERATE = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'

_HEX = re.compile(r"[0-9a-fA-F]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")


def demo_pair_secret(administration: str) -> str:
    """The published secret of one node of the demo pair (``silkgate demo pair``)."""
    return f"silkgate-demo-pair-{administration.lower()}-secret"


# Every secret the project publishes: refused outside demo mode.
PUBLISHED = frozenset(
    {DEFAULT_SECRET, *(demo_pair_secret(admin) for admin in ("CN", "VN", "KZ", "UZ"))}
)


def refusal(secret: str, mode: str) -> str | None:
    """Why ``secret`` may not key a node in ``mode`` (demo, test, production), or None."""
    if mode == "demo":
        return None
    if secret in PUBLISHED:
        return (
            f"SILKGATE_SECRET_KEY is a published demo secret, refused in {mode} mode "
            f"(SILKGATE_MODE=demo for a demonstration node); generate one with: {GENERATE}"
        )
    if mode != "production":
        return None
    raw = decoded(secret)
    if raw is None:
        why = "is neither base64 nor hex"
    elif len(raw) < MIN_BYTES:
        why = f"holds {len(raw)} bytes; a production secret needs at least {MIN_BYTES} random bytes"
    elif bits_per_byte(raw) < MIN_BITS_PER_BYTE or same_step(secret) > MAX_SAME_STEP:
        why = "is a pattern, not random bytes"
    else:
        return None
    return f"SILKGATE_SECRET_KEY {why}; generate one with: {GENERATE}"


def decoded(secret: str) -> bytes | None:
    """The bytes a hex or base64 secret writes, or None when it is neither."""
    if _HEX.fullmatch(secret) and len(secret) % 2 == 0:
        return bytes.fromhex(secret)
    if not _BASE64.fullmatch(secret):
        return None
    text = secret.rstrip("=").replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def bits_per_byte(raw: bytes) -> float:
    """The Shannon entropy of the bytes' own distribution, in bits per byte."""
    counts = Counter(raw)
    return -sum(n / len(raw) * math.log2(n / len(raw)) for n in counts.values())


def same_step(text: str) -> float:
    """The share of neighbouring characters that differ by the most common step."""
    if len(text) < 2:
        return 1.0
    steps = Counter(ord(b) - ord(a) for a, b in pairwise(text))
    return max(steps.values()) / (len(text) - 1)
