"""Network device ports and UPS batteries for the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from fleet.cameras.schemas import NetworkDeviceOut
from fleet.network.models import NetworkPort, UpsBattery


class NetworkPortOut(BaseModel):
    """One port's latest state, and the registered devices whose `uplink_port` names it."""

    if_index: int
    name: str | None
    descr: str | None
    alias: str | None
    admin_up: bool | None
    oper_up: bool | None
    speed_mbps: int | None
    in_errors: int | None
    out_errors: int | None
    # Growth of the error counters since the read before (null after a wrap, a reset, or at the first read).
    in_errors_delta: int | None
    out_errors_delta: int | None
    poe_enabled: bool | None
    poe_status: str | None
    changed_at: datetime | None
    seen_at: datetime
    devices: list[str]

    @classmethod
    def of(cls, port: NetworkPort, devices: list[str]) -> NetworkPortOut:
        """The API shape of a port."""
        fields = {name: getattr(port, name) for name in cls.model_fields if name != "devices"}
        return cls(**fields, devices=devices)


class UpsBatteryOut(BaseModel):
    on_battery: bool | None
    battery_status: str | None
    minutes_remaining: int | None
    charge_percent: int | None
    seconds_on_battery: int | None
    seen_at: datetime

    @classmethod
    def of(cls, battery: UpsBattery) -> UpsBatteryOut:
        """The API shape of a battery."""
        return cls(**{name: getattr(battery, name) for name in cls.model_fields})


class NetworkDeviceDetail(NetworkDeviceOut):
    """One network device with its ports as last read and, for a UPS, its battery."""

    ports: list[NetworkPortOut]
    ups: UpsBatteryOut | None
