"""`python -m simulator.bench [N]`: start N cameras in this process, poll each once, print time and memory."""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import sys
import time
from typing import Any

import aiohttp
from pyasn1.codec.ber import encoder
from pysnmp.proto.api import v2c

from simulator.fleet import SimulatedFleet
from simulator.spec import CameraSpec

_VENDORS = ("Axis", "Bosch", "Hanwha Vision", "MOBOTIX", "Hikvision", "Dahua", "Uniview", "Pelco", "Vivotek")
_CLOCK = (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
    '<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>'
)


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_specs(count: int) -> list[CameraSpec]:
    """`count` cameras of mixed vendors on 127.40.10.1 upwards (a range no test uses)."""
    return [
        CameraSpec(
            name=f"BENCH-{i:05d}",
            host=f"127.40.{10 + i // 250}.{i % 250 + 1}",
            onvif_port=8080,
            rtsp_port=8554,
            snmp_port=1161,
            declared_manufacturer=_VENDORS[i % len(_VENDORS)],
            username="admin" if i % 2 else "",
            password="bench" if i % 2 else "",
        )
        for i in range(count)
    ]


async def measure(count: int) -> dict[str, float]:
    """Start-up seconds, RSS before and while running, and the time to answer one ONVIF and one SNMP call per camera."""
    rss_before = _rss_mib()
    started = time.perf_counter()
    fleet = SimulatedFleet(bench_specs(count))
    async with fleet:
        startup = time.perf_counter() - started
        rss_running = _rss_mib()
        connector = aiohttp.TCPConnector(limit=200)
        async with aiohttp.ClientSession(connector=connector) as http:

            async def poll(spec: CameraSpec) -> int:
                async with http.post(f"http://{spec.host}:8080/onvif/device_service", data=_CLOCK) as response:
                    await response.read()
                    return response.status

            polled = time.perf_counter()
            statuses = await asyncio.gather(*(poll(camera.device.spec) for camera in fleet.cameras.values()))
            poll_s = time.perf_counter() - polled
        snmp_started = time.perf_counter()
        snmp_answers = await _snmp_round(fleet)
        snmp_s = time.perf_counter() - snmp_started
    return {
        "cameras": count,
        "startup_s": round(startup, 2),
        "rss_before_mib": round(rss_before, 1),
        "rss_running_mib": round(rss_running, 1),
        "poll_all_once_s": round(poll_s, 2),
        "answered": sum(status == 200 for status in statuses),
        "snmp_get_all_once_s": round(snmp_s, 2),
        "snmp_answered": snmp_answers,
    }


async def _snmp_round(fleet: SimulatedFleet) -> int:
    """One v2c GET sysUpTime to every camera from a single socket; count the replies."""
    message = v2c.Message()
    v2c.apiMessage.set_defaults(message)
    v2c.apiMessage.set_community(message, "public")
    pdu = v2c.GetRequestPDU()
    v2c.apiPDU.set_defaults(pdu)
    v2c.apiPDU.set_varbinds(pdu, [((1, 3, 6, 1, 2, 1, 1, 3, 0), v2c.null)])
    v2c.apiMessage.set_pdu(message, pdu)
    request = encoder.encode(message)
    replies: asyncio.Queue[bytes] = asyncio.Queue()

    class Collector(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
            replies.put_nowait(data)

    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(Collector, local_addr=("127.40.9.254", 0))
    received = 0
    try:
        for camera in fleet.cameras.values():
            transport.sendto(request, (camera.device.spec.host, camera.device.spec.snmp_port))
            while not replies.empty():
                replies.get_nowait()
                received += 1
            await asyncio.sleep(0)
        with contextlib.suppress(TimeoutError):
            while received < len(fleet.cameras):
                await asyncio.wait_for(replies.get(), timeout=2)
                received += 1
    finally:
        transport.close()
    return received


if __name__ == "__main__":
    print(json.dumps(asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))))
