"""Who may call what: the role-by-endpoint matrix of the API and of the console's pages.

The services hold the rules and enforce them; this table states what they
decide, per operation of ``/openapi.json`` and per console page, so that it can
be read (``docs/roles.md`` is rendered from it: ``python -m silkgate.api.roles``)
and checked (``tests/integration/test_roles.py`` calls every operation with
every role's token, and fails on an operation that has no rule here).

A declarant acts on its own declarations only: any other MRN, and any
inspection task, is answered 404 to it, exactly as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from silkgate.kernel.actors import Role

ROLES = tuple(Role)


class Access(StrEnum):
    YES = "yes"
    REDUCED = "reduced"  # may call it, and sees or does less: the rule's note says what
    NO = "no"


@dataclass(frozen=True)
class Rule:
    """Each role's access to one operation; ``public`` ones need no token at all."""

    access: Mapping[Role, Access]
    notes: Mapping[Role, str] = field(default_factory=lambda: MappingProxyType({}))
    public: bool = False

    def allows(self, role: Role) -> bool:
        return self.access[role] is not Access.NO


def only(*roles: Role, reduced: Mapping[Role, str] | None = None) -> Rule:
    """``roles`` may call it (those in ``reduced`` see or do less, as said); nobody else."""
    reduced = reduced or {}
    return Rule(
        MappingProxyType(
            {
                r: Access.REDUCED if r in reduced else Access.YES if r in roles else Access.NO
                for r in ROLES
            }
        ),
        MappingProxyType(dict(reduced)),
    )


PUBLIC = Rule(MappingProxyType(dict.fromkeys(ROLES, Access.YES)), public=True)

TRADER, OFFICER, ADMIN = Role.DECLARANT, Role.OFFICER, Role.ADMIN
ANALYST, SPS, ORIGIN = Role.ANALYST, Role.SPS_INSPECTOR, Role.ORIGIN_OFFICER
AGENCY = Role.AGENCY_OFFICER
# Every role that reads declarations: the origin officer works on certificates of origin
# only, an agency officer on its agency's LPCOs only.
EVERYONE = (TRADER, OFFICER, ADMIN, ANALYST, SPS)
STAFF = (OFFICER, ADMIN)
RISK = (OFFICER, ADMIN, ANALYST)
INSPECTORS = (OFFICER, ADMIN, SPS)

_NO_RISK = "without its risk decision"
_TIMELINE_SPS = "the channel without its reasons; no control outcome, no partner export data"
_TIMELINE_TRADER = (
    "the channel without its reasons; no control outcome, no partners' data, "
    "findings without the officers' notes"
)
_OWN = "its own (another's is not found)"
CERTIFIERS = (ORIGIN, ADMIN)
_CUSTOMS_CHECKS = "customs checks only"
_SPS_CHECKS = "SPS checks only"
_AGENCY_TASKS = "the tasks its agency examines in, with its own checks only (another: not found)"
_AGENCY_CHECKS = "its agency's checks only"
_SENT = "the requests sent (side=sent)"
PLATFORM, PAYMENT, LOGISTICS = Role.PLATFORM, Role.PAYMENT, Role.LOGISTICS
AGENT = Role.ECOMMERCE_AGENT
# Who reads parcels: customs and analysts every one, the platform and its agent their own.
_PARCELS = only(
    OFFICER, ADMIN, ANALYST, PLATFORM, AGENT,
    reduced={PLATFORM: "its own parcels", AGENT: "the parcels it lodged"},
)  # fmt: skip
_RECEIVED = "the requests received (side=received)"
_AGENCY_OWN = "its agency's only (another agency's: 403 with the reason)"
_HELD = "those it holds"

# Every operation of /openapi.json, as (method, path).
API: Mapping[tuple[str, str], Rule] = MappingProxyType(
    {
        ("POST", "/v1/declarations"): only(TRADER),
        ("GET", "/v1/declarations"): only(*EVERYONE),
        ("GET", "/v1/declarations/{mrn}"): only(
            *EVERYONE, reduced={TRADER: f"{_NO_RISK} and its inspection", SPS: _NO_RISK}
        ),
        ("PUT", "/v1/declarations/{mrn}"): only(TRADER),
        ("GET", "/v1/declarations/{mrn}/versions"): only(
            *EVERYONE, reduced={TRADER: "a correction's reason without the officer's note"}
        ),
        ("GET", "/v1/declarations/{mrn}/versions/{version}"): only(*EVERYONE),
        ("GET", "/v1/declarations/{mrn}/journal"): only(
            *EVERYONE, reduced={TRADER: _TIMELINE_TRADER, SPS: _TIMELINE_SPS}
        ),
        **{
            ("POST", f"/v1/declarations/{{mrn}}/{action}"): only(*STAFF)
            for action in (
                "control",
                "hold",
                "resume",
                "release",
                "reject",
                "conditional_release",
                "return",
                "destroy",
                "seize",
            )
        },
        ("POST", "/v1/declarations/{mrn}/cancel"): only(TRADER, *STAFF),
        ("POST", "/v1/declarations/{mrn}/request_information"): only(*STAFF),
        ("POST", "/v1/declarations/{mrn}/answers"): only(TRADER),
        ("GET", "/v1/declarations/{mrn}/assessment"): only(*EVERYONE),
        ("GET", "/v1/declarations/{mrn}/payments"): only(*EVERYONE),
        ("POST", "/v1/declarations/{mrn}/payments"): only(*STAFF),
        ("GET", "/v1/tariff"): PUBLIC,
        ("GET", "/v1/tariff/search"): PUBLIC,
        ("GET", "/v1/tariff/{code}"): PUBLIC,
        ("GET", "/v1/exchange-rates"): PUBLIC,
        ("GET", "/v1/sps/requirements"): PUBLIC,
        ("GET", "/v1/trs"): PUBLIC,
        ("GET", "/v1/statistics/trade"): PUBLIC,
        ("GET", "/v1/statistics/trade/months"): PUBLIC,
        ("GET", "/v1/statistics/trade/{month}/releases"): PUBLIC,
        ("POST", "/v1/statistics/trade/{month}/close"): only(ANALYST, ADMIN),
        ("POST", "/v1/assessments"): PUBLIC,
        ("POST", "/v1/origin/determinations"): PUBLIC,
        ("GET", "/v1/origin/rules"): PUBLIC,
        ("GET", "/v1/origin/rules/{agreement}/{hs}"): PUBLIC,
        ("GET", "/v1/origin/received"): only(*STAFF),
        ("GET", "/v1/origin/received/{number}"): only(*STAFF),
        ("POST", "/v1/origin/applications"): only(TRADER),
        ("GET", "/v1/origin/applications"): only(TRADER, *CERTIFIERS, reduced={TRADER: _OWN}),
        ("GET", "/v1/origin/applications/{application_id}"): only(
            TRADER, *CERTIFIERS, reduced={TRADER: _OWN}
        ),
        ("POST", "/v1/origin/applications/{application_id}/approve"): only(*CERTIFIERS),
        ("POST", "/v1/origin/applications/{application_id}/refuse"): only(*CERTIFIERS),
        ("GET", "/v1/origin/certificates"): only(TRADER, *CERTIFIERS, reduced={TRADER: _OWN}),
        # Anyone checks a printed certificate: its status and hash, nothing commercial.
        ("GET", "/v1/origin/certificates/{number}"): PUBLIC,
        ("GET", "/v1/origin/certificates/{number}/document"): only(
            TRADER, *CERTIFIERS, reduced={TRADER: f"{_OWN}, without the importing side's box 4"}
        ),
        ("POST", "/v1/origin/certificates/{number}/cancel"): only(*CERTIFIERS),
        ("POST", "/v1/origin/certificates/{number}/replace"): only(*CERTIFIERS),
        # Customs asks the issuer; the issuer's origin officers answer (the side decides).
        ("POST", "/v1/origin/verifications"): only(*STAFF),
        ("GET", "/v1/origin/verifications"): only(
            OFFICER, ADMIN, ORIGIN, reduced={ORIGIN: _RECEIVED, OFFICER: _SENT}
        ),
        ("GET", "/v1/origin/verifications/{verification_id}"): only(
            OFFICER, ADMIN, ORIGIN, reduced={ORIGIN: _RECEIVED, OFFICER: _SENT}
        ),
        ("POST", "/v1/origin/verifications/{verification_id}/answer"): only(*CERTIFIERS),
        # Transit: the holder lodges and reads its own; officers of each office record steps.
        ("POST", "/v1/transit/movements"): only(TRADER),
        ("GET", "/v1/transit/movements"): only(TRADER, *STAFF, reduced={TRADER: _OWN}),
        ("GET", "/v1/transit/movements/{mrn}"): only(TRADER, *STAFF, reduced={TRADER: _OWN}),
        **{
            ("POST", f"/v1/transit/movements/{{mrn}}/{step}"): only(*STAFF)
            for step in ("release", "crossing", "arrival", "control", "incident", "diversion")
        },
        ("POST", "/v1/transit/movements/{mrn}/cancel"): only(
            TRADER, *STAFF, reduced={TRADER: _OWN}
        ),
        ("POST", "/v1/transit/sweep"): only(*STAFF),
        ("POST", "/v1/transit/guarantees"): only(*STAFF),
        ("GET", "/v1/transit/guarantees"): only(TRADER, *STAFF, reduced={TRADER: _OWN}),
        ("GET", "/v1/transit/guarantees/{reference}"): only(TRADER, *STAFF, reduced={TRADER: _OWN}),
        ("GET", "/v1/transit/offices"): PUBLIC,
        ("GET", "/v1/risk/profiles"): only(*RISK),
        ("POST", "/v1/risk/profiles"): only(ADMIN, ANALYST),
        ("GET", "/v1/risk/profiles/{name}"): only(*RISK),
        ("DELETE", "/v1/risk/profiles/{name}"): only(ADMIN, ANALYST),
        ("GET", "/v1/risk/budget"): only(*RISK),
        ("PUT", "/v1/risk/budget"): only(ADMIN, ANALYST),
        ("GET", "/v1/risk/performance"): only(*RISK),
        ("POST", "/v1/declarations/{mrn}/outcome"): only(*STAFF),
        ("POST", "/v1/declarations/{mrn}/outcome/correction"): only(*STAFF),
        ("GET", "/v1/inspections"): only(*INSPECTORS, AGENCY, reduced={AGENCY: _AGENCY_TASKS}),
        ("GET", "/v1/inspections/{task_id}"): only(
            *INSPECTORS, AGENCY, reduced={AGENCY: _AGENCY_TASKS}
        ),
        ("POST", "/v1/inspections/{task_id}/assign"): only(
            *INSPECTORS, reduced={SPS: "the SPS inspector only, not the officer"}
        ),
        ("POST", "/v1/inspections/{task_id}/start"): only(
            *INSPECTORS, AGENCY, reduced={AGENCY: _AGENCY_TASKS}
        ),
        ("POST", "/v1/inspections/{task_id}/checks/{seq}"): only(
            *INSPECTORS,
            AGENCY,
            reduced={OFFICER: _CUSTOMS_CHECKS, SPS: _SPS_CHECKS, AGENCY: _AGENCY_CHECKS},
        ),
        ("POST", "/v1/inspections/{task_id}/complete"): only(*STAFF),
        ("POST", "/v1/declarations/{mrn}/ephyto"): only(TRADER, *INSPECTORS),
        ("GET", "/v1/declarations/{mrn}/ephyto"): only(*EVERYONE),
        ("POST", "/v1/declarations/{mrn}/partner-results"): only(
            *INSPECTORS,
            reduced={OFFICER: f"settles {_CUSTOMS_CHECKS}", SPS: f"settles {_SPS_CHECKS}"},
        ),
        # Partners' nodes: authenticated by the message's signature, not by a token.
        ("POST", "/v1/exchange/inbox"): PUBLIC,
        ("GET", "/v1/exchange/inbox"): only(ADMIN),
        ("GET", "/v1/exchange/card"): PUBLIC,
        ("GET", "/v1/exchange"): only(ADMIN),
        ("GET", "/v1/exchange/partners"): only(*STAFF),
        ("POST", "/v1/exchange/partners"): only(ADMIN),
        ("GET", "/v1/exchange/outbox"): only(ADMIN),
        ("POST", "/v1/exchange/outbox/retry"): only(ADMIN),
        ("POST", "/v1/exchange/outbox/{message_id}/retry"): only(ADMIN),
        ("GET", "/v1/exchange/refusals"): only(ADMIN),
        ("GET", "/v1/exchange/advance-data"): only(*STAFF),
        ("GET", "/v1/declarations/{mrn}/advance-data"): only(*STAFF),
        ("GET", "/v1/aeo"): only(*RISK),
        ("GET", "/v1/aeo/partners"): only(*RISK),
        ("GET", "/v1/aeo/{party_id}"): only(*RISK),
        ("POST", "/v1/aeo/{party_id}/{action}"): only(*STAFF),
        ("GET", "/v1/assistance"): only(*STAFF),
        ("POST", "/v1/assistance"): only(*STAFF),
        ("GET", "/v1/assistance/{reference}"): only(*STAFF),
        ("POST", "/v1/assistance/{reference}/messages"): only(*STAFF),
        # The single window's LPCOs: each agency issues and manages its own.
        ("GET", "/v1/requirements"): PUBLIC,
        ("GET", "/v1/lpcos"): only(
            AGENCY, TRADER, *STAFF, reduced={AGENCY: "its agency's only", TRADER: _HELD}
        ),
        ("POST", "/v1/lpcos"): only(AGENCY),
        ("GET", "/v1/lpcos/{number}"): only(
            AGENCY, TRADER, *STAFF, reduced={AGENCY: "its agency's only", TRADER: _HELD}
        ),
        **{
            ("POST", f"/v1/lpcos/{{number}}/{action}"): only(AGENCY, reduced={AGENCY: _AGENCY_OWN})
            for action in ("amend", "suspend", "reinstate", "revoke")
        },
        **{
            ("POST", f"/v1/lpcos/{{number}}/{action}"): only(
                AGENCY, reduced={AGENCY: "a partner's LPCO its agency is named to accept"}
            )
            for action in ("accept", "refuse")
        },
        ("GET", "/v1/declarations/{mrn}/lpcos"): only(*EVERYONE, reduced={TRADER: _OWN}),
        # The signed journal head: the sequence number tells how busy the node is.
        ("GET", "/v1/journal/anchor"): only(ADMIN),
        # Cross-border e-commerce (docs/ecommerce.md): each party sends its own list.
        ("POST", "/v1/ecommerce/orders"): only(PLATFORM),
        ("POST", "/v1/ecommerce/payments"): only(PAYMENT),
        ("POST", "/v1/ecommerce/waybills"): only(LOGISTICS),
        ("POST", "/v1/ecommerce/parcels"): only(AGENT),
        ("GET", "/v1/ecommerce/parcels"): _PARCELS,
        ("GET", "/v1/ecommerce/parcels/{order_no}"): _PARCELS,
        ("GET", "/v1/ecommerce/held"): _PARCELS,
        ("GET", "/v1/ecommerce/figures"): _PARCELS,
        ("POST", "/v1/ecommerce/returns"): only(AGENT),
        ("POST", "/v1/ecommerce/guarantees"): only(*STAFF),
        ("GET", "/v1/ecommerce/guarantees/{agent}"): only(
            OFFICER, ADMIN, ANALYST, AGENT, reduced={AGENT: "its own"}
        ),
        ("POST", "/v1/ecommerce/sweep"): only(*STAFF),
    }
)

# The console's pages (GET); its forms call the same services as the API above.
CONSOLE: Mapping[str, Rule] = MappingProxyType(
    {
        "/console/login": PUBLIC,
        "/console/tariff": PUBLIC,
        "/console/requirements": PUBLIC,
        "/console/lpcos": only(
            AGENCY,
            TRADER,
            *STAFF,
            reduced={AGENCY: "its agency's, and the form to issue", TRADER: _HELD},
        ),
        "/console/lpcos/{number}": only(
            AGENCY,
            TRADER,
            *STAFF,
            reduced={AGENCY: "its agency's, with the forms to change it", TRADER: _HELD},
        ),
        "/console/transit": only(
            TRADER, *STAFF, reduced={TRADER: "its own movements and guarantees"}
        ),
        "/console/transit/movements/{mrn}": only(TRADER, *STAFF, reduced={TRADER: _OWN}),
        "/console/transit/guarantees/{reference}": only(TRADER, *STAFF, reduced={TRADER: _OWN}),
        "/console/trs": PUBLIC,
        "/console/statistics": PUBLIC,
        "/console/origin": PUBLIC,
        # Anyone checks a certificate of origin: its status and hash, nothing commercial.
        "/console/origin/certificates/{number}": PUBLIC,
        "/console/origin/verifications": only(
            OFFICER, ADMIN, ORIGIN, reduced={ORIGIN: _RECEIVED, OFFICER: _SENT}
        ),
        "/console/origin/applications": only(TRADER, *CERTIFIERS, reduced={TRADER: _OWN}),
        "/console/origin/applications/{application_id}": only(
            TRADER, *CERTIFIERS, reduced={TRADER: f"{_OWN}; no decision, no box 4"}
        ),
        "/console/origin/certificates/{number}/print": only(
            TRADER, *CERTIFIERS, reduced={TRADER: f"{_OWN}; box 4 left blank"}
        ),
        "/console": only(*EVERYONE),
        "/console/rows": only(*EVERYONE),
        "/console/declarations/{mrn}": only(
            *EVERYONE,
            reduced={
                TRADER: "no risk, inspection or partner data; the trader's timeline",
                ANALYST: "no partner export data",
                SPS: "no risk block, no partner export data; the SPS timeline",
            },
        ),
        "/console/declarations/{mrn}/release-note": only(*EVERYONE),
        "/console/declarations/{mrn}/amend": only(TRADER),
        # The trader's portal (docs/portal.md): the declaration form and its drafts.
        "/console/lodge": only(TRADER),
        "/console/lodge/codes": only(TRADER),
        "/console/drafts": only(TRADER),
        # Questions, documents and live updates on a declaration's page (htmx).
        "/console/declarations/{mrn}/portal": only(*EVERYONE),
        "/console/declarations/{mrn}/documents/{document_id}": only(*EVERYONE),
        "/console/live": only(*EVERYONE),
        "/console/questions": only(TRADER, *STAFF, reduced={TRADER: _OWN}),
        "/console/webhook": only(TRADER),
        "/console/inspections": only(
            *INSPECTORS, AGENCY, reduced={AGENCY: "its agency's checks, with their forms"}
        ),
        "/console/risk": only(*RISK),
        "/console/aeo": only(*RISK),
        "/console/aeo/{party_id}": only(*RISK),
        "/console/advance-data": only(*STAFF),
        "/console/assistance": only(*STAFF),
        "/console/assistance/{reference}": only(*STAFF),
        "/console/exchange": only(ADMIN),
        "/console/ecommerce": _PARCELS,
        "/console/ecommerce/held": _PARCELS,
        "/console/ecommerce/figures": _PARCELS,
    }
)


def _cell(rule: Rule, role: Role) -> str:
    access = rule.access[role]
    if access is Access.REDUCED:
        return f"reduced: {rule.notes[role]}"
    return access.value


def markdown(
    matrix: Mapping[tuple[str, str], Rule] | Mapping[str, Rule], what: str = "operation"
) -> str:
    """``matrix`` as a Markdown table, one row per operation (or page), one column per role."""
    lines = [
        f"| {what} | " + " | ".join(r.value for r in ROLES) + " |",
        "|---|" + "---|" * len(ROLES),
    ]
    for key, rule in matrix.items():
        name = "`" + (" ".join(key) if isinstance(key, tuple) else key) + "`"
        if rule.public:
            name += " (no token)" if what == "operation" else " (no login)"
        lines.append(f"| {name} | " + " | ".join(_cell(rule, r) for r in ROLES) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print("## API\n\n" + markdown(API) + "\n## Console pages\n\n" + markdown(CONSOLE, "page"))
