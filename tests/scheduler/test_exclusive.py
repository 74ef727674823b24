"""`camfleet collector` as a process: one per SQLite file (an API beside it is allowed), and its metrics."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import run_cli
from tests.peers.processes import CamfleetProcess
from tests.peers.receivers import free_port

HOST = "127.92.0.10"


@pytest.fixture
def sqlite_env(sqlite_template: Path, tmp_path: Path) -> Iterator[dict[str, str]]:
    database = tmp_path / "camfleet.db"
    shutil.copy(sqlite_template, database)  # with its mode (0600)
    yield {
        **os.environ,
        "CAMFLEET_DATA_DIR": str(tmp_path / "var"),
        "CAMFLEET_DATABASE_URL": f"sqlite:///{database}",
        "CAMFLEET_CONFIG": "",
        "COLUMNS": "200",
    }


def test_second_scheduler_on_one_sqlite_file_is_refused(sqlite_env: dict[str, str], tmp_path: Path) -> None:
    first = CamfleetProcess(sqlite_env, tmp_path / "first.log", "collector")
    api: CamfleetProcess | None = None
    try:
        first.wait_for("collector running", timeout=60)
        for args in (["collector"], ["collector", "--group", "noord"], ["serve", "--host", HOST, "--port", "1"]):
            refused = run_cli(sqlite_env, *args)
            assert refused.returncode == 1, refused.stdout + refused.stderr
            # Above it only the start-up log (the schema check); the reason is one line.
            [line] = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
            assert line.startswith("error: a collector already runs on ") and "camfleet.db (pid " in line
            assert "PostgreSQL" in line and "Traceback" not in refused.stderr

        port = free_port()
        api = CamfleetProcess(
            sqlite_env, tmp_path / "api.log", "serve", "--no-scheduler", "--host", HOST, "--port", str(port)
        )
        api.wait_for("Uvicorn running", timeout=60)
        assert httpx.get(f"http://{HOST}:{port}/api/v1/health", timeout=10).status_code == 200

        # kill -9 leaves no clean-up behind, yet the operating system dropped the lock: a new collector starts.
        first.kill()
        second = CamfleetProcess(sqlite_env, tmp_path / "second.log", "collector")
        try:
            second.wait_for("collector running", timeout=60)
        finally:
            second.stop()
    finally:
        first.stop()
        if api is not None:
            api.stop()


def test_collector_serves_its_metrics(sqlite_env: dict[str, str], tmp_path: Path) -> None:
    wrong = run_cli(sqlite_env, "collector", "--metrics", "9108")
    assert wrong.returncode == 1 and "error: --metrics 9108: expected HOST:PORT" in wrong.stderr
    port = free_port()
    collector = CamfleetProcess(sqlite_env, tmp_path / "collector.log", "collector", "--metrics", f"{HOST}:{port}")
    try:
        collector.wait_for("collector running", timeout=60)
        answer = httpx.get(f"http://{HOST}:{port}/metrics", timeout=10)
        assert answer.status_code == 200 and "camfleet_checks" in answer.text
    finally:
        collector.stop()
