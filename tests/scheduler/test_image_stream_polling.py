"""Image and stream health end to end: simulated cameras (1920×1080 street scenes), the Poller, both engines."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest_asyncio
from sqlalchemy import select

from collectors.registry import Collectors
from config.checks import CheckKind
from config.settings import Settings
from fleet.audit.models import AuditEntry
from fleet.cameras.models import Camera, CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault
from fleet.health.models import CheckResult
from fleet.images.models import ImageBaseline
from fleet.tickets.models import TicketFault
from fleet.users.models import Role
from scheduler.polling import Poller
from simulator.fleet import SimulatedFleet
from simulator.state import ImageState
from tests.builders import register_file
from tests.conftest import bearer

MAKERS = ("Axis Communications", "Hikvision", "Dahua", "Bosch Security Systems", "Uniview", "Hanwha Vision")
# Camera name, the state it is put in after a healthy first round, and the faults that must then be open.
CASES = {
    "IMG-NIGHT": ({"image": "night"}, set()),
    "IMG-BLACK": ({"image": "black"}, {"image_black"}),
    "IMG-COVERED": ({"image": "covered"}, {"image_covered"}),
    "IMG-BLURRED": ({"image": "blurred"}, {"image_blurred"}),
    "IMG-FROZEN": ({"image": "frozen"}, {"image_frozen"}),
    "IMG-MOVED": ({"image": "moved"}, {"image_moved"}),
    "STR-DOWN": ({"rtsp_down": True}, {"stream_unavailable"}),
    "STR-RESIZED": ({"stream_mismatch": True}, {"stream_mismatch"}),
}
DEGRADED = {"IMG-BLACK", "IMG-COVERED", "IMG-BLURRED", "IMG-FROZEN", "IMG-MOVED", "STR-DOWN"}
TICKETED = {kind for _, kinds in CASES.values() for kind in kinds}  # the default policy tickets each of them


def _fleet_csv() -> str:
    rows = ["name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,username,password"]
    for n, name in enumerate(CASES, start=1):
        rows.append(f"{name},127.90.2.{n},8080,1161,8554,{MAKERS[n % len(MAKERS)]},admin,beeld-{n}-Venlo")
    return "\n".join(rows) + "\n"


@pytest_asyncio.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimulatedFleet]:
    path = tmp_path / "fleet.csv"
    path.write_text(_fleet_csv())
    async with SimulatedFleet.from_csv(path) as simulated:  # full 1920×1080 frames, as the thresholds assume
        # Render the scenes before polling: a first 1080p render takes a quarter second of CPU per camera.
        for camera in simulated.cameras.values():
            for state in (ImageState.NORMAL, ImageState.BLURRED, ImageState.MOVED, ImageState.COVERED):
                simulated.scenes.base(camera.device.snapshotter.seed, state)
        yield simulated


@pytest_asyncio.fixture
async def poller(
    settings: Settings, database: Database, cipher: CredentialCipher, tmp_path: Path, fleet: SimulatedFleet
) -> AsyncIterator[Poller]:
    await register_file(database, cipher, tmp_path / "fleet.csv")
    fast = settings.model_copy(
        update={"scheduler": settings.scheduler.model_copy(update={"device_timeout": timedelta(seconds=10)})}
    )
    async with Collectors.for_settings(fast) as collectors:
        yield Poller(database, fast, collectors, cipher, owner="test-images", rng=random.Random(7))


async def _state(database: Database) -> tuple[dict[str, Camera], dict[str, set[str]]]:
    async with database.unit_of_work() as session:
        found = {c.name: c for c in await session.scalars(select(Camera))}
        names = {c.id: c.name for c in found.values()}
        faults: dict[str, set[str]] = {name: set() for name in found}
        for fault in await session.scalars(select(Fault).where(Fault.closed_at.is_(None))):
            if fault.camera_id is not None:
                faults[names[fault.camera_id]].add(fault.kind.value)
    return found, faults


async def test_every_image_and_stream_state_is_found_and_night_is_normal(
    poller: Poller, database: Database, fleet: SimulatedFleet, client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    await _first_round_is_healthy_and_keeps_no_pictures(poller, database)
    for name, (change, _) in CASES.items():
        await fleet.camera(name).update(**change)
    # failures_to_open (3) bad results in a row; frozen needs one more, its first frame still differs.
    for _ in range(4):
        await poller.tick(everything=True)
    found = await _each_state_has_its_fault_and_ticket(database, fleet)
    await _a_coordinator_retakes_the_reference_of_the_moved_camera(poller, database, fleet, client, tokens, found)

    # Repaired: the fault closes after successes_to_close good pictures and the camera is up again.
    await fleet.camera("IMG-BLACK").update(image="normal")
    for _ in range(2):
        await poller.tick(everything=True, names=["IMG-BLACK"])
    found, faults = await _state(database)
    assert faults["IMG-BLACK"] == set() and found["IMG-BLACK"].status is CameraStatus.UP


async def _first_round_is_healthy_and_keeps_no_pictures(poller: Poller, database: Database) -> None:
    first = await poller.tick(everything=True)
    assert first.failed == 0
    found, faults = await _state(database)
    assert {c.status for c in found.values()} == {CameraStatus.UP}
    assert not any(faults.values())
    async with database.unit_of_work() as session:
        baselines = (await session.scalars(select(ImageBaseline))).all()
        stored = (await session.scalars(select(CheckResult).where(CheckResult.kind == CheckKind.IMAGE))).all()
    assert len(baselines) == len(CASES) and all(b.reference_signature for b in baselines)
    assert all(b.reference_thumbnail is None for b in baselines)  # no picture kept by default
    assert stored and all(set(r.values or {}) >= {"brightness", "contrast", "sharpness"} for r in stored)
    assert not any("thumbnail" in (r.values or {}) for r in stored)


async def _each_state_has_its_fault_and_ticket(database: Database, fleet: SimulatedFleet) -> dict[str, Camera]:
    found, faults = await _state(database)
    assert faults == {name: expected for name, (_, expected) in CASES.items()}
    for name, camera in found.items():
        assert camera.status is (CameraStatus.DEGRADED if name in DEGRADED else CameraStatus.UP), name
    async with database.unit_of_work() as session:
        ticketed = set(
            await session.scalars(
                select(Fault.kind).join(TicketFault, TicketFault.fault_id == Fault.id).where(Fault.closed_at.is_(None))
            )
        )
        mismatch = await session.scalar(select(Fault).where(Fault.kind == "stream_mismatch"))
    assert {k.value for k in ticketed} == TICKETED
    main = fleet.camera("STR-RESIZED").device.streams[0]
    half = f"resolution {main.width // 2}×{main.height // 2} instead of {main.width}×{main.height}"
    assert mismatch is not None and half in mismatch.summary
    return found


async def _a_coordinator_retakes_the_reference_of_the_moved_camera(
    poller: Poller,
    database: Database,
    fleet: SimulatedFleet,
    client: httpx.AsyncClient,
    tokens: dict[Role, str],
    found: dict[str, Camera],
) -> None:
    """The camera was re-aimed on purpose: a coordinator re-takes the reference; a viewer may not."""
    moved = found["IMG-MOVED"]
    url = f"/api/v1/cameras/{moved.id}/image-reference"
    assert (await client.post(url, headers=bearer(tokens[Role.VIEWER]))).status_code == 403
    asked = await client.post(url, headers=bearer(tokens[Role.COORDINATOR]))
    assert asked.status_code == 202 and asked.json()["reference_requested_at"] is not None
    fleet.camera("IMG-MOVED").device.counters.reset()
    retake = await poller.tick(now=datetime.now(UTC) + timedelta(seconds=1))  # only what is due: the image check
    assert retake.checks == 1
    counters = fleet.camera("IMG-MOVED").device.counters
    assert counters.snapshot == 1 and counters.onvif == {}  # the snapshot URI came from the stored identity result
    shown = (await client.get(url, headers=bearer(tokens[Role.VIEWER]))).json()
    assert shown["reference_requested_at"] is None and shown["reference_taken_at"] > asked.json()["reference_taken_at"]
    found, faults = await _state(database)
    assert "image_moved" not in faults["IMG-MOVED"]
    assert found["IMG-MOVED"].status is CameraStatus.UP
    async with database.unit_of_work() as session:
        audit = await session.scalar(select(AuditEntry).where(AuditEntry.action == "camera.image_reference"))
    assert audit is not None and audit.actor == "user-coordinator" and audit.target_id == str(moved.id)
