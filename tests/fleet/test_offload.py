"""Heavy work beside the event loop: bounded, results and errors carried back, a dead worker replaced; and the probe
that sees the loop stall."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from fleet.db import Database
from fleet.looplag import LoopLag
from fleet.maintenance import service as maintenance
from fleet.maintenance.models import MaintenanceWindow
from fleet.maintenance.rules import RecurrenceError, checked_last_end, occurrences
from fleet.maintenance.schemas import MaintenanceWindowIn
from fleet.metrics import REGISTRY
from fleet.offload import Offload
from fleet.reports.uptime import render_pdf
from fleet.uptime.facts import planned_windows, windows_overlapping
from tests.builders import TEST_ACTOR
from tests.waiting import eventually


@pytest.fixture
def pools() -> Iterator[Offload]:
    found = Offload(2)
    try:
        yield found
    finally:
        found.shutdown()


class _Gate:
    """Jobs that wait at a gate, counting how many are inside at once."""

    def __init__(self) -> None:
        self.opened = threading.Event()
        self.lock = threading.Lock()
        self.inside = self.most = self.entered = 0

    def job(self, number: int) -> int:
        with self.lock:
            self.inside += 1
            self.entered += 1
            self.most = max(self.most, self.inside)
        self.opened.wait(timeout=30)
        with self.lock:
            self.inside -= 1
        return number


async def test_a_burst_queues_behind_the_bound(pools: Offload) -> None:
    gate = _Gate()
    jobs = [asyncio.ensure_future(pools.blocking(gate.job, n)) for n in range(5)]
    await eventually(lambda: gate.entered, lambda seen: seen == 2, timeout=30, what="two jobs running")
    assert gate.entered == 2 and not any(job.done() for job in jobs)  # the other three wait their turn
    gate.opened.set()
    assert await asyncio.gather(*jobs) == [0, 1, 2, 3, 4]
    assert gate.most == 2


def _die_once(marker: str) -> int:
    if not Path(marker).exists():
        Path(marker).write_text("died")
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


async def test_worker_processes_render_carry_errors_and_survive_a_dead_worker(pools: Offload, tmp_path: Path) -> None:
    pdf = await pools.cpu(render_pdf, "<h1>camfleet</h1>")
    assert pdf.startswith(b"%PDF")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(RecurrenceError, match="more than"):
        await pools.cpu(checked_last_end, start, start.replace(hour=1), "FREQ=HOURLY;UNTIL=20990101T000000Z")
    assert await pools.cpu(checked_last_end, start, start.replace(hour=1), None) == start.replace(hour=1)
    # A worker killed mid-job (out of memory, say): the job runs again in a new worker.
    worker = await pools.cpu(_die_once, str(tmp_path / "died"))
    assert worker != os.getpid() and (tmp_path / "died").exists()


def _lag_samples() -> float:
    return REGISTRY.get_sample_value("camfleet_event_loop_lag_seconds_count") or 0.0


async def test_the_probe_sees_a_stall_and_how_long_it_overlapped_a_window(caplog: pytest.LogCaptureFixture) -> None:
    lag = LoopLag(warn_above_s=0.1, interval_s=0.01)
    samples = _lag_samples()
    async with lag.running():
        await eventually(_lag_samples, lambda seen: seen > samples, timeout=30, what="a lag sample", interval=0.01)
        quiet = time.monotonic()
        began = time.monotonic()
        time.sleep(0.4)  # on purpose: the loop stops
        assert lag.lost(began) >= 0.3  # seen while the probe has not woken yet
        await asyncio.sleep(0.05)
        ended = time.monotonic()
        assert lag.lost(began, ended) >= 0.3  # and after it woke
        assert lag.lost(ended) < 0.3
    assert lag.lost(quiet - 10, quiet - 5) == 0.0
    assert any("event loop ran late" in r.getMessage() for r in caplog.records)


async def test_requests_beyond_the_bound_wait_for_a_turn(pools: Offload) -> None:
    inside: list[int] = []
    release = asyncio.Event()

    async def request(number: int) -> int:
        async with pools.turn("documents"):
            inside.append(number)
            await release.wait()
        return number

    requests = [asyncio.create_task(request(n)) for n in range(3)]
    await eventually(lambda: len(inside), lambda seen: seen == 2, timeout=30, what="two requests with a turn")
    async with pools.turn("passwords"):  # another kind has turns of its own
        assert inside == [0, 1] and not requests[2].done()
    release.set()
    assert await asyncio.gather(*requests) == [0, 1, 2]
    assert inside == [0, 1, 2]


async def test_recurring_maintenance_is_expanded_beside_the_loop_with_the_same_occurrences(database: Database) -> None:
    start = datetime(2026, 3, 1, 2, tzinfo=UTC)
    async with database.unit_of_work() as session:
        await maintenance.create(
            session,
            actor=TEST_ACTOR,
            data=MaintenanceWindowIn(
                starts_at=start, ends_at=start + timedelta(hours=1), recurrence="FREQ=HOURLY;INTERVAL=6", reason="x"
            ),
        )
        await maintenance.create(
            session,
            actor=TEST_ACTOR,
            data=MaintenanceWindowIn(starts_at=start, ends_at=start + timedelta(hours=2), reason="once", areas=["A"]),
        )
    span = (start, start + timedelta(days=365))
    async with database.unit_of_work() as session:
        found = await windows_overlapping(session, span)
        windows = (await session.scalars(select(MaintenanceWindow).order_by(MaintenanceWindow.id))).all()
        expected = planned_windows(windows, span)
    assert sorted(found, key=lambda w: len(w[1])) == sorted(expected, key=lambda w: len(w[1]))
    assert sorted(len(occurrences) for _scope, occurrences in found) == [1, 365 * 4]


def _cpu_jobs() -> float:
    labels = {"lane": "cpu", "job": "running_all"}
    return REGISTRY.get_sample_value("camfleet_heavy_job_seconds_count", labels) or 0.0


async def test_whether_a_recurring_window_runs_is_worked_out_beside_the_loop_once_per_change() -> None:
    """An hourly rule a year old is thousands of steps: expanded in a worker, and asked again only at the next start
    or end of an occurrence; a one-off window never needs a worker."""
    start = datetime(2025, 3, 1, 2, 17, tzinfo=UTC)
    every_six = MaintenanceWindow(
        starts_at=start, ends_at=start + timedelta(hours=1), recurrence="FREQ=HOURLY;INTERVAL=6", reason="x"
    )
    once = MaintenanceWindow(starts_at=start, ends_at=start + timedelta(days=400), recurrence=None, reason="y")
    year_on = start + timedelta(days=365)
    asked = [
        (timedelta(0), True, 1),  # an occurrence starts: worked out
        (timedelta(minutes=30), True, 0),  # the same answer until it ends
        (timedelta(minutes=59), True, 0),
        (timedelta(hours=1), False, 1),  # it ended: worked out again
        (timedelta(hours=3), False, 0),  # nothing runs until the next start
        (timedelta(hours=6), True, 1),
        (timedelta(hours=6, minutes=1), True, 0),
    ]
    for offset, runs, jobs in asked:
        at = year_on + offset
        before = _cpu_jobs()
        assert await maintenance.running([every_six, once], at) == [runs, True], offset
        assert _cpu_jobs() - before == jobs, offset
        occurring = occurrences(
            start, start + timedelta(hours=1), every_six.recurrence, between=(at, at + timedelta(microseconds=1))
        )
        assert any(True for _ in occurring) is runs
