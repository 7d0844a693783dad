"""The AEO programme's lifecycle, as a table.

An operator applies; customs validates (the on-site audit) and grants the
status for a period; a granted status may be suspended and reinstated, and
is revoked for good. Only *granted* within its validity dates earns benefits,
here and, under a mutual recognition arrangement, at partner administrations.
"""

from __future__ import annotations

from enum import StrEnum


class AeoStatus(StrEnum):
    APPLIED = "applied"
    VALIDATED = "validated"
    GRANTED = "granted"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    REFUSED = "refused"


class AeoAction(StrEnum):
    APPLY = "apply"
    VALIDATE = "validate"
    GRANT = "grant"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REVOKE = "revoke"
    REFUSE = "refuse"


S, A = AeoStatus, AeoAction
TRANSITIONS: dict[tuple[AeoStatus | None, AeoAction], AeoStatus] = {
    (None, A.APPLY): S.APPLIED,
    (S.REFUSED, A.APPLY): S.APPLIED,
    (S.REVOKED, A.APPLY): S.APPLIED,
    (S.APPLIED, A.VALIDATE): S.VALIDATED,
    (S.APPLIED, A.REFUSE): S.REFUSED,
    (S.VALIDATED, A.REFUSE): S.REFUSED,
    (S.VALIDATED, A.GRANT): S.GRANTED,
    (S.GRANTED, A.SUSPEND): S.SUSPENDED,
    (S.SUSPENDED, A.REINSTATE): S.GRANTED,
    (S.GRANTED, A.REVOKE): S.REVOKED,
    (S.SUSPENDED, A.REVOKE): S.REVOKED,
}
# These need a reason in the register (and, for the operator, in writing).
REASON_REQUIRED = frozenset({A.SUSPEND, A.REVOKE, A.REFUSE})


class IllegalAeoTransition(ValueError):
    pass


def next_status(current: AeoStatus | None, action: AeoAction) -> AeoStatus:
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        allowed = sorted(a.value for (s, a) in TRANSITIONS if s == current)
        state = current.value if current else "not registered"
        raise IllegalAeoTransition(
            f"{action.value} is not possible for an operator that is {state}"
            + (f"; possible: {', '.join(allowed)}" if allowed else "")
        ) from None
