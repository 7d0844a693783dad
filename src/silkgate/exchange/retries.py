"""When to try a partner again: the dispatcher's retry policy (no I/O here).

A refusal that retrying cannot cure parks the message; a partner that does not
answer is tried again soon; a busy partner (429) is waited for as it asks; any
other failure backs off exponentially.
"""

from __future__ import annotations

import math
import random

# How long at most between two tries to reach a partner that does not answer.
UNREACHABLE_MAX_WAIT = 5.0
# Refusals that retrying cannot cure: the message itself is wrong for the partner.
PERMANENT = frozenset(
    {
        "bad_payload",
        "not_agreed",
        "unknown_type",
        "wrong_recipient",
        "too_large",
        "malformed",
        "not_issuer",
        "hash_mismatch",
    }
)

# The longest a partner's Retry-After is taken at its word.
BUSY_MAX_WAIT = 600.0


class PartnerBusy(Exception):
    """The partner's inbox answered 429: wait ``retry_after`` seconds before sending again."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"partner busy (429): retry after {retry_after:.0f} s")
        self.retry_after = retry_after


def retry_after(header: str | None) -> float:
    try:
        seconds = float(header or "")
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds):
        return UNREACHABLE_MAX_WAIT  # absent, or an HTTP date: wait as for an outage
    return min(max(seconds, 1.0), BUSY_MAX_WAIT)


def backoff(attempts: int) -> float:
    """Seconds before attempt ``attempts + 1``: 0.5 s doubling to 5 minutes, with jitter."""
    return min(0.5 * 2 ** max(attempts - 1, 0), 300.0) * random.uniform(0.8, 1.2)
