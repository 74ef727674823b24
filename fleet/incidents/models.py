"""The observers' register: incident categories (an editable list), the incidents observers enter one by one, and
the yearly lines of the table they have kept themselves until now (imported as they are)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base, UTCDateTime, utcnow

# What followed an incident, as the observers count it; the columns of an incident, in the order the report says them.
OUTCOMES = ("checks", "warnings", "fines", "arrests", "ambulance")


class IncidentCategory(Base):
    """A kind of incident the observers count ("Wildplassen"); retired ones stay for the years that used them."""

    __tablename__ = "incident_categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class Incident(Base):
    """One incident seen on camera, and what followed it."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    category_id: Mapped[int] = mapped_column(ForeignKey("incident_categories.id", ondelete="RESTRICT"))
    area: Mapped[str] = mapped_column(String(200))
    camera_id: Mapped[int | None] = mapped_column(ForeignKey("cameras.id", ondelete="SET NULL"), index=True)
    checks: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    fines: Mapped[int] = mapped_column(Integer, default=0)
    arrests: Mapped[int] = mapped_column(Integer, default=0)
    ambulance: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_incidents_occurred_on", "occurred_on"),)


class IncidentTally(Base):
    """A line of the observers' own annual table for one category and year, kept as written: the count (none where
    the table leaves it empty), what followed ("33 aanhoudingen, 169 pv's") and the remark."""

    __tablename__ = "incident_tallies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    category_id: Mapped[int] = mapped_column(ForeignKey("incident_categories.id", ondelete="RESTRICT"))
    count: Mapped[int | None] = mapped_column(Integer)
    followed: Mapped[str] = mapped_column(Text, default="")
    remark: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("year", "category_id"),)
