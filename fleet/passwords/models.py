"""Password rotation runs: what was asked, how far it got, each camera's outcome (the steps are in the audit log)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base, JSONType, UTCDateTime, enum_column, utcnow


class RotationStatus(StrEnum):
    PENDING = "pending"  # asked for (API, page): a collector process runs it
    RUNNING = "running"
    DONE = "done"
    STOPPED = "stopped"  # a lock-out, a failed first camera or a restore that failed ended it early
    ABANDONED = "abandoned"  # its process died (the lease ran out): taken over, cameras in flight checked, ended


class CameraOutcome(StrEnum):
    ROTATED = "rotated"  # new password set, proven, old one proven refused, stored
    KEPT_OLD = "kept_old"  # something failed; the old password was put back and proven
    SKIPPED = "skipped"  # not changed: no ONVIF login stored, or the stored one did not work to begin with
    NOT_ATTEMPTED = "not_attempted"  # the run stopped before its turn
    LOCKED_OUT = "locked_out"  # the camera answered with a lock-out: the run stopped
    NEEDS_ATTENTION = "needs_attention"  # the old password could not be put back; see the audit log


class PasswordRotation(Base):
    __tablename__ = "password_rotations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[RotationStatus] = mapped_column(enum_column(RotationStatus), default=RotationStatus.PENDING)
    batch_size: Mapped[int] = mapped_column(Integer)
    camera_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    # Camera id (as text) -> CameraOutcome value.
    outcomes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    stop_reason: Mapped[str | None] = mapped_column(Text)
    # Who carries the run out (a collector's name, or the CLI's host and process) and until when its claim holds
    # unless renewed.
    owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_password_rotations_status", "status"),)
