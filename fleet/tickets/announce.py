"""Alerts about tickets: assignments and missed SLA targets, routed like the alerts of their faults."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.alerts import rules as alert_rules
from fleet.alerts import service as alerts
from fleet.alerts.models import Alert, AlertEvent
from fleet.cameras.models import Camera
from fleet.faults.models import Fault
from fleet.language import say
from fleet.tickets import rules
from fleet.tickets.models import RepairTicket, TicketFault


async def announce(
    session: AsyncSession, ticket: RepairTicket, event: AlertEvent, subject: str, *, now: datetime, settings: Settings
) -> list[Alert]:
    """Write an alert about the ticket, carrying its priority, camera and due times."""
    # The first linked fault lets channels that route by fault kind receive the ticket's alerts too.
    fault = await session.scalar(
        select(Fault).join(TicketFault, TicketFault.fault_id == Fault.id).where(TicketFault.ticket_id == ticket.id)
    )
    camera = await session.get(Camera, ticket.camera_id) if ticket.camera_id is not None else None
    language = settings.alerts.language
    line = say(
        "Ticket #{id} (priority {priority}): {title}",
        language,
        id=ticket.id,
        priority=ticket.priority.value,
        title=ticket.title,
    )
    lines = [subject, line]
    if camera is not None:
        lines.append(f"{camera.name} ({camera.host})")
    lines.append(
        say(
            "Response due {response}; resolution due {resolution}",
            language,
            response=alert_rules.local_time(ticket.response_due_at),
            resolution=alert_rules.local_time(ticket.resolution_due_at),
        )
    )
    item = alerts.Subject(event, rules.SEVERITY_OF[ticket.priority], subject, "\n".join(lines), fault, camera)
    return await alerts.enqueue(session, [item], now=now, settings=settings)
