"""Outage edges at the polling pace: a camera dead for hours is seen back up within two reachability intervals.

A simulated camera over real sockets and the real collectors, both engines. The two hours of failures are written
into its check state (3,600 failures at a 2 s interval) rather than waited for; what follows runs at the real pace.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest_asyncio
from sqlalchemy import delete, select, update

from collectors.registry import Collectors
from config.checks import CheckKind
from config.settings import Settings
from fleet.cameras.models import Camera, CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health.models import CheckResult, CheckState, StatusInterval
from scheduler.polling import Poller
from simulator.fleet import SimulatedFleet
from tests.builders import register_file
from tests.waiting import eventually

FLEET = "name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer\nRE-1,127.72.0.1,8080,1161,8554,Axis\n"
INTERVAL = timedelta(seconds=2)
CONFIRM = timedelta(milliseconds=500)
DOWN_FOR = timedelta(hours=2)
# A tick of the test's loop, on a loaded machine, may start a little after the check fell due.
LOOP_SLACK = timedelta(seconds=1)


@pytest_asyncio.fixture
async def poller(
    settings: Settings, database: Database, cipher: CredentialCipher, tmp_path: Path
) -> AsyncIterator[tuple[Poller, SimulatedFleet]]:
    path = tmp_path / "fleet.csv"
    path.write_text(FLEET)
    await register_file(database, cipher, path)
    scheduler = settings.scheduler.model_copy(
        update={
            "reachability_interval": INTERVAL,
            "recovery_confirm": CONFIRM,
            "tick": CONFIRM,
            "device_timeout": timedelta(seconds=5),
            "jitter": 0.0,
        }
    )
    fast = settings.model_copy(update={"scheduler": scheduler})
    async with SimulatedFleet.from_csv(path, snapshot_size=(64, 36)) as fleet, Collectors(device_timeout=5.0) as run:
        yield Poller(database, fast, run, cipher, owner="test", rng=random.Random(1)), fleet


async def _camera(database: Database) -> Camera:
    async with database.unit_of_work() as session:
        found = await session.scalar(select(Camera).where(Camera.name == "RE-1"))
    assert found is not None
    return found


async def test_a_camera_down_for_two_hours_is_up_within_two_reachability_intervals_of_its_repair(
    poller: tuple[Poller, SimulatedFleet], database: Database
) -> None:
    scheduler, fleet = poller
    edges = scheduler.settings.scheduler.outage_edges
    assert edges == 2 * INTERVAL  # twice the interval, the default multiple
    await scheduler.tick(everything=True)
    camera = await _camera(database)
    assert camera.status is CameraStatus.UP

    # Down for two hours, failing every interval since: with doubling up to scheduler.max_backoff its next check
    # would be half an hour away; the reachability check stays within its small multiple.
    await fleet.camera("RE-1").update(offline=True)
    long_ago = datetime.now(UTC) - DOWN_FOR
    async with database.unit_of_work() as session:
        await session.execute(
            update(CheckState)
            .where(CheckState.camera_id == camera.id, CheckState.kind == CheckKind.REACHABILITY)
            .values(
                hard_ok=False,
                hard_since=long_ago,
                last_ok=False,
                failures_in_a_row=int(DOWN_FOR / INTERVAL),
                next_due_at=datetime.now(UTC),
            )
        )
        await session.execute(delete(StatusInterval).where(StatusInterval.camera_id == camera.id))
        session.add(StatusInterval(camera_id=camera.id, status=CameraStatus.DOWN, started_at=long_ago))
        await session.execute(
            update(Camera).where(Camera.id == camera.id).values(status=CameraStatus.DOWN, status_since=long_ago)
        )
    await scheduler.tick(names=["RE-1"])  # one more failure, two hours into the outage
    async with database.unit_of_work() as session:
        state = await session.get(CheckState, (camera.id, CheckKind.REACHABILITY))
    assert state is not None and state.last_run_at is not None and not state.last_ok
    # Twice the interval less what showing a repair takes: a tick to start the check, and its confirmation.
    assert state.next_due_at - state.last_run_at == edges - 2 * CONFIRM

    await fleet.camera("RE-1").update(offline=False)
    repaired_at = datetime.now(UTC)

    async def reachability() -> CheckState:
        await scheduler.tick(names=["RE-1"])
        async with database.unit_of_work() as session:
            found = await session.get(CheckState, (camera.id, CheckKind.REACHABILITY))
        assert found is not None
        return found

    # The first success does not yet end the failure (faults.successes_to_close is 2): it is confirmed at once,
    # not an interval later.
    seen = await eventually(reachability, lambda s: bool(s.last_ok), timeout=60, what="RE-1 answering again")
    assert seen.hard_ok is False and seen.last_run_at is not None
    assert seen.next_due_at - seen.last_run_at == CONFIRM
    assert (await _camera(database)).status is CameraStatus.DOWN

    async def status() -> CameraStatus:
        await scheduler.tick(names=["RE-1"])
        return (await _camera(database)).status

    await eventually(status, lambda seen: seen is CameraStatus.UP, timeout=60, what="RE-1 up again")
    async with database.unit_of_work() as session:
        intervals = (
            await session.scalars(
                select(StatusInterval).where(StatusInterval.camera_id == camera.id).order_by(StatusInterval.started_at)
            )
        ).all()
        first_ok = await session.scalar(
            select(CheckResult.at)
            .where(CheckResult.camera_id == camera.id, CheckResult.kind == CheckKind.REACHABILITY, CheckResult.ok)
            .where(CheckResult.at > repaired_at)
            .order_by(CheckResult.at)
        )
    assert [i.status for i in intervals] == [CameraStatus.DOWN, CameraStatus.UP]
    down, up = intervals
    # The outage ends where the first successful check after the repair saw the camera: within two intervals.
    assert first_ok is not None and up.started_at == first_ok == down.ended_at
    assert repaired_at < up.started_at <= repaired_at + edges + LOOP_SLACK
    assert down.started_at == long_ago
