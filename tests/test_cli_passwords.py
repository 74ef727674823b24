"""`camfleet cameras passwords` and `cameras rotate-passwords` as users run them, against simulated cameras."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from simulator.fleet import SimulatedFleet
from tests.conftest import run_cli

SHARED = "Zelfde-voor-allen-1"
FLEET = "name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,username,password\n" + "".join(
    f"CLI-PW-{n},127.120.5.{n},8080,1161,8554,Hikvision,admin,{SHARED}\n" for n in (1, 2, 3)
)


async def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(run_cli, env, "cameras", *args)


@pytest_asyncio.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimulatedFleet]:
    (tmp_path / "fleet.csv").write_text(FLEET)
    async with SimulatedFleet.from_csv(tmp_path / "fleet.csv", snapshot_size=(320, 180)) as simulated:
        yield simulated


@pytest.mark.usefixtures("database")
async def test_report_then_rotate_all(env: dict[str, str], tmp_path: Path, fleet: SimulatedFleet) -> None:
    assert (await run(env, "import", str(tmp_path / "fleet.csv"))).returncode == 0
    before = await run(env, "passwords", "--json")
    assert before.returncode == 0, before.stderr
    assert SHARED not in before.stdout
    report = json.loads(before.stdout)
    assert report["shared_groups"] == [["CLI-PW-1", "CLI-PW-2", "CLI-PW-3"]]
    assert report["totals"]["default_username"] == 3

    table = await run(env, "passwords")
    assert "3 cameras with an ONVIF login: 3 share a password, 3 use a factory user name" in table.stdout

    rotated = await run(env, "rotate-passwords", "--all", "--batch-size", "2")
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.rstrip().endswith("password rotation 1 done: 3 rotated")
    after = json.loads((await run(env, "passwords", "--json")).stdout)
    assert after["shared_groups"] == [] and after["totals"]["sharing"] == 0
    assert all(c["changes"] == 1 for cam in fleet.cameras.values() for c in cam.describe()["accounts"]["users"])


@pytest.mark.usefixtures("database")
async def test_rotate_needs_cameras(env: dict[str, str], tmp_path: Path, fleet: SimulatedFleet) -> None:
    assert (await run(env, "import", str(tmp_path / "fleet.csv"))).returncode == 0
    neither = await run(env, "rotate-passwords")
    assert neither.returncode == 1 and neither.stderr.startswith("error: name the cameras, or give --all")
    unknown = await run(env, "rotate-passwords", "CLI-PW-1", "NOPE")
    assert unknown.returncode == 1 and "no camera named NOPE" in unknown.stderr
