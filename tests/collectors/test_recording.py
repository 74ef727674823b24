"""The recording check (ONVIF Profile G through onvif-zeep-async) against simulated recorders on 127.118.2.x:
recordings, jobs, footage spans and gaps as the device keeps them, and a device without the services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest_asyncio

from collectors import Collectors
from collectors.errors import AuthFailed, Unsupported
from collectors.recording import gaps_of
from config.checks import CheckKind
from simulator.fleet import SimulatedFleet
from simulator.recording import SimRecording
from simulator.spec import parse_fleet_text
from tests.collectors.conftest import DEVICE_TIMEOUT, make_target

NVR_HOST, PLAIN_HOST = "127.118.2.1", "127.118.2.2"
PASSWORD = "Recorder-pass-1"


@pytest_asyncio.fixture(scope="module")
async def simulated() -> AsyncIterator[SimulatedFleet]:
    """A recorder (a Hikvision NVR's identity) with two recordings, and a camera without Profile G."""
    specs = parse_fleet_text(
        "name,host,onvif_port,rtsp_port,snmp_port,username,password,sim_manufacturer\n"
        f"NVR-1,{NVR_HOST},8080,8554,1161,admin,{PASSWORD},Hikvision\n"
        f"CAM-PLAIN,{PLAIN_HOST},8080,8554,1161,admin,{PASSWORD},Axis\n"
    )
    async with SimulatedFleet(specs, snapshot_size=(64, 48)) as fleet:
        yield fleet


@pytest_asyncio.fixture(scope="module")
async def collectors() -> AsyncIterator[Collectors]:
    async with Collectors(device_timeout=DEVICE_TIMEOUT * 4) as shared:
        yield shared


def _target(host: str, password: str = PASSWORD) -> object:
    return make_target(host=host, onvif_port=8080, rtsp_port=8554, snmp_port=1161, password=password)


async def test_recordings_jobs_spans_and_gaps(simulated: SimulatedFleet, collectors: Collectors) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    gap = (now - timedelta(hours=5), now - timedelta(hours=4, minutes=30))
    simulated.camera("NVR-1").state.recordings[:] = [
        SimRecording("REC-A", "CAM-A", "rtsp://127.118.3.1:554/stream1", kept_days=28.0, gaps=[gap]),
        SimRecording(
            "REC-B",
            "CAM-B",
            "rtsp://127.118.3.2/stream1",
            kept_days=3.0,
            job_state="Idle",
            stopped_for=timedelta(hours=2),
        ),
    ]
    result = await collectors.run(CheckKind.RECORDING, _target(NVR_HOST))
    assert result.ok, result.error
    seen = {r.token: r for r in result.observation.recordings}  # type: ignore[union-attr]
    assert result.observation.history_searched  # type: ignore[union-attr]
    a, b = seen["REC-A"], seen["REC-B"]
    assert (a.source_name, a.source_address, a.job_state) == ("CAM-A", "rtsp://127.118.3.1:554/stream1", "active")
    assert b.job_state == "idle"
    assert a.earliest is not None and abs((now - a.earliest) - timedelta(days=28)) < timedelta(minutes=1)
    assert b.latest is not None and abs((now - b.latest) - timedelta(hours=2)) < timedelta(minutes=1)
    assert a.gaps == (gap,)
    # B's footage ends two hours ago: the history says so as a gap to the end of the search.
    assert (
        b.gaps is not None
        and len(b.gaps) == 1
        and abs(b.gaps[0][0] - (now - timedelta(hours=2))) < timedelta(minutes=1)
    )


async def test_a_device_without_profile_g_and_a_wrong_password(
    simulated: SimulatedFleet, collectors: Collectors
) -> None:
    plain = await collectors.run(CheckKind.RECORDING, _target(PLAIN_HOST))
    assert not plain.ok and isinstance(plain.error, Unsupported)
    refused = await collectors.run(CheckKind.RECORDING, _target(NVR_HOST, password="wrong-password"))
    assert not refused.ok and isinstance(refused.error, AuthFailed)


def test_gaps_from_history_changes() -> None:
    t0 = datetime(2026, 12, 1, tzinfo=UTC)
    h = timedelta(hours=1)
    changes = [(t0, True), (t0 + 2 * h, False), (t0 + 3 * h, True), (t0 + 5 * h, False)]
    assert gaps_of(changes, t0, t0 + 6 * h) == [(t0 + 2 * h, t0 + 3 * h), (t0 + 5 * h, t0 + 6 * h)]
    # Missing at the start of the period, and a change before the period, are clipped to it.
    assert gaps_of([(t0 - h, False), (t0 + h, True)], t0, t0 + 2 * h) == [(t0, t0 + h)]
    assert gaps_of([], t0, t0 + h) == []
