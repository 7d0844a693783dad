"""Which capability reacts to which event, in the same transaction as the event.

Capabilities meet here and nowhere else. Lodging, amendment and decisions
raise events; the handlers below react in the same transaction:

==========================  =================================================
event                       handlers
==========================  =================================================
``Lodged``                  exchange: link the import's advance data, or wait
``AdvanceLinked``           exchange: apply partner results that waited for it
``ChannelAssigned``         inspection: plan the joint inspection (with the
                            checks of the agencies the LPCOs say examine the
                            goods); origin: a risk profile's request to
                            verify a claimed e-CO
``Amended``                 exchange: compare the advance data again
``Released``                exchange: advance data to the partner's outbox
``Decided``                 inspection: close the task; a seizure opens a case;
                            origin: a cancelled or rejected import gives back
                            the e-CO lines it covered; lpco: a cancelled or
                            rejected declaration gives back what it drew
``InspectionCompleted``     risk: the control's outcome; exchange: the result
                            of an export's inspection to the partner
``CertificateEvent``        exchange: a certificate of origin issued, cancelled
                            or replaced, to the importing partner's outbox
``LpcoChanged``             exchange: an export LPCO issued or changed, to
                            the destination partner's outbox
``TransitStep``             exchange: the messages a transit step sends (the
                            records at release, crossing, arrival, control
                            results, write-off) to the partners' outboxes
every event                 statistics: a journal entry that marks a stage
                            moves the stage times and the day's sums; a
                            release records the items' trade facts
``InformationRequested``    portal: keep the question for the trader's list
``InformationProvided``     portal: keep the answer (the officer's queue)
``DocumentAttached``        portal: record the document and where it is kept
``ChannelAssigned``,        portal: a notification to the trader's webhook
``InformationRequested``,
``Released``, ``Decided``
==========================  =================================================

A new capability registers its handlers here; :mod:`silkgate.bootstrap` builds the
services and calls :func:`register_handlers` once per node.
"""

from __future__ import annotations

from decimal import Decimal

from silkgate.declarations import events as declaration_events
from silkgate.exchange.services.lpco import LpcoMessages
from silkgate.exchange.services.origin import CertificateMessages
from silkgate.exchange.services.trade import AdvanceLinked, TradeExchange
from silkgate.exchange.services.transit import TransitMessages
from silkgate.inspection.events import InspectionCompleted
from silkgate.inspection.services import planning
from silkgate.kernel.events import Event, MessageBus, Noted, UnitOfWork
from silkgate.lpco.events import LpcoChanged
from silkgate.lpco.services import LicenceCheck
from silkgate.origin.events import CertificateEvent
from silkgate.origin.services.claims import PreferenceCheck
from silkgate.origin.services.verification import Verifications
from silkgate.portal.services import notifications as portal_notifications
from silkgate.portal.services import questions as portal_questions
from silkgate.risk.commands import ControlOutcome
from silkgate.risk.services.control import record_outcome_in
from silkgate.statistics.services import StatisticsService
from silkgate.transit.events import TransitStep


def register_handlers(
    bus: MessageBus,
    trade: TradeExchange,
    certificates: CertificateMessages,
    claims: PreferenceCheck | None = None,
    verifications: Verifications | None = None,
    licences: LicenceCheck | None = None,
    transit: TransitMessages | None = None,
    statistics: StatisticsService | None = None,
    lpcos: LpcoMessages | None = None,
) -> None:
    """Every reaction of one capability to another's events (the table in the docstring)."""
    bus.subscribe(declaration_events.Lodged, trade.on_lodged)
    bus.subscribe(AdvanceLinked, trade.on_advance_linked)
    plan = planning.planner(licences.examinations) if licences else planning.plan_inspection
    bus.subscribe(declaration_events.ChannelAssigned, plan)
    if verifications is not None:
        bus.subscribe(declaration_events.ChannelAssigned, verifications.on_channel)
    bus.subscribe(declaration_events.Amended, trade.on_amended)
    bus.subscribe(declaration_events.Released, trade.on_released)
    bus.subscribe(declaration_events.Decided, planning.close_on_decision)
    if claims is not None:
        bus.subscribe(declaration_events.Decided, claims.on_decided)
    if licences is not None:
        bus.subscribe(declaration_events.Decided, licences.on_decided)
    bus.subscribe(InspectionCompleted, record_control_outcome)
    bus.subscribe(InspectionCompleted, trade.on_inspected)
    bus.subscribe(CertificateEvent, certificates.on_certificate)
    if transit is not None:
        bus.subscribe(TransitStep, transit.on_step)
    if statistics is not None:
        bus.subscribe(Event, statistics.on_event)
        bus.on_settled(statistics.flush)
    if lpcos is not None:
        bus.subscribe(LpcoChanged, lpcos.on_changed)
    bus.subscribe(
        declaration_events.InformationRequested, portal_questions.on_information_requested
    )
    bus.subscribe(declaration_events.InformationProvided, portal_questions.on_information_provided)
    bus.subscribe(declaration_events.DocumentAttached, portal_questions.on_document_attached)
    for notified in (
        declaration_events.ChannelAssigned, declaration_events.InformationRequested,
        declaration_events.Released, declaration_events.Decided,
    ):  # fmt: skip
        bus.subscribe(notified, portal_notifications.on_declaration_event)


_CRITICAL = {"sps": ("pest", "lab", "prohibited"), "agency": ("prohibited", "specimens")}


def record_control_outcome(event: InspectionCompleted, uow: UnitOfWork) -> None:
    """A completed joint inspection is the control's outcome: the risk model learns from it."""
    failed = event.failed
    revenue = sum((Decimal((c["finding"] or {}).get("revenue") or "0") for c in failed), Decimal(0))
    # A quarantine pest, failed lab test or prohibited goods; an examining agency's
    # prohibited goods, or specimens its permit does not cover.
    critical = any(
        (c["finding"] or {}).get("kind") in _CRITICAL.get(c["service"], ()) for c in failed
    )
    # Several checks often find the same thing (the documents and the value, one certificate
    # per item): the outcome says each finding once.
    said = ((c["finding"] or {}).get("note") or "" for c in failed)
    notes = "; ".join(dict.fromkeys(note.strip() for note in said if note.strip()))
    recovered = max(revenue, Decimal(0)).quantize(Decimal("0.01"))
    outcome = ControlOutcome(
        # Revenue recovered (or a critical finding) is fraud, whichever service found it.
        fraud=any(c["service"] == "customs" for c in failed) or critical or recovered > 0,
        critical=critical,
        revenue_recovered=recovered,
        note=f"joint inspection: {notes}"[:1000] if notes else "joint inspection",
    )
    _, note = record_outcome_in(
        uow.connection,
        declaration_id=event.declaration_id,
        outcome=outcome,
        at=event.at,
        actor=event.actor,
    )
    uow.collect(Noted.of(note))
