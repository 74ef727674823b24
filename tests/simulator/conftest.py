"""A small simulated fleet on 127.40.1.x for the simulator tests (each test gets a fresh one)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from simulator.fleet import SimulatedFleet
from simulator.spec import CameraSpec

ONVIF, RTSP, SNMP = 8080, 8554, 1161
USER, PASSWORD = "admin", "Secr3t!pw"
V3 = {"snmp_user": "monitor", "snmp_auth_key": "auth-key-123", "snmp_priv_key": "priv-key-456"}


def _spec(name: str, last: int, **fields: str) -> CameraSpec:
    return CameraSpec(name=name, host=f"127.40.1.{last}", onvif_port=ONVIF, rtsp_port=RTSP, snmp_port=SNMP, **fields)


SPECS = (
    _spec(
        "AX-1",
        1,
        declared_manufacturer="Axis Communications",
        declared_model="AXIS P3245-LVE",
        username=USER,
        password=PASSWORD,
        location="Markt",
    ),
    _spec(
        "HIK-1",
        2,
        declared_manufacturer="Hikvision",
        declared_model="DS-2CD2T47G2-L",
        username=USER,
        password=PASSWORD,
        snmp_version="2c",
        snmp_community="c0mmunity",
    ),
    _spec("DAH-1", 3, declared_manufacturer="Dahua", username=USER, password=PASSWORD, snmp_version="3", **V3),
    _spec("HAN-1", 4, declared_manufacturer="Hanwha Vision", declared_model="QNV-6082R"),
    _spec("GEN-1", 5, declared_manufacturer="Acme Cams"),
)


@pytest_asyncio.fixture
async def fleet() -> AsyncIterator[SimulatedFleet]:
    """Five cameras (Axis, Hikvision, Dahua with credentials; Hanwha, generic without), 320×180 snapshots."""
    async with SimulatedFleet(SPECS, snapshot_size=(320, 180)) as running:
        yield running
