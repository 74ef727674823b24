"""`camfleet network-devices` and the uplink columns as users run them: a real process, lines, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli as run


@pytest.mark.usefixtures("database")
def test_network_devices_import_then_cameras_hang_on_them(env: dict[str, str], tmp_path: Path) -> None:
    network = tmp_path / "network.csv"
    network.write_text(
        "name;host;device_type;uplink_device;uplink_port\n"
        "SW-1;127.123.4.2;switch;MC-1;1\n"
        "MC-1;127.123.4.1;media_converter;;\n",
        encoding="utf-8",
    )
    dry = run(env, "network-devices", "import", str(network), "--dry-run")
    assert dry.returncode == 0 and "2 rows valid; nothing written" in dry.stdout
    done = run(env, "network-devices", "import", str(network))
    assert done.returncode == 0, done.stderr
    assert "imported 2 network devices: 2 created, 0 updated, 0 unchanged" in done.stdout

    cameras = tmp_path / "cameras.csv"
    cameras.write_text(
        "name,host,uplink_device,uplink_port\nCAM-1,127.123.5.1,SW-1,3\nCAM-2,127.123.5.2,SW-9,4\n", encoding="utf-8"
    )
    refused = run(env, "cameras", "import", str(cameras))
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[0].startswith("line 3: uplink_device: no network device named 'SW-9'")
    cameras.write_text("name,host,uplink_device,uplink_port\nCAM-1,127.123.5.1,SW-1,3\n", encoding="utf-8")
    assert run(env, "cameras", "import", str(cameras)).returncode == 0

    listed = json.loads(run(env, "network-devices", "list", "--json").stdout)
    assert [(d["name"], d["device_type"], d["uplink_device"], d["devices_behind"]) for d in listed] == [
        ("MC-1", "media_converter", None, 1),
        ("SW-1", "switch", "MC-1", 1),
    ]
    shown = json.loads(run(env, "cameras", "list", "--json").stdout)
    assert [(c["name"], c["uplink_device"], c["uplink_port"]) for c in shown] == [("CAM-1", "SW-1", "3")]
    looped = tmp_path / "looped.csv"
    looped.write_text("name,host,device_type,uplink_device\nMC-1,127.123.4.1,media_converter,SW-1\n", encoding="utf-8")
    rejected = run(env, "network-devices", "import", str(looped))
    assert rejected.returncode == 1 and "loop: MC-1 → SW-1 → MC-1" in rejected.stderr
