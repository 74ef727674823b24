"""The APScheduler wiring: jobs with ids that never overlap, survive failures, and start when they should."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.jobs import every


async def test_jobs_run_survive_failures_and_never_overlap() -> None:
    scheduler = AsyncIOScheduler()
    runs: list[str] = []
    running = 0
    overlap = False

    async def flaky() -> None:
        nonlocal running, overlap
        running += 1
        overlap = overlap or running > 1
        runs.append("run")
        await asyncio.sleep(0.25)  # longer than the interval
        running -= 1
        if len(runs) == 1:
            raise RuntimeError("database gone")

    async def later() -> None:
        runs.append("later")

    every(scheduler, flaky, timedelta(seconds=0.1), "flaky")
    every(scheduler, later, timedelta(hours=1), "later", start_now=False)
    scheduler.start()
    try:
        await asyncio.sleep(1.0)
        job = scheduler.get_job("later")
        assert job is not None and job.next_run_time is not None  # scheduled, not paused
    finally:
        scheduler.shutdown(wait=False)
    assert runs.count("run") >= 2  # the failure did not stop the job
    assert "later" not in runs and not overlap
