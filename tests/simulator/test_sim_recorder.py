"""A simulated recorder on 127.131.1.x: its Synology-shaped disk table over SNMP, and recording faults injected
through the control API (job stopped, gap, retention too short or too long; disks failed, degraded, full)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest_asyncio
from pyasn1.codec.ber import encoder
from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    bulk_cmd,
)

from collectors.ber import read_value
from collectors.disks import ROOTS, disks_of
from simulator.control import ControlServer
from simulator.fleet import SimulatedFleet
from simulator.recording import SimRecording
from simulator.spec import parse_fleet_text

HOST, CONTROL = "127.131.1.1", ("127.131.1.250", 8766)
BASE = f"http://{CONTROL[0]}:{CONTROL[1]}"


@pytest_asyncio.fixture
async def recorder() -> AsyncIterator[tuple[SimulatedFleet, aiohttp.ClientSession]]:
    specs = parse_fleet_text(
        "name,host,onvif_port,rtsp_port,snmp_port,snmp_community,sim_manufacturer,sim_disks\n"
        f"NVR-S,{HOST},8080,8554,1161,opname,Hanwha,3\n"
    )
    async with SimulatedFleet(specs, snapshot_size=(64, 48)) as fleet:
        fleet.camera("NVR-S").state.recordings[:] = [SimRecording("REC-A", "CAM-A", "rtsp://127.131.1.11/1")]
        server = ControlServer(fleet, *CONTROL)
        await server.start()
        try:
            async with aiohttp.ClientSession() as http:
                yield fleet, http
        finally:
            await server.stop()


async def _disks(engine: SnmpEngine) -> list[tuple[str, str, str, str]]:
    """The disk table walked with pysnmp's own GETBULK, read as the collector reads it."""
    target = await UdpTransportTarget.create((HOST, 1161), timeout=1, retries=0)
    error, status, _, binds = await bulk_cmd(
        engine,
        CommunityData("opname"),
        target,
        ContextData(),
        0,
        10,
        *(ObjectType(ObjectIdentity(root)) for root in ROOTS),
        lookupMib=False,
    )
    assert error is None and not status
    walked: dict[str, list[Any]] = {root: [] for root in ROOTS}
    for position, (name, value) in enumerate(binds):
        root = ROOTS[position % len(ROOTS)]
        if str(name).startswith(root + "."):
            walked[root].append((str(name), read_value(bytes(encoder.encode(value)))))
    return [(d.kind, d.name, d.state, d.status) for d in disks_of(walked)]


async def test_disk_table_stories_set_through_the_control_api(
    recorder: tuple[SimulatedFleet, aiohttp.ClientSession],
) -> None:
    _fleet, http = recorder
    engine = SnmpEngine()
    try:
        healthy = [
            ("disk", "Drive 1", "ok", "Normal/Normal"),
            ("disk", "Drive 2", "ok", "Normal/Normal"),
            ("disk", "Drive 3", "ok", "Normal/Normal"),
            ("volume", "Volume 1", "ok", "Normal"),
        ]
        assert await _disks(engine) == healthy
        async with http.patch(f"{BASE}/cameras/NVR-S", json={"disks": "failed"}) as response:
            assert response.status == 200 and (await response.json())["state"]["disks"] == "failed"
        assert await _disks(engine) == [
            healthy[0],
            ("disk", "Drive 2", "failed", "Crashed/Failing"),
            healthy[2],
            ("volume", "Volume 1", "degraded", "Degrade"),
        ]
        async with http.patch(f"{BASE}/cameras/NVR-S", json={"disks": "melted"}) as response:
            assert response.status == 400 and "normal, failed, degraded, full" in (await response.json())["detail"]
    finally:
        engine.close_dispatcher()


async def test_recording_faults_injected_through_the_control_api(
    recorder: tuple[SimulatedFleet, aiohttp.ClientSession],
) -> None:
    fleet, http = recorder
    url = f"{BASE}/cameras/NVR-S/recordings"
    body = {"job_state": "Idle", "stopped_for_s": 7200, "kept_days": 40, "gaps": [[3 * 3600, 2 * 3600]]}
    async with http.patch(f"{url}/REC-A", json=body) as response:
        assert response.status == 200
        shown = await response.json()
    assert (shown["job_state"], shown["stopped_for_s"], shown["kept_days"]) == ("Idle", 7200.0, 40.0)
    recording = fleet.camera("NVR-S").state.recordings[0]
    start, end = recording.gaps[0]
    assert abs((datetime.now(UTC) - start).total_seconds() - 3 * 3600) < 60 and (start - end).total_seconds() == -3600
    # Everything is checked before anything changes; an unknown recording is 404.
    for wrong in ({"job_state": "Sleeping"}, {"kept_days": 0}, {"gaps": [[60, 120]]}, {"colour": "red"}):
        async with http.patch(f"{url}/REC-A", json={"kept_days": 3, **wrong}) as response:
            assert response.status == 400
    assert recording.kept_days == 40.0
    async with http.patch(f"{url}/REC-Z", json={"kept_days": 3}) as response:
        assert response.status == 404
    async with http.get(url) as response:
        assert [r["token"] for r in (await response.json())["items"]] == ["REC-A"]


async def test_the_demo_recorder_blerick_serves_a_failed_disk_and_keeps_cameras_footage() -> None:
    from cli.demo import DEMO_FAULTS, _simulated_fleet

    fleet = _simulated_fleet()  # built, not started: nothing listens
    blerick = fleet.camera("NVR-BLERICK")
    await blerick.update(**DEMO_FAULTS["NVR-BLERICK"])
    walked: dict[str, list[Any]] = {}
    for root in ROOTS:
        prefix = tuple(int(arc) for arc in root.split("."))
        walked[root], cursor = [], prefix
        while (found := blerick.snmp.mib.next(cursor)) is not None and found[0][: len(prefix)] == prefix:
            cursor = found[0]
            walked[root].append((".".join(map(str, cursor)), read_value(bytes(encoder.encode(found[1])))))
    failed = [(d.name, d.state) for d in disks_of(walked) if d.state != "ok"]
    assert failed == [("Drive 2", "failed"), ("Volume 1", "degraded")]
    assert len(blerick.state.recordings) >= 10  # the fixed cameras of Blerick record on it
