"""Planned maintenance: polling goes on, but alerts and automatic tickets wait, and the time is not downtime."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base, JSONType, UTCDateTime, utcnow
from fleet.maintenance.rules import Scope


class MaintenanceWindow(Base):
    __tablename__ = "maintenance_windows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # An iCalendar RRULE (e.g. FREQ=WEEKLY;BYDAY=TU;UNTIL=20271231T000000Z), repeating the first occurrence in
    # local time, so a 06:00 window stays at 06:00 across daylight saving time.
    recurrence: Mapped[str | None] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text)
    # Scope: everything empty means the whole fleet.
    camera_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    areas: Mapped[list[str]] = mapped_column(JSONType, default=list)
    sites: Mapped[list[str]] = mapped_column(JSONType, default=list)
    poller_groups: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Up to when the window (with all its occurrences) can matter; null for an endless recurrence.
    last_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_maintenance_windows_span", "starts_at", "last_ends_at"),)

    @property
    def scope(self) -> Scope:
        """The cameras the window covers."""
        return Scope(
            camera_ids=frozenset(self.camera_ids or ()),
            areas=frozenset(self.areas or ()),
            sites=frozenset(self.sites or ()),
            poller_groups=frozenset(self.poller_groups or ()),
        )
