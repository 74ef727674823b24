"""Each network device port's latest state, and a UPS's battery, as the device's SNMP check last read them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fleet.db import Base, UTCDateTime


class NetworkPort(Base):
    """One interface of a network device (IF-MIB ifTable/ifXTable, POWER-ETHERNET-MIB), as last read."""

    __tablename__ = "network_ports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"))
    if_index: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(255))
    descr: Mapped[str | None] = mapped_column(String(255))
    alias: Mapped[str | None] = mapped_column(String(255))
    admin_up: Mapped[bool | None] = mapped_column(Boolean)
    oper_up: Mapped[bool | None] = mapped_column(Boolean)
    speed_mbps: Mapped[int | None] = mapped_column(BigInteger)
    # The counters as read, and how much they grew since the read before (null after a wrap, reset or first read).
    in_errors: Mapped[int | None] = mapped_column(BigInteger)
    out_errors: Mapped[int | None] = mapped_column(BigInteger)
    in_errors_delta: Mapped[int | None] = mapped_column(BigInteger)
    out_errors_delta: Mapped[int | None] = mapped_column(BigInteger)
    poe_enabled: Mapped[bool | None] = mapped_column(Boolean)
    poe_status: Mapped[str | None] = mapped_column(String(16))
    # Once seen delivering power, PoE off here means a device lost its power (not a port that never had PoE use).
    poe_seen_delivering: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the link last went up or down (as seen by polling), and when the port was last read.
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("device_id", "if_index"),)


class UpsBattery(Base):
    """A UPS's battery as its UPS-MIB last said."""

    __tablename__ = "ups_batteries"

    device_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True)
    on_battery: Mapped[bool | None] = mapped_column(Boolean)
    battery_status: Mapped[str | None] = mapped_column(String(16))
    minutes_remaining: Mapped[int | None] = mapped_column(Integer)
    charge_percent: Mapped[int | None] = mapped_column(Integer)
    seconds_on_battery: Mapped[int | None] = mapped_column(Integer)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
