"""Daily roll-ups of status intervals per camera and local (Europe/Amsterdam) day, and how far they are done.

A roll-up row is a cache, never a source: it is a function of the camera's status intervals, its service span
(installed_on, retired_on) and the maintenance windows covering it, and is invalidated when any of them changes.
Times are whole microseconds, so roll-ups add up to exactly what the raw intervals give.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base


class StatusDaily(Base):
    """One camera's local day: time per use, and the outages that begin in it or run over its ends.

    A day without a row (within the rolled-up days) had nothing recorded: all unknown.
    """

    __tablename__ = "status_daily"

    # Day first: reports read a range of days for every camera.
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True)
    up_us: Mapped[int] = mapped_column(BigInteger)  # up or degraded
    degraded_us: Mapped[int] = mapped_column(BigInteger)
    down_us: Mapped[int] = mapped_column(BigInteger)
    maintenance_us: Mapped[int] = mapped_column(BigInteger)
    unknown_us: Mapped[int] = mapped_column(BigInteger)
    # Outages beginning this day, and the longest piece of them inside the day.
    outages: Mapped[int] = mapped_column(Integer)
    longest_us: Mapped[int] = mapped_column(BigInteger)
    # The outage running at midnight when the day began: where it began (µs since the epoch) and where its piece
    # in this day ends.
    head_start_us: Mapped[int | None] = mapped_column(BigInteger)
    head_end_us: Mapped[int | None] = mapped_column(BigInteger)
    # The outage still running when the day ended: where it began.
    tail_start_us: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = {"sqlite_with_rowid": False}


class StatusRollup(Base):
    """How far a camera's days are rolled up, and a version that every invalidation bumps.

    The roll-up job writes a camera's days only if the version is still the one it read, so a status change or a
    maintenance window committed while it computed is never overwritten by figures from before it.
    """

    __tablename__ = "status_rollups"

    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True)
    # Every day up to and including this one is rolled up; None: none yet.
    through: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
