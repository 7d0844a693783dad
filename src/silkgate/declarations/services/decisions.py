"""Officers' decisions on a declaration (control, hold, resume, release, ...) and cancellation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from silkgate.declarations.aggregate import Declaration, DeclarationState, ReleaseFacts
from silkgate.declarations.commands import Decision
from silkgate.declarations.ports import DeclarationUnitOfWork
from silkgate.declarations.services.context import Context, visible
from silkgate.declarations.services.payments import account_of
from silkgate.declarations.services.queries import summary
from silkgate.declarations.states import OFFICER_ACTIONS, REASON_REQUIRED, Action
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import FieldError, Forbidden, InvalidRequest


class Decisions:
    """Every decision but amendment goes through :meth:`act`, and every release through the
    aggregate's one release path."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def act(
        self, principal: Principal, mrn: str, action: Action, decision: Decision
    ) -> dict[str, Any]:
        """An officer's decision (control, hold, resume, release, reject...) or a cancellation."""
        reason = decision.reason
        if action in REASON_REQUIRED and reason is None:
            raise InvalidRequest(
                [FieldError("/reason", "missing", f"a reason is required to {action.value}")]
            )
        if action is Action.AMEND:
            raise ValueError("use amend() to amend")
        at = self.ctx.clock()
        with self.ctx.unit_of_work() as uow:
            d = visible(uow.declarations, principal, mrn, for_update=True)
            _may_decide(principal, action)
            declaration = Declaration(d)
            facts = None
            if action in (Action.RELEASE, Action.CONDITIONAL_RELEASE):
                facts = self.release_facts(uow, d, action)
            declaration.decide(action, at=at, actor=principal.name, reason=reason, facts=facts)
            changed = uow.declarations.save(declaration, at)
            uow.collect(*declaration.take_events())
        return summary(changed, self.ctx.codes.currencies)

    def release_facts(
        self, uow: DeclarationUnitOfWork, d: DeclarationState, action: Action
    ) -> ReleaseFacts:
        """What stands in the way of releasing ``d``: open checks by other services, duties.

        A conditional release lets the goods out before an inspection is
        complete; it still needs the duties secured.
        """
        blocked = None
        if action is Action.RELEASE:
            for gate in self.ctx.gates:
                blocked = gate.blocks_release(uow, d.id)
                if blocked:
                    break
        account = account_of(uow.accounts, d, self.ctx.currency, self.ctx.minor_unit)
        return ReleaseFacts(Decimal(account["unsecured"]), self.ctx.currency, blocked)


def _may_decide(principal: Principal, action: Action) -> None:
    if action in OFFICER_ACTIONS and not principal.is_staff:
        raise Forbidden(f"only customs officers may {action.value} a declaration")
    if not principal.is_staff and principal.role is not Role.DECLARANT:
        raise Forbidden(f"a {principal.role.value} may not {action.value} a declaration")
