"""The entry points the CLI wires: `serve` (until cancelled) and `python -m simulator`."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from simulator.fleet import serve

FLEET = "name;host;onvif_port;snmp_port;rtsp_port;declared_manufacturer\nSV-1;127.40.3.1;8080;1161;8554;Bosch\n"


async def test_serve_runs_until_cancelled(tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text(FLEET, encoding="utf-8")
    ready = asyncio.Event()
    task = asyncio.create_task(serve(path, ("127.40.3.250", 8765), ready=ready, snapshot_size=(160, 90)))
    try:
        await asyncio.wait_for(ready.wait(), timeout=10)
        async with aiohttp.ClientSession() as http:
            async with http.get("http://127.40.3.250:8765/cameras/SV-1") as response:
                camera = await response.json()
            assert camera["identity"]["manufacturer"] == "Bosch"
            async with http.get("http://127.40.3.1:8080/snap.jpg") as response:
                assert response.status == 200
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    for address in (("127.40.3.250", 8765), ("127.40.3.1", 8080)):  # everything closed again
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection(*address)


def test_cli_refuses_a_bad_fleet_file_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text("name,host\nX,192.168.4.12\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "--fleet", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "simulator: line 2: host: 192.168.4.12 is outside 127.0.0.0/8"
