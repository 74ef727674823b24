"""An ONVIF client camfleet does not use (PyPI libonvif) reads the simulator as our collector does.

This shows the simulator speaks ONVIF, rather than only agreeing with our own client.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from collectors.base import OnvifIdentityObservation, Target
from collectors.registry import Collectors
from config.checks import CheckKind
from simulator.fleet import SimulatedFleet

ROOT = Path(__file__).resolve().parents[2]
INTEROP_PYTHON = ROOT / ".venv-interop" / "bin" / "python"
PROBE = Path(__file__).with_name("libonvif_probe.py")
FLEET = """name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,username,password
AX,127.42.0.1,8080,1161,8554,Axis Communications,root,pass-axis-1
HK,127.42.0.2,8080,1161,8554,Hikvision,admin,pass-hik-12
DH,127.42.0.3,8080,1161,8554,Dahua,admin,pass-dahua-1
HW,127.42.0.4,8080,1161,8554,Hanwha Vision,admin,pass-hanwha
"""


@pytest.fixture(scope="module")
def interop_python() -> Path:
    if not INTEROP_PYTHON.exists():
        pytest.fail(f"{INTEROP_PYTHON} is missing: `make install` creates the interop environment with libonvif")
    return INTEROP_PYTHON


@pytest_asyncio.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimulatedFleet]:
    path = tmp_path / "fleet.csv"
    path.write_text(FLEET)
    async with SimulatedFleet.from_csv(path, snapshot_size=(320, 180)) as simulated:
        yield simulated


async def probe(python: Path, host: str, user: str, password: str) -> dict[str, Any]:
    result = await asyncio.to_thread(
        subprocess.run,
        [str(python), str(PROBE), host, "8080", user, password],
        capture_output=True,
        text=True,
        timeout=60,
    )
    found: dict[str, Any] = json.loads(result.stdout)
    return found


@pytest.mark.parametrize("name", ["AX", "HK", "DH", "HW"])
async def test_libonvif_and_our_collector_read_the_same_device(
    fleet: SimulatedFleet, interop_python: Path, name: str
) -> None:
    spec = fleet.camera(name).device.spec
    theirs = await probe(interop_python, spec.host, spec.username, spec.password)
    assert theirs["errors"] == []
    target = Target(1, name, spec.host, 8080, 8554, 1161, spec.username, spec.password)
    async with Collectors(device_timeout=10) as collectors:
        result = await collectors.run(CheckKind.ONVIF_IDENTITY, target)
    ours = result.observation
    assert isinstance(ours, OnvifIdentityObservation), result.error
    assert (theirs["manufacturer"], theirs["model"], theirs["firmware"], theirs["serial"]) == (
        ours.manufacturer,
        ours.model,
        ours.firmware,
        ours.serial,
    )
    assert [m.lower() for m in theirs["macs"]] == [ours.mac]
    assert [p["stream_uri"] for p in theirs["profiles"]] == [p.stream_uri for p in ours.profiles]
    assert theirs["clock_year"] is not None


async def test_libonvif_is_refused_with_a_wrong_password(fleet: SimulatedFleet, interop_python: Path) -> None:
    theirs = await probe(interop_python, "127.42.0.1", "root", "wrong-password")
    assert any("NotAuthorized" in error for error in theirs["errors"])
