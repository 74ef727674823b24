"""The periodic sweep: tickets held back by maintenance, and SLA targets missed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.alerts import rules as alert_rules
from fleet.alerts.models import AlertEvent
from fleet.faults.causes import awaiting_cause
from fleet.faults.models import Fault
from fleet.language import N_, say
from fleet.maintenance.service import cameras_in_maintenance
from fleet.tickets import rules
from fleet.tickets.announce import announce
from fleet.tickets.creation import POLICY, tickets_for_faults
from fleet.tickets.history import add_event
from fleet.tickets.models import RepairTicket, SlaTarget, TicketEventKind, TicketFault

# What an SLA alert says, by the target missed.
MISSED: dict[SlaTarget, str] = {
    SlaTarget.RESPONSE: N_("Ticket #{id}: response target missed (due {due}): {title}"),
    SlaTarget.RESOLUTION: N_("Ticket #{id}: resolution target missed (due {due}): {title}"),
}


@dataclass
class SweepSummary:
    """The tickets a sweep created and the SLA breaches it reported."""

    tickets: list[RepairTicket] = field(default_factory=list)
    breaches: list[tuple[int, SlaTarget]] = field(default_factory=list)


async def sweep(session: AsyncSession, *, now: datetime, settings: Settings) -> SweepSummary:
    """Create the tickets held back by maintenance or for a cause to show (fault still open and unexplained), and
    report missed SLA targets once."""
    summary = SweepSummary()
    waiting = (
        await session.scalars(
            select(Fault)
            .where(
                Fault.closed_at.is_(None),
                Fault.suppressed_by_id.is_(None),
                ~exists().where(TicketFault.fault_id == Fault.id),
            )
            .order_by(Fault.id)
        )
    ).all()
    wanted = [f for f in waiting if rules.policy_priority(f.kind, f.severity, settings.tickets) is not None]
    ids = sorted({f.camera_id for f in wanted if f.camera_id is not None})
    held = await cameras_in_maintenance(session, now, ids) if ids else set()
    held_for_cause = await awaiting_cause(session, wanted, now=now, window=settings.alerts.group_window)
    # The SLA clock starts now: time held back by maintenance is nobody's delay.
    summary.tickets = await tickets_for_faults(
        session,
        [f for f in wanted if f.camera_id not in held and f.id not in held_for_cause],
        now=now,
        settings=settings,
    )
    summary.breaches = await _sla_breaches(session, now=now, settings=settings)
    return summary


async def _sla_breaches(session: AsyncSession, *, now: datetime, settings: Settings) -> list[tuple[int, SlaTarget]]:
    candidates = (
        await session.scalars(
            select(RepairTicket)
            .where(
                RepairTicket.status.in_(rules.OPEN),
                (
                    (RepairTicket.response_breached_at.is_(None) & (RepairTicket.response_due_at < now))
                    | (RepairTicket.resolution_breached_at.is_(None) & (RepairTicket.resolution_due_at < now))
                ),
            )
            .order_by(RepairTicket.id)
        )
    ).all()
    found: list[tuple[int, SlaTarget]] = []
    for ticket in candidates:
        state = rules.SlaState(
            status=ticket.status,
            response_due_at=ticket.response_due_at,
            resolution_due_at=ticket.resolution_due_at,
            responded_at=ticket.responded_at,
            resolved_at=ticket.resolved_at,
            response_breached_at=ticket.response_breached_at,
            resolution_breached_at=ticket.resolution_breached_at,
        )
        for target in rules.breaches(state, now):
            due = ticket.response_due_at if target is SlaTarget.RESPONSE else ticket.resolution_due_at
            if target is SlaTarget.RESPONSE:
                ticket.response_breached_at = now
            else:
                ticket.resolution_breached_at = now
            add_event(
                session,
                ticket,
                TicketEventKind.SLA_BREACHED,
                actor=POLICY,
                at=now,
                to_value=target.value,
                data={"due_at": due.isoformat()},
            )
            await announce(
                session,
                ticket,
                AlertEvent.SLA_BREACHED,
                say(
                    MISSED[target],
                    settings.alerts.language,
                    id=ticket.id,
                    due=alert_rules.local_time(due),
                    title=ticket.title,
                ),
                now=now,
                settings=settings,
            )
            found.append((ticket.id, target))
    await session.flush()
    return found
