"""Repair tickets, the faults they cover, and their append-only history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base, JSONType, UTCDateTime, enum_column, utcnow


class TicketStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    WAITING_PARTS = "waiting_parts"
    WAITING_VENDOR = "waiting_vendor"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(StrEnum):
    """p1 is the most urgent (a camera dark), p4 the least."""

    P1 = "p1"
    P2 = "p2"
    P3 = "p3"
    P4 = "p4"


class TicketEventKind(StrEnum):
    CREATED = "created"
    STATUS = "status"
    ASSIGNED = "assigned"
    PRIORITY = "priority"
    COMMENT = "comment"
    PART = "part"
    COST = "cost"
    REOPENED = "reopened"
    LINKED = "linked"
    SLA_BREACHED = "sla_breached"
    # The ticket's fault turned out to be the cause of other devices' faults (a dead switch): it names them.
    EXPLAINS = "explains"


class SlaTarget(StrEnum):
    RESPONSE = "response"
    RESOLUTION = "resolution"


class RepairTicket(Base):
    __tablename__ = "repair_tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Null for a ticket about a group fault (a dead switch), which has no single camera.
    camera_id: Mapped[int | None] = mapped_column(ForeignKey("cameras.id", ondelete="SET NULL"))
    status: Mapped[TicketStatus] = mapped_column(enum_column(TicketStatus), default=TicketStatus.NEW)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority, length=2))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # When the SLA clock started: creation, or the last reopening.
    sla_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The first move out of ``new`` (an assignment counts): what the response target measures.
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When an SLA_BREACHED alert went out for each target: at most one per target until a reopening.
    response_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Parts and work in euro cents; the sum of the ``part`` and ``cost`` events.
    cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (
        Index("ix_repair_tickets_status", "status"),
        Index("ix_repair_tickets_camera", "camera_id"),
    )


class TicketFault(Base):
    """A fault covered by a ticket; a fault belongs to at most one ticket."""

    __tablename__ = "ticket_faults"

    fault_id: Mapped[int] = mapped_column(ForeignKey("faults.id", ondelete="CASCADE"), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("repair_tickets.id", ondelete="CASCADE"), index=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TicketEvent(Base):
    """One entry of a ticket's history; the database refuses to change or delete it."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("repair_tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[TicketEventKind] = mapped_column(enum_column(TicketEventKind))
    from_value: Mapped[str | None] = mapped_column(String(100))
    to_value: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
