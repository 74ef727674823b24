"""Cameras: declared identity, observed identity, place, network, lifecycle, status and risk."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleet.db import Base, JSONType, UTCDateTime, enum_column, utcnow


class DeviceType(StrEnum):
    """What a polled device in the registry is: the checks it gets and the lists it appears in follow from it."""

    CAMERA = "camera"
    RECORDER = "recorder"  # a network video recorder or recording server
    # Network devices the cameras hang on (issue 19): polled like any device, and the uplinks of the topology.
    SWITCH = "switch"
    ROUTER = "router"  # including a 4G router of a flexible camera
    MEDIA_CONVERTER = "media_converter"
    POE_INJECTOR = "poe_injector"
    UPS = "ups"


# The device types a camera or another device may hang on (its uplink).
NETWORK_DEVICE_TYPES = frozenset(
    {DeviceType.SWITCH, DeviceType.ROUTER, DeviceType.MEDIA_CONVERTER, DeviceType.POE_INJECTOR, DeviceType.UPS}
)


class RecordedBy(StrEnum):
    """Where a camera's footage is kept, as declared on import."""

    RECORDER = "recorder"  # a recorder in the registry (Camera.recorder_id)
    EDGE = "edge"  # the camera's own storage (SD card, internal disk)
    NONE = "none"  # not recorded at all (a live-view camera)


class CameraKind(StrEnum):
    FIXED = "fixed"
    FLEXIBLE = "flexible"


class Lifecycle(StrEnum):
    IN_SERVICE = "in_service"
    IN_STORAGE = "in_storage"
    RETIRED = "retired"


class Network(StrEnum):
    """How a device is connected (the import's `network`; aliases and labels in ``fleet.cameras.network_types``)."""

    FIBER = "fiber"
    COPPER = "copper"
    FOUR_G = "4g"  # 4G/LTE mobile data
    RADIO = "radio"  # a point-to-point radio link
    WIFI = "wifi"
    OTHER = "other"


class CameraStatus(StrEnum):
    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"
    UNKNOWN = "unknown"
    MAINTENANCE = "maintenance"


class RiskLevel(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    UNKNOWN = "unknown"


class SnmpVersion(StrEnum):
    V2C = "2c"
    V3 = "3"


class Camera(Base):
    """A polled device of the registry: a camera, or (``device_type``) a recorder that keeps cameras' footage.

    One table for every polled device, so polling, check states, status, faults, tickets and alerts have one path;
    reads that mean cameras (lists, inventory, uptime per camera, decisions) select ``device_type == camera``.
    """

    __tablename__ = "cameras"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    device_type: Mapped[DeviceType] = mapped_column(
        enum_column(DeviceType), default=DeviceType.CAMERA, server_default=DeviceType.CAMERA.value
    )
    kind: Mapped[CameraKind] = mapped_column(enum_column(CameraKind), default=CameraKind.FIXED)
    lifecycle: Mapped[Lifecycle] = mapped_column(enum_column(Lifecycle), default=Lifecycle.IN_SERVICE)
    installed_on: Mapped[date | None] = mapped_column(Date)
    # Out of service from the start of this day (local time): later time is neither downtime nor measured.
    retired_on: Mapped[date | None] = mapped_column(Date)

    # Where it hangs.
    site: Mapped[str | None] = mapped_column(String(200))
    area: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(400))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    # How it is reached.
    host: Mapped[str] = mapped_column(String(255))
    onvif_port: Mapped[int] = mapped_column(Integer, default=80)
    snmp_port: Mapped[int] = mapped_column(Integer, default=161)
    rtsp_port: Mapped[int] = mapped_column(Integer, default=554)
    network: Mapped[Network | None] = mapped_column(enum_column(Network))
    poller_group: Mapped[str] = mapped_column(String(100), default="default")
    # Answer a Basic challenge over plain HTTP/RTSP, which sends the password in clear: only when someone decided so.
    allow_basic: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The ONVIF digital input (its InputToken) wired to the street cabinet's door contact, if any.
    cabinet_door_input: Mapped[str | None] = mapped_column(String(64))

    # Where the footage is kept (cameras only): a recorder of the registry, the camera itself, or nowhere; None: not
    # declared. Retention in days; None: the settings recording.retention_min / retention_max.
    recorded_by: Mapped[RecordedBy | None] = mapped_column(enum_column(RecordedBy))
    # The recorder's id. No foreign key: SQLite cannot add one to an existing table without copying it (which
    # would cascade-delete every row referring to a camera); the registry service keeps it whole instead (a
    # recorder is resolved by name on every write, and one that cameras still name cannot be deleted).
    recorder_id: Mapped[int | None] = mapped_column(Integer)
    retention_min_days: Mapped[int | None] = mapped_column(Integer)
    retention_max_days: Mapped[int | None] = mapped_column(Integer)
    # The network device it hangs on (a tree: network devices have uplinks too), and the port there (an ifIndex or
    # an ifName, as the import gave it). No foreign key, as for recorder_id: the registry service resolves the name,
    # refuses cycles, and refuses to delete a device others still hang on.
    uplink_id: Mapped[int | None] = mapped_column(Integer)
    uplink_port: Mapped[str | None] = mapped_column(String(64))

    # What the municipality declared (purchase records, import).
    declared_manufacturer: Mapped[str | None] = mapped_column(String(200))
    declared_model: Mapped[str | None] = mapped_column(String(200))

    # What the device itself reports (ONVIF, SNMP, MAC).
    observed_manufacturer: Mapped[str | None] = mapped_column(String(200))
    observed_model: Mapped[str | None] = mapped_column(String(200))
    observed_firmware: Mapped[str | None] = mapped_column(String(200))
    observed_serial: Mapped[str | None] = mapped_column(String(200))
    observed_hardware_id: Mapped[str | None] = mapped_column(String(200))
    observed_mac: Mapped[str | None] = mapped_column(String(17))
    observed_snmp_enterprise: Mapped[int | None] = mapped_column(Integer)
    observed_sys_descr: Mapped[str | None] = mapped_column(Text)
    observed_clock_drift_s: Mapped[float | None] = mapped_column(Float)
    # The POSIX TZ string the camera is set to (ONVIF GetSystemDateAndTime): part of its configuration baseline.
    observed_time_zone: Mapped[str | None] = mapped_column(String(64))
    observed_uptime_s: Mapped[float | None] = mapped_column(Float)
    observed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Health as the collectors last saw it.
    status: Mapped[CameraStatus] = mapped_column(enum_column(CameraStatus), default=CameraStatus.UNKNOWN)
    status_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Vendor-origin risk, recomputed whenever the identity signals change.
    risk_level: Mapped[RiskLevel] = mapped_column(enum_column(RiskLevel), default=RiskLevel.UNKNOWN)
    risk_origin_vendor: Mapped[str | None] = mapped_column(String(200))
    risk_origin_country: Mapped[str | None] = mapped_column(String(100))
    risk_confidence: Mapped[float | None] = mapped_column(Float)
    risk_evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    identity_mismatch: Mapped[bool] = mapped_column(default=False)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    credentials: Mapped[CameraCredentials | None] = relationship(
        back_populates="camera", cascade="all, delete-orphan", uselist=False, lazy="raise"
    )
    recorder: Mapped[Camera | None] = relationship(
        primaryjoin="foreign(Camera.recorder_id) == remote(Camera.id)", lazy="raise", viewonly=True
    )
    uplink: Mapped[Camera | None] = relationship(
        primaryjoin="foreign(Camera.uplink_id) == remote(Camera.id)", lazy="raise", viewonly=True
    )

    # Each list filter with the name after it: a filtered list is read in name order (and after a cursor) straight
    # from its index, instead of every match being sorted first. Every list filters by device type: with the name
    # after it, the unfiltered list, its count and the pages skipped by number are read from that index alone.
    # The list by last seen (newest first, never seen last) has an index in that order: spelled (and named) per
    # engine, as SQLite's descending order puts nulls last by itself and refuses to be told so.
    # On PostgreSQL with pg_trgm, the search (a substring of name, location or host) has trigram indexes of its
    # own (made by the migration when the server offers the extension; see docs/deployment.md).
    __table_args__ = (
        Index("ix_cameras_device_type_name", "device_type", "name"),
        Index("ix_cameras_device_type_last_seen", "device_type", last_seen_at.desc(), "name").ddl_if(dialect="sqlite"),
        Index(
            "ix_cameras_device_type_last_seen_nulls_last", "device_type", last_seen_at.desc().nulls_last(), "name"
        ).ddl_if(dialect="postgresql"),
        Index("ix_cameras_recorder_id", "recorder_id"),
        Index("ix_cameras_uplink_id", "uplink_id"),
        Index("ix_cameras_status_name", "status", "name"),
        Index("ix_cameras_area_name", "area", "name"),
        Index("ix_cameras_site_name", "site", "name"),
        Index("ix_cameras_poller_group_name", "poller_group", "name"),
        Index("ix_cameras_risk_level_name", "risk_level", "name"),
    )


class CameraCredentials(Base):
    """Device credentials, encrypted at rest; only the SNMP version and presence flags are plain."""

    __tablename__ = "camera_credentials"

    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True)
    has_onvif: Mapped[bool] = mapped_column(default=False)
    snmp_version: Mapped[SnmpVersion | None] = mapped_column(enum_column(SnmpVersion, length=4))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    # The ONVIF password's keyed hash (fleet/crypto.py), to find cameras sharing one without decrypting them.
    password_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # When the ONVIF user name or password last changed (import, API, rotation): the credential's age.
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A rotation's new password, encrypted, from just before it is sent to the camera until it is stored or the old
    # one is proven back: whoever takes over a crashed run can then check which of the two the camera takes.
    pending_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    camera: Mapped[Camera] = relationship(back_populates="credentials")


class NetworkChange(Base):
    """A device's network type from ``changed_at`` on (None: not declared), as set on creation, import or change:
    the history the fibre roll-out and availability by network type read."""

    __tablename__ = "network_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    network: Mapped[Network | None] = mapped_column(enum_column(Network))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_network_changes_camera_changed", "camera_id", "changed_at"),)
