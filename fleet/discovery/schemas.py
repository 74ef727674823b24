"""The reconciliation report's shape (API out, and what the page and the spreadsheet show)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from fleet.cameras.models import DeviceType, RiskLevel


class FoundDevice(BaseModel):
    """On the network, not in the registry: where it was learned, its address, its maker by OUI and origin risk."""

    mac: str | None
    ip: str | None
    switch: str | None
    port: str | None
    seen_by: list[str]
    xaddrs: list[str]
    oui_vendor: str | None
    origin_vendor: str | None
    origin_country: str | None
    risk_level: RiskLevel
    first_seen_at: datetime | None


class MissingDevice(BaseModel):
    """In the registry, behind a network device that was read, and nowhere on the network."""

    id: int
    name: str
    device_type: DeviceType
    host: str
    mac: str | None
    uplink_device: str
    uplink_port: str | None
    last_seen_at: datetime | None


class MovedDevice(BaseModel):
    """Learned at another port than the registry says."""

    id: int
    name: str
    device_type: DeviceType
    mac: str
    uplink_device: str
    uplink_port: str | None
    found_device: str
    found_port: str | None


class SwappedDevice(BaseModel):
    """At its registered port another MAC address is learned, and its own is nowhere: the device was changed."""

    id: int
    name: str
    device_type: DeviceType
    uplink_device: str
    uplink_port: str | None
    expected_mac: str | None
    found_mac: str
    found_oui_vendor: str | None
    found_risk_level: RiskLevel


class TableReadOut(BaseModel):
    """A network device whose tables camfleet reads: when they were last read, and the problem of the last try."""

    device: str
    attempted_at: datetime
    read_at: datetime | None
    forwarding_entries: int
    neighbour_entries: int
    problem: str | None


class Reconciliation(BaseModel):
    """The registry against the network (issue 19; BIO 5.09.01: connected devices not under the municipality's
    control, checked periodically for completeness)."""

    generated_at: datetime
    reads: list[TableReadOut]
    answers: int
    unregistered: list[FoundDevice]
    missing: list[MissingDevice]
    moved: list[MovedDevice]
    swapped: list[SwappedDevice]
