"""Notification channels and the alert outbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base, JSONType, UTCDateTime, enum_column, utcnow
from fleet.faults.models import Severity


class NotificationChannel(Base):
    """Where alerts go: an Apprise URL (stored encrypted: it often holds a password or token) and its routing."""

    __tablename__ = "notification_channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    service: Mapped[str] = mapped_column(String(50))  # the URL's scheme, shown instead of the URL
    areas: Mapped[list[str]] = mapped_column(JSONType, default=list)
    sites: Mapped[list[str]] = mapped_column(JSONType, default=list)
    min_severity: Mapped[Severity] = mapped_column(enum_column(Severity), default=Severity.WARNING)
    fault_kinds: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Local times (Europe/Amsterdam) "HH:MM"; inside, alerts below critical wait until the quiet hours end.
    quiet_from: Mapped[str | None] = mapped_column(String(5))
    quiet_until: Mapped[str | None] = mapped_column(String(5))
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AlertEvent(StrEnum):
    FAULT_OPENED = "fault_opened"
    FAULT_ESCALATED = "fault_escalated"
    FAULT_CLOSED = "fault_closed"
    FLAPPING_STARTED = "flapping_started"
    FLAPPING_ENDED = "flapping_ended"
    TICKET_ASSIGNED = "ticket_assigned"
    SLA_BREACHED = "sla_breached"
    DEPLOYMENT_ENDING = "deployment_ending"
    DEPLOYMENT_NO_CAMERA = "deployment_no_camera"
    TEST = "test"


class AlertStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Alert(Base):
    """One alert for one channel, written in the same transaction as the change it reports."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stable id carried in every message, so a receiver recognises a redelivery.
    key: Mapped[str] = mapped_column(String(36), unique=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("notification_channels.id", ondelete="CASCADE"))
    event: Mapped[AlertEvent] = mapped_column(enum_column(AlertEvent))
    fault_id: Mapped[int | None] = mapped_column(ForeignKey("faults.id", ondelete="SET NULL"))
    camera_id: Mapped[int | None] = mapped_column(ForeignKey("cameras.id", ondelete="SET NULL"))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[AlertStatus] = mapped_column(enum_column(AlertStatus), default=AlertStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Alerts sent together share a batch; a retry resends the same batch under the same message id.
    batch_key: Mapped[str | None] = mapped_column(String(36))
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_alerts_due", "status", "next_attempt_at"),
        Index("ix_alerts_fault", "fault_id"),
        Index("ix_alerts_batch", "batch_key"),
    )
