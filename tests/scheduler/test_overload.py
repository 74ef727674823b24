"""camfleet's own overload is not a camera failure: a check whose time limit ran out while camfleet's event loop
was stalled (here on purpose, by a blocking sleep) is given back unrecorded, counted, and run again.

A healthy simulated camera over real sockets, the real collectors and poller, both engines.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest_asyncio
from sqlalchemy import select, update

from collectors.registry import Collectors
from config.checks import CheckKind
from config.settings import Settings
from fleet.cameras.models import Camera, CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health.models import CheckResult, CheckState
from fleet.looplag import LoopLag
from fleet.metrics import REGISTRY
from scheduler.polling import Poller, TickSummary
from simulator.fleet import SimulatedFleet
from tests.builders import register_file
from tests.waiting import eventually

NAME = "OV-1"
FLEET = f"""name,host,onvif_port,rtsp_port,declared_manufacturer,username,password
{NAME},127.73.16.1,8080,8554,Axis Communications,root,onvif-pass-1
"""
DEVICE_TIMEOUT = timedelta(seconds=1)
# Longer than the device time limit: without the probe, the check in flight surely times out.
STALL_S = 1.6


@pytest_asyncio.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimulatedFleet]:
    path = tmp_path / "fleet.csv"
    path.write_text(FLEET)
    async with SimulatedFleet.from_csv(path, snapshot_size=(320, 180)) as simulated:
        yield simulated


@pytest_asyncio.fixture
async def collectors(
    settings: Settings, database: Database, cipher: CredentialCipher, tmp_path: Path, fleet: SimulatedFleet
) -> AsyncIterator[Collectors]:
    await register_file(database, cipher, tmp_path / "fleet.csv")
    # A first round with a generous limit (WSDL loading on a loaded machine), so every check starts out ok.
    async with Collectors(device_timeout=10.0) as warm:
        first = Poller(database, settings, warm, cipher, owner="test", rng=random.Random(1))
        summary = await first.tick(everything=True)
    assert summary.checks == 6 and summary.failed == 0
    async with Collectors(device_timeout=DEVICE_TIMEOUT.total_seconds()) as found:
        yield found


def _poller(
    settings: Settings, database: Database, collectors: Collectors, cipher: CredentialCipher, lag: LoopLag | None
) -> Poller:
    scheduler = settings.scheduler.model_copy(
        update={"device_timeout": DEVICE_TIMEOUT, "overload_stall": timedelta(seconds=0.5)}
    )
    fast = settings.model_copy(update={"scheduler": scheduler})
    return Poller(database, fast, collectors, cipher, owner="test", rng=random.Random(1), lag=lag)


async def _health_check_due_now(database: Database) -> int:
    """Only the camera's ONVIF health check is due (its other checks ran in the first round)."""
    async with database.unit_of_work() as session:
        camera_id = int(await session.scalar(select(Camera.id).where(Camera.name == NAME)) or 0)
        await session.execute(
            update(CheckState)
            .where(CheckState.camera_id == camera_id, CheckState.kind == CheckKind.ONVIF_HEALTH)
            .values(next_due_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    return camera_id


def _checks_started() -> float:
    return REGISTRY.get_sample_value("camfleet_scheduler_lag_seconds_count") or 0.0


def _discarded() -> float:
    return REGISTRY.get_sample_value("camfleet_checks_discarded_overload_total", {"kind": "onvif_health"}) or 0.0


async def _stall_once_a_check_is_in_flight() -> None:
    """Block the event loop (as a PDF rendered on it would) once the poller has started a check."""
    started = _checks_started()
    await eventually(_checks_started, lambda seen: seen > started, timeout=30, what="a check started", interval=0.001)
    time.sleep(STALL_S)  # on purpose: the whole loop stops, the camera's answer waits unread


async def _tick_with_a_stall(poller: Poller, fleet: SimulatedFleet, database: Database) -> tuple[int, TickSummary]:
    # The camera answers after 0.4 s: the check is surely in flight when the loop stops.
    await fleet.camera(NAME).update(latency_ms=400)
    camera_id = await _health_check_due_now(database)
    stall = asyncio.create_task(_stall_once_a_check_is_in_flight())
    summary = await poller.tick()
    await stall
    await fleet.camera(NAME).update(latency_ms=0)
    return camera_id, summary


async def _health_state(database: Database, camera_id: int) -> CheckState:
    async with database.unit_of_work() as session:
        state = await session.scalar(
            select(CheckState).where(CheckState.camera_id == camera_id, CheckState.kind == CheckKind.ONVIF_HEALTH)
        )
    assert state is not None
    return state


async def _failed_results(database: Database) -> int:
    async with database.unit_of_work() as session:
        return len((await session.scalars(select(CheckResult).where(CheckResult.ok.is_(False)))).all())


async def test_without_the_probe_a_stall_becomes_the_cameras_failure(
    settings: Settings, database: Database, collectors: Collectors, cipher: CredentialCipher, fleet: SimulatedFleet
) -> None:
    """What the probe prevents: the stall alone makes a healthy camera's check time out."""
    poller = _poller(settings, database, collectors, cipher, lag=None)
    camera_id, summary = await _tick_with_a_stall(poller, fleet, database)
    assert (summary.checks, summary.failed) == (1, 1)
    state = await _health_state(database, camera_id)
    assert state.failures_in_a_row == 1 and state.last_error_class == "timeout"
    assert await _failed_results(database) == 1


async def test_a_stall_of_camfleets_own_loop_is_not_recorded_and_the_check_runs_again(
    settings: Settings, database: Database, collectors: Collectors, cipher: CredentialCipher, fleet: SimulatedFleet
) -> None:
    lag = LoopLag(warn_above_s=0.1)
    poller = _poller(settings, database, collectors, cipher, lag=lag)
    discarded = _discarded()
    async with lag.running():
        before = datetime.now(UTC)
        camera_id, summary = await _tick_with_a_stall(poller, fleet, database)
        assert (summary.checks, summary.failed) == (0, 0)  # nothing recorded: not a failure, not a success
        assert _discarded() == discarded + 1
        state = await _health_state(database, camera_id)
        assert state.failures_in_a_row == 0 and state.last_ok is True and state.last_error_class is None
        assert state.last_run_at is not None and state.last_run_at < before  # still the first round's
        assert state.lease_owner is None  # given back, due again after one tick
        assert state.next_due_at > before and state.next_due_at <= datetime.now(UTC) + settings.scheduler.tick
        assert await _failed_results(database) == 0

        again = await poller.tick(now=datetime.now(UTC) + settings.scheduler.tick)
    assert (again.checks, again.failed) == (1, 0)
    state = await _health_state(database, camera_id)
    assert state.last_run_at is not None and state.last_run_at >= before and state.last_ok is True
    async with database.unit_of_work() as session:
        camera = await session.get(Camera, camera_id)
        assert camera is not None and camera.status is CameraStatus.UP
