"""The control API changes running cameras, and counts the polls each one received."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from simulator.control import ControlServer
from simulator.fleet import SimulatedFleet, parse_host_port
from tests.waiting import eventually

CONTROL = ("127.40.1.250", 8765)
BASE = f"http://{CONTROL[0]}:{CONTROL[1]}"
CLOCK = (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
    '<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>'
)


@pytest_asyncio.fixture
async def http(fleet: SimulatedFleet) -> AsyncIterator[aiohttp.ClientSession]:
    """A client session with the control API running."""
    server = ControlServer(fleet, *CONTROL)
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            yield session
    finally:
        await server.stop()


async def _answering(host: str = "127.40.1.5") -> bool:
    try:
        _reader, writer = await asyncio.open_connection(host, 8080)
    except ConnectionRefusedError:
        return False
    writer.close()
    return True


async def _clock(http: aiohttp.ClientSession, host: str = "127.40.1.5") -> str:
    async with http.post(f"http://{host}:8080/onvif/device_service", data=CLOCK) as response:
        return await response.text()


async def test_list_shows_identity_state_and_counters(fleet: SimulatedFleet, http: aiohttp.ClientSession) -> None:
    await _clock(http)
    async with http.get(f"{BASE}/cameras") as response:
        listing = await response.json()
    assert listing["total"] == 5
    gen = next(item for item in listing["items"] if item["name"] == "GEN-1")
    assert gen["profile"] == "generic" and gen["state"]["image"] == "normal"
    assert gen["counters"]["onvif"] == {"GetSystemDateAndTime": 1}


async def test_offline_refuses_connections_and_drops_snmp(fleet: SimulatedFleet, http: aiohttp.ClientSession) -> None:
    async with http.patch(f"{BASE}/cameras/GEN-1", json={"offline": True}) as response:
        assert response.status == 200
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.40.1.5", 8080)
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.40.1.5", 8554)
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.40.1.251", 0))
    try:  # nothing listens on the SNMP port any more: the kernel says port unreachable
        probe.connect(("127.40.1.5", 1161))
        probe.send(b"\x30\x00")
        probe.settimeout(0.5)
        with pytest.raises(ConnectionRefusedError):
            probe.recv(100)
    finally:
        probe.close()
    async with http.patch(f"{BASE}/cameras/GEN-1", json={"offline": False}) as response:
        assert response.status == 200
    assert "GetSystemDateAndTimeResponse" in await _clock(http)


async def test_latency_and_clock_offset(fleet: SimulatedFleet, http: aiohttp.ClientSession) -> None:
    async with http.patch(f"{BASE}/cameras/GEN-1", json={"latency_ms": 300, "clock_offset_s": -7200}) as response:
        state = (await response.json())["state"]
    assert state["latency_ms"] == 300 and state["clock_offset_s"] == -7200
    loop = asyncio.get_running_loop()
    started = loop.time()
    answer = await _clock(http)
    assert loop.time() - started >= 0.3
    assert "<tt:DateTimeType>Manual</tt:DateTimeType>" in answer


async def test_auth_rejection_and_image_state(fleet: SimulatedFleet, http: aiohttp.ClientSession) -> None:
    async with http.patch(f"{BASE}/cameras/HAN-1", json={"reject_auth": True, "image": "black"}) as response:
        assert response.status == 200
    scopes = CLOCK.replace("GetSystemDateAndTime", "GetScopes")
    async with http.post("http://127.40.1.4:8080/onvif/device_service", data=scopes) as response:
        assert "ter:NotAuthorized" in await response.text()
    assert fleet.camera("HAN-1").state.image == "black"


async def test_reboot_and_counter_reset(fleet: SimulatedFleet, http: aiohttp.ClientSession) -> None:
    fleet.camera("GEN-1").state.booted_at -= 500
    await _clock(http)
    async with http.post(f"{BASE}/cameras/GEN-1/reboot") as response:
        camera = await response.json()
    assert camera["state"]["uptime_s"] < 5 and camera["state"]["boots"] == 2
    assert camera["counters"]["onvif_total"] == 1
    async with http.post(f"{BASE}/counters/reset") as response:
        assert (await response.json())["reset"] == 5
    async with http.get(f"{BASE}/cameras/GEN-1") as response:
        assert (await response.json())["counters"]["onvif_total"] == 0


async def test_a_reboot_stops_the_camera_once(fleet: SimulatedFleet, monkeypatch: pytest.MonkeyPatch) -> None:
    camera = fleet.camera("GEN-1")
    stops: list[None] = []
    stop = camera.stop

    async def counted() -> None:
        stops.append(None)
        await stop()

    monkeypatch.setattr(camera, "stop", counted)
    await camera.reboot()
    assert camera.state.boots == 2 and len(stops) == 1
    assert await _answering()


async def test_reboot_with_downtime_comes_back(fleet: SimulatedFleet, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{BASE}/cameras/GEN-1/reboot", json={"downtime_s": 0.2}) as response:
        assert (await response.json())["state"]["offline"] is True
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.40.1.5", 8080)

    await eventually(_answering, timeout=10, what="GEN-1 back after its 0.2 s downtime")
    assert "GetSystemDateAndTimeResponse" in await _clock(http)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"latency_ms": -1}, 400),
        ({"image": "purple"}, 400),
        ({"colour": "red"}, 400),
        ({"offline": "yes"}, 400),
    ],
)
async def test_bad_changes_are_refused(http: aiohttp.ClientSession, body: dict[str, object], status: int) -> None:
    async with http.patch(f"{BASE}/cameras/GEN-1", json=body) as response:
        assert response.status == status
        assert "detail" in await response.json()


async def test_unknown_camera_is_404(http: aiohttp.ClientSession) -> None:
    async with http.get(f"{BASE}/cameras/NOPE") as response:
        assert response.status == 404


def test_control_address_must_be_loopback() -> None:
    assert parse_host_port("127.0.0.1:8765") == ("127.0.0.1", 8765)
    with pytest.raises(ValueError):
        parse_host_port("0.0.0.0:8765")


async def test_counters_keep_the_shortest_gap_between_requests(
    fleet: SimulatedFleet, http: aiohttp.ClientSession
) -> None:
    await _clock(http)
    await asyncio.sleep(0.3)  # the gap under test: the shortest one kept must be this one, not the next
    await _clock(http)
    await _clock(http)
    async with http.get(f"{BASE}/cameras/GEN-1") as response:
        counters = (await response.json())["counters"]
    assert counters["onvif"] == {"GetSystemDateAndTime": 3}
    assert counters["onvif_min_gap_s"]["GetSystemDateAndTime"] < 0.3  # the two back to back, not the 0.3 s pause
    assert counters["onvif_last_at"]["GetSystemDateAndTime"] > 0
    async with http.post(f"{BASE}/cameras/GEN-1/counters/reset") as response:
        reset = (await response.json())["counters"]
    assert reset["onvif_min_gap_s"] == {} and reset["onvif_last_at"] == {}
