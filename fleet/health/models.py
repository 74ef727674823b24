"""Health records: per-(camera, check) state, raw check results, and status intervals (the source of uptime)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from config.checks import CheckKind
from fleet.cameras.models import CameraStatus
from fleet.db import Base, JSONType, UTCDateTime, enum_column


class ErrorClass(StrEnum):
    """Why a check failed, in the collectors' small error tree."""

    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    AUTH_FAILED = "auth_failed"
    BAD_RESPONSE = "bad_response"
    UNSUPPORTED = "unsupported"
    NOT_ALLOWED = "not_allowed"  # the host is outside cameras.allowed_networks: not contacted
    INTERNAL = "internal"  # a defect in camfleet, logged with its traceback


class CheckState(Base):
    """Where one check of one camera stands: when it is due, and its soft/hard state."""

    __tablename__ = "check_states"

    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[CheckKind] = mapped_column(enum_column(CheckKind), primary_key=True)
    next_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A claim by one collector until the lease expires (several collectors share a poller group).
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_ok: Mapped[bool | None] = mapped_column()
    last_error_class: Mapped[ErrorClass | None] = mapped_column(enum_column(ErrorClass))
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Soft/hard state: hard_ok is None until the check has settled for the first time.
    hard_ok: Mapped[bool | None] = mapped_column()
    hard_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    streak: Mapped[int] = mapped_column(Integer, default=0)
    streak_ok: Mapped[bool | None] = mapped_column()
    streak_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Failures in a row whatever the hard state: drives back-off for unreachable cameras.
    failures_in_a_row: Mapped[int] = mapped_column(Integer, default=0)
    # The last results, oldest first ('1' ok, '0' failed), for flapping detection.
    flap_history: Mapped[str] = mapped_column(String(32), default="")
    flapping: Mapped[bool] = mapped_column(default=False)
    # Runs still to come at once, not an interval later: an event said something is wrong (fleet/events), and
    # the check confirms or refutes it with enough results in a row to open or close its fault.
    hurry_runs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (Index("ix_check_states_due", "next_due_at"),)


class CheckResult(Base):
    """A raw result, kept for diagnosis for the retention period, then pruned."""

    __tablename__ = "check_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    kind: Mapped[CheckKind] = mapped_column(enum_column(CheckKind))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column()
    duration_ms: Mapped[float] = mapped_column(Float)
    error_class: Mapped[ErrorClass | None] = mapped_column(enum_column(ErrorClass))
    error: Mapped[str | None] = mapped_column(Text)
    values: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    __table_args__ = (
        Index("ix_check_results_camera_at", "camera_id", "at"),
        Index("ix_check_results_at", "at"),
    )


class StatusInterval(Base):
    """A camera had this status from ``started_at`` until ``ended_at`` (open while current)."""

    __tablename__ = "status_intervals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    status: Mapped[CameraStatus] = mapped_column(enum_column(CameraStatus))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_status_intervals_camera_started", "camera_id", "started_at"),
        # At most one open interval per camera, on both engines.
        Index(
            "uq_status_intervals_open",
            "camera_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )


class CollectorHeartbeat(Base):
    """A collector process saying it is alive, every third of a lease, and which poller group it polls."""

    __tablename__ = "collector_heartbeats"

    # host:pid:group, as the collector names itself for its claims.
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    # None: a collector of every poller group (`camfleet serve` with its scheduler, `camfleet collector` alone).
    poller_group: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_collector_heartbeats_group_seen", "poller_group", "last_seen_at"),)


class EndpointAuth(Base):
    """What a camera's login endpoint (RTSP DESCRIBE, the snapshot) last offered when it asked for a login.

    Remembered so that a camera that offered Digest and now offers only Basic, which would put the password on the
    wire in clear, is noticed (fault ``auth_downgrade``) rather than quietly accepted.
    """

    __tablename__ = "endpoint_auth"

    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(16), primary_key=True)
    uri: Mapped[str | None] = mapped_column(String(500))
    # The schemes the last challenge named ("digest basic"), and the challenge header values as seen.
    offered: Mapped[str] = mapped_column(String(100), default="")
    challenges: Mapped[list[str]] = mapped_column(JSONType, default=list)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    digest_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
