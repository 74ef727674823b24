"""Mayoral decisions under art. 151c Gemeentewet: camera areas and the flexible cameras deployed in them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base, JSONType, UTCDateTime, enum_column, utcnow


class DecisionKind(StrEnum):
    DESIGNATION = "designation"
    DEPLOYMENT = "deployment"
    EXTENSION = "extension"
    WITHDRAWAL = "withdrawal"
    REPLACEMENT = "replacement"


class Decision(Base):
    """One decision. A later decision supersedes an earlier one; the earlier one is kept as history."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[DecisionKind] = mapped_column(enum_column(DecisionKind))
    decision_date: Mapped[date] = mapped_column(Date)
    # One or more numbers of the municipal registration system, separated by ";".
    registration: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    # Null for a withdrawal and for a decision without an end date.
    ends_on: Mapped[date | None] = mapped_column(Date)
    # Single days (ISO dates) when the decision covers separate match days rather than a continuous period.
    days: Mapped[list[str]] = mapped_column(JSONType, default=list)
    reason: Mapped[str] = mapped_column(Text)
    flexible_count: Mapped[int] = mapped_column(Integer, default=0)
    fixed_count: Mapped[int] = mapped_column(Integer, default=0)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id", ondelete="RESTRICT"), index=True)
    warnings: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # The source text as printed, kept beside the normalised values so nothing is changed unseen.
    source_row: Mapped[int | None] = mapped_column(Integer)
    decision_date_raw: Mapped[str | None] = mapped_column(Text)
    cameras_raw: Mapped[str | None] = mapped_column(Text)
    period_raw: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the coordinator was reminded that the period ends, and when its start was checked for a camera online.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    start_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_decisions_period", "starts_on", "ends_on"),)


class DecisionCamera(Base):
    """A camera a decision covers."""

    __tablename__ = "decision_cameras"

    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True, index=True)
