"""What the network says is on it: MAC addresses switches learned and routers resolved, and WS-Discovery answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base, JSONType, UTCDateTime, enum_column


class SightingSource(StrEnum):
    """Which table of a network device a MAC address was read from."""

    FORWARDING = "forwarding"  # a switch's learned entries (BRIDGE-MIB / Q-BRIDGE-MIB): the port it is behind
    NEIGHBOUR = "neighbour"  # a router's ARP / IPv6 neighbour table (IP-MIB, RFC 1213): its IP address


class MacSighting(Base):
    """One MAC address in one table of one network device, with when it was first and last read there.

    A forwarding entry has its port (``if_index``, ``port`` the interface's name, ``vlan``); a neighbour entry its
    ``ip``. The entries of a device's latest successful read are those with ``last_seen_at`` at that read's time.
    """

    __tablename__ = "mac_sightings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    source: Mapped[SightingSource] = mapped_column(enum_column(SightingSource, length=16))
    mac: Mapped[str] = mapped_column(String(17))
    if_index: Mapped[int | None] = mapped_column(Integer)
    port: Mapped[str | None] = mapped_column(String(64))
    vlan: Mapped[int | None] = mapped_column(Integer)
    ip: Mapped[str | None] = mapped_column(String(45))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_mac_sightings_device_last_seen", "device_id", "last_seen_at"),
        Index("ix_mac_sightings_mac", "mac"),
    )


class TableRead(Base):
    """The last attempt to read one network device's tables: when it last succeeded, and what went wrong if not."""

    __tablename__ = "network_table_reads"

    device_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The last read that succeeded (its entries are the device's current ones); None: never.
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    forwarding_entries: Mapped[int] = mapped_column(Integer, default=0)
    neighbour_entries: Mapped[int] = mapped_column(Integer, default=0)
    # Why the last attempt failed (the device's problem, in its words: timeout, garbage, too many entries); None: ok.
    problem: Mapped[str | None] = mapped_column(Text)


class ProbeMatch(Base):
    """A device that answered a WS-Discovery Probe, by its endpoint reference, first and last seen."""

    __tablename__ = "ws_discovery_matches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(255), unique=True)
    # The address the answer came from, and what it says of itself (service addresses, scopes, types).
    address: Mapped[str] = mapped_column(String(45))
    xaddrs: Mapped[list[str]] = mapped_column(JSONType, default=list)
    scopes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
