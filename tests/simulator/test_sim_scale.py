"""Smoke test at scale: 200 cameras in one process, each on its own address, each answering."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from simulator.fleet import SimulatedFleet
from simulator.spec import CameraSpec

CLOCK = (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
    '<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>'
)
VENDORS = ("Axis", "Bosch", "Hanwha Vision", "MOBOTIX", "Hikvision", "Dahua", "Uniview", "Pelco", "Vivotek")


async def test_two_hundred_cameras_start_and_answer() -> None:
    specs = [
        CameraSpec(
            name=f"S-{i:03d}",
            host=f"127.40.{100 + i // 100}.{i % 100 + 1}",
            onvif_port=8080,
            rtsp_port=8554,
            snmp_port=1161,
            declared_manufacturer=VENDORS[i % len(VENDORS)],
        )
        for i in range(200)
    ]
    started = time.perf_counter()
    async with SimulatedFleet(specs, snapshot_size=(160, 90)) as fleet:
        assert time.perf_counter() - started < 10
        async with aiohttp.ClientSession() as http:

            async def clock(spec: CameraSpec) -> int:
                url = f"http://{spec.host}:8080/onvif/device_service"
                async with http.post(url, data=CLOCK) as response:
                    await response.read()
                    return response.status

            assert await asyncio.gather(*(clock(spec) for spec in specs)) == [200] * 200
        assert all(sum(camera.device.counters.onvif.values()) == 1 for camera in fleet.cameras.values())
