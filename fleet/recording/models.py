"""Legal holds (footage of a camera kept for an investigation, exempt from the maximum retention until released),
and each camera's footage coverage over time (the spans recording checks saw, with footage or without)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base, UTCDateTime, utcnow


class LegalHold(Base):
    """Footage of one camera from ``starts_at`` to ``ends_at`` held for a case, until someone releases it."""

    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The police or court reference the footage is kept for, and why (both shown in the audit log).
    case_ref: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(String(200))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_by: Mapped[str | None] = mapped_column(String(200))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_legal_holds_camera_released", "camera_id", "released_at"),)


class FootageSpan(Base):
    """A span of a camera's time that recording checks saw, with footage or without (``fleet.recording.coverage``).

    A camera's spans never overlap; time between them no check saw. Kept for ``retention.footage_history``.
    """

    __tablename__ = "footage_spans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    footage: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (Index("ix_footage_spans_camera_ends", "camera_id", "ends_at"),)
