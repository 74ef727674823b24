"""`camfleet serve --workers N`: several API processes on PostgreSQL with the scheduler in one process only; refused
on SQLite with the reason."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from fleet.db import Database
from fleet.health.models import CollectorHeartbeat
from tests.conftest import TEST_SECRET, run_cli
from tests.peers.processes import CamfleetProcess
from tests.waiting import eventually

HOST, PORT = "127.102.0.1", 8717


async def test_several_workers_are_refused_on_sqlite(engine_name: str, env: dict[str, str]) -> None:
    if engine_name != "sqlite":
        pytest.skip("the refusal is SQLite's")
    done = run_cli(env, "serve", "--workers", "2", "--host", HOST, "--port", str(PORT))
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "--workers 2" in line and "PostgreSQL" in line and "Traceback" not in done.stderr


@pytest.mark.parametrize("workers", ["0", "-1", "many"])
async def test_worker_counts_below_one_are_usage_errors(env: dict[str, str], workers: str) -> None:
    done = run_cli(env, "serve", "--workers", workers)
    assert done.returncode == 2 and "--workers" in done.stderr


def _workers_of(pid: int) -> set[int]:
    """The uvicorn worker processes under ``pid`` (multiprocessing's spawned children, not its resource tracker).

    Children are listed per thread that started them: uvicorn's supervisor runs in a thread of its own.
    """
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"spawn_main" in command and b"resource_tracker" not in command:
                found.add(int(child))
    return found


@pytest.mark.processes
async def test_workers_serve_with_one_scheduler_on_postgresql(
    engine_name: str, env: dict[str, str], database: Database, tmp_path: Path
) -> None:
    if engine_name != "postgresql":
        pytest.skip("several workers are for PostgreSQL")
    service_env = {**env, "CAMFLEET_SECRET_KEY": TEST_SECRET}
    args = ["serve", "--workers", "2", "--host", HOST, "--port", str(PORT)]
    service = CamfleetProcess(service_env, tmp_path / "serve.log", *args)
    workers: set[int] = set()
    try:
        pid = service.process.pid

        async def serving() -> tuple[set[int], int | None, str]:
            assert service.running, service.output()[-3000:]
            async with httpx.AsyncClient(base_url=f"http://{HOST}:{PORT}", timeout=10) as http:
                try:
                    answer: int | None = (await http.get("/api/v1/health")).status_code
                except httpx.TransportError:
                    answer = None
            return _workers_of(pid), answer, service.output()[-2000:]

        workers, _answer, _log = await eventually(
            serving, lambda seen: len(seen[0]) == 2 and seen[1] == 200, timeout=180, what="two workers serving"
        )
        assert pid not in workers

        async def heartbeats() -> list[str]:
            async with database.unit_of_work() as session:
                return list(await session.scalars(select(CollectorHeartbeat.name)))

        # The scheduler runs in the supervising process, once: one collector heard, and it is that process.
        [beating] = await eventually(heartbeats, timeout=90, what="the scheduler's heartbeat")
        assert beating.split(":")[1] == str(pid)
        service.process.send_signal(signal.SIGTERM)
        returncode = await asyncio.to_thread(service.process.wait, 60)
    finally:
        if service.running:
            workers |= _workers_of(service.process.pid)
            service.kill()
        for worker in workers:  # a killed supervisor leaves its workers running (systemd ends the whole group)
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker, signal.SIGKILL)
    assert returncode == 0, service.output()[-3000:]
    assert "Traceback" not in service.output()
    assert not any(Path(f"/proc/{worker}").exists() for worker in workers)
