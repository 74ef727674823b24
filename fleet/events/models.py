"""Event subscriptions held by collectors, the events received, and their counts per camera and topic."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base, UTCDateTime, enum_column


class SubscriptionStatus(StrEnum):
    """Where a camera's event subscription stands."""

    SUBSCRIBED = "subscribed"
    FAILING = "failing"  # re-created with back-off
    UNSUPPORTED = "unsupported"  # the camera offers no PullPoint: it is polled alone


class EventSubscription(Base):
    """One camera's PullPoint subscription, claimed by one collector of its poller group until the lease ends."""

    __tablename__ = "event_subscriptions"

    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[SubscriptionStatus | None] = mapped_column(enum_column(SubscriptionStatus))
    status_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[str | None] = mapped_column(String(300))
    # An unsupported camera is asked again from this moment on (a firmware upgrade may bring events).
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CameraEvent(Base):
    """One event received from a camera (kept for a while; the camera page shows the last ones)."""

    __tablename__ = "camera_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[bool | None] = mapped_column(Boolean)
    # When camfleet received it; the camera's own time is kept beside it (its clock may be off).
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    device_time: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_camera_events_camera_received", "camera_id", "received_at"),)


class EventCount(Base):
    """Every event received, counted per camera and topic; ``dropped`` are those over the camera's rate limit."""

    __tablename__ = "event_counts"

    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(200), primary_key=True)
    received: Mapped[int] = mapped_column(Integer, default=0)
    dropped: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
