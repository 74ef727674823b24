"""Faults: something really wrong with a camera (or a whole group of them), open until it recovers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base, JSONType, UTCDateTime, enum_column


class FaultKind(StrEnum):
    OFFLINE = "offline"
    ONVIF_AUTH_FAILED = "onvif_auth_failed"
    ONVIF_ERROR = "onvif_error"
    SNMP_UNREACHABLE = "snmp_unreachable"
    CLOCK_DRIFT = "clock_drift"
    REBOOTED = "rebooted"
    REBOOT_LOOP = "reboot_loop"
    FIRMWARE_CHANGED = "firmware_changed"
    IDENTITY_CHANGED = "identity_changed"
    TEMPERATURE_HIGH = "temperature_high"
    STORAGE_FAILURE = "storage_failure"
    GROUP_OUTAGE = "group_outage"
    # No collector of a poller group alive for two leases: nobody is checking its cameras (one fault per group).
    COLLECTOR_SILENT = "collector_silent"
    # A flexible camera seen online outside every valid deployment decision it is linked to, or with none at all.
    DEPLOYMENT_EXPIRED = "deployment_expired"
    DEPLOYMENT_MISSING = "deployment_missing"
    # The stream and the picture: the camera answers every protocol but the footage is unusable.
    STREAM_UNAVAILABLE = "stream_unavailable"
    STREAM_MISMATCH = "stream_mismatch"  # the SDP's codec or size differs from the ONVIF profile
    IMAGE_UNAVAILABLE = "image_unavailable"  # no snapshot could be fetched or decoded
    IMAGE_BLACK = "image_black"
    IMAGE_COVERED = "image_covered"
    IMAGE_BLURRED = "image_blurred"
    IMAGE_FROZEN = "image_frozen"
    IMAGE_MOVED = "image_moved"
    # A login endpoint that offered Digest now offers only Basic (the password in clear): a swapped device, a
    # reset to factory settings, or someone in between.
    AUTH_DOWNGRADE = "auth_downgrade"
    # Pushed by the camera (ONVIF events): a storage, fan or temperature alarm; the cabinet door opened.
    HARDWARE_ALARM = "hardware_alarm"
    CABINET_OPEN = "cabinet_open"
    # Cyber hygiene (the security check): a TLS certificate ending soon or ended, and a configuration that left
    # its baseline (encoders, NTP, time zone, network protocols).
    CERTIFICATE_EXPIRING = "certificate_expiring"
    CERTIFICATE_EXPIRED = "certificate_expired"
    CONFIG_DRIFT = "config_drift"
    # The camera's vendor, product and firmware match an entry of CISA's Known Exploited Vulnerabilities catalogue.
    VULNERABILITY_EXPLOITED = "vulnerability_exploited"
    # Is there footage? On the device that records (a recorder, or an edge-recording camera), naming the cameras.
    RECORDING_STOPPED = "recording_stopped"  # no active recording job, or the latest footage too old
    RECORDING_GAP = "recording_gap"  # a gap in the last day longer than recording.gap_threshold
    RETENTION_SHORT = "retention_short"  # earliest footage newer than the minimum: it will be missing when asked for
    RETENTION_EXCEEDED = "retention_exceeded"  # earliest footage older than the maximum: kept unlawfully long
    STORAGE_FAILED = "storage_failed"  # a recorder disk failed, degraded or full
    # On a network device, per port with a registered device behind it (the fault's `port`), and on a UPS.
    PORT_DOWN = "port_down"  # the port's link is down: the device behind it is cut off
    POE_OFF = "poe_off"  # the port delivers no power: the camera behind it is dark
    UPS_ON_BATTERY = "ups_on_battery"  # mains power is gone; the cabinet runs on its battery
    UPS_BATTERY_LOW = "ups_battery_low"  # the battery is low or nearly empty: the cabinet goes dark soon


class Severity(StrEnum):
    """Lowest first; routing takes a minimum severity."""

    INFO = "info"
    WARNING = "warning"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Position from info (0) to critical (4)."""
        return list(Severity).index(self)


class Fault(Base):
    __tablename__ = "faults"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Null for a group fault, which names its cameras in ``details``.
    camera_id: Mapped[int | None] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    scope: Mapped[str | None] = mapped_column(String(200))
    # A port of the network device `camera_id` (written as the registry's `uplink_port` of the device behind it);
    # null for a fault of the whole device.
    port: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[FaultKind] = mapped_column(enum_column(FaultKind))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity))
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_s: Mapped[float | None] = mapped_column(Float)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    # A camera fault explained by a group fault (a dead switch): no alert or ticket of its own.
    suppressed_by_id: Mapped[int | None] = mapped_column(ForeignKey("faults.id", ondelete="SET NULL"))
    # When its alerts were written (null while held back, e.g. by maintenance) and when it was escalated.
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # One open fault per (camera, kind, port), and per (group scope, kind), on both engines.
        Index(
            "uq_faults_open_camera_kind",
            "camera_id",
            "kind",
            func.coalesce(text("port"), ""),
            unique=True,
            sqlite_where=text("closed_at IS NULL AND camera_id IS NOT NULL"),
            postgresql_where=text("closed_at IS NULL AND camera_id IS NOT NULL"),
        ),
        Index(
            "uq_faults_open_scope_kind",
            "scope",
            "kind",
            unique=True,
            sqlite_where=text("closed_at IS NULL AND scope IS NOT NULL"),
            postgresql_where=text("closed_at IS NULL AND scope IS NOT NULL"),
        ),
        Index("ix_faults_opened_at", "opened_at"),
        Index("ix_faults_camera_opened", "camera_id", "opened_at"),
    )


class ConditionState(Base):
    """Soft/hard state of a reported value (clock drift, temperature, storage), counted like a check."""

    __tablename__ = "condition_states"

    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True)
    condition: Mapped[FaultKind] = mapped_column(enum_column(FaultKind), primary_key=True)
    # The network device's port the condition is about ("" for the whole device).
    port: Mapped[str] = mapped_column(String(64), primary_key=True, default="", server_default="")
    hard_ok: Mapped[bool | None] = mapped_column()
    hard_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    streak: Mapped[int] = mapped_column(Integer, default=0)
    streak_ok: Mapped[bool | None] = mapped_column()
    streak_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
