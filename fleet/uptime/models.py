"""Daily roll-ups of status intervals per camera and local (Europe/Amsterdam) day, and how far they are done.

A roll-up row is a cache, never a source: it is a function of the camera's status intervals, its service span
(installed_on, retired_on) and the maintenance windows covering it, and is invalidated when any of them changes.
Times are whole microseconds, so roll-ups add up to exactly what the raw intervals give.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, PrimaryKeyConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base


class _Sums:
    """What a roll-up row holds for its stretch of time (``fleet.uptime.calc.Stretch``)."""

    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    up_us: Mapped[int] = mapped_column(BigInteger)  # up or degraded
    degraded_us: Mapped[int] = mapped_column(BigInteger)
    down_us: Mapped[int] = mapped_column(BigInteger)
    maintenance_us: Mapped[int] = mapped_column(BigInteger)
    unknown_us: Mapped[int] = mapped_column(BigInteger)
    # Outages beginning in the stretch, and the longest piece of them inside it.
    outages: Mapped[int] = mapped_column(Integer)
    longest_us: Mapped[int] = mapped_column(BigInteger)
    # The outage running when the stretch began: where it began (µs since the epoch) and where its piece in the
    # stretch ends.
    head_start_us: Mapped[int | None] = mapped_column(BigInteger)
    head_end_us: Mapped[int | None] = mapped_column(BigInteger)
    # The outage still running when the stretch ended: where it began.
    tail_start_us: Mapped[int | None] = mapped_column(BigInteger)


class StatusDaily(_Sums, Base):
    """One camera's local day. A day without a row (within the rolled-up days) had nothing recorded."""

    __tablename__ = "status_daily"

    day: Mapped[date] = mapped_column(Date)

    # Day first: reports read a range of days for every camera.
    __table_args__ = (PrimaryKeyConstraint("day", "camera_id"), {"sqlite_with_rowid": False})


class StatusMonthly(_Sums, Base):
    """One camera's local calendar month (``month``: its first day), rolled up once all its days are.

    A year of a large fleet is then twelve rows per camera instead of 365.
    """

    __tablename__ = "status_monthly"

    month: Mapped[date] = mapped_column(Date)

    __table_args__ = (PrimaryKeyConstraint("month", "camera_id"), {"sqlite_with_rowid": False})


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
