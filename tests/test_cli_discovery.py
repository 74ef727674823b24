"""``camfleet discover`` through the real command (in-process): a WS-Discovery probe only where a person said,
inside a network namespace the test makes, its answers kept."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from simulator.wsdiscovery import Advertised, respond
from tests.peers.netns import DEVICES, namespace, run_inside

CAMERA = Advertised("urn:uuid:00000000-0000-4000-8000-0000000000aa", (f"http://{DEVICES[0]}/onvif/device_service",))


def _env(sqlite_template: Path, tmp_path: Path, **more: str) -> dict[str, str]:
    # SQLite: PostgreSQL on the host's loopback is out of the namespace's reach (the recording of answers is tested
    # on both engines in tests/fleet/discovery).
    shutil.copy(sqlite_template, tmp_path / "camfleet.db")
    return {
        "CAMFLEET_DATA_DIR": str(tmp_path),
        "CAMFLEET_DATABASE_URL": f"sqlite:///{tmp_path / 'camfleet.db'}",
        "CAMFLEET_CONFIG": "",
        "CAMFLEET_DISCOVERY__PROBE_WAIT": "1s",
        **more,
    }


def test_nothing_is_probed_unless_interfaces_are_named(sqlite_template: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["discover", "probe"], env=_env(sqlite_template, tmp_path))
    assert result.exit_code == 1
    assert "no interface to probe: set discovery.probe_interfaces" in result.stderr


def test_probe_lists_and_keeps_the_answers(sqlite_template: Path, tmp_path: Path) -> None:
    env = _env(sqlite_template, tmp_path, CAMFLEET_DISCOVERY__PROBE_INTERFACES='["wsd0"]')

    async def scenario() -> list[str]:
        responder = await respond(DEVICES[0], (CAMERA,))
        try:
            outputs = []
            for args in (["discover", "probe", "--json"], ["discover", "probe", "--interface", "10.136.0.1"]):
                result = await asyncio.to_thread(CliRunner().invoke, app, args, env=env, catch_exceptions=False)
                assert result.exit_code == 0, result.stderr
                outputs.append(result.stdout)
            return outputs
        finally:
            responder.close()

    with namespace() as name:
        listed, table = run_inside(name, scenario)
    assert json.loads(listed) == [
        {
            "endpoint": CAMERA.endpoint,
            "address": DEVICES[0],
            "xaddrs": list(CAMERA.xaddrs),
            "scopes": list(CAMERA.scopes),
        }
    ]
    assert "1 devices answered" in table and DEVICES[0] in table
    with sqlite3.connect(tmp_path / "camfleet.db") as kept:
        rows = kept.execute(
            "SELECT endpoint, address, first_seen_at < last_seen_at FROM ws_discovery_matches"
        ).fetchall()
    assert rows == [(CAMERA.endpoint, DEVICES[0], 1)]  # one row, seen twice


def test_the_reconciliation_report_and_a_table_read_with_nothing_to_read(sqlite_template: Path, tmp_path: Path) -> None:
    env = _env(sqlite_template, tmp_path)
    tables = CliRunner().invoke(app, ["discover", "tables"], env=env, catch_exceptions=False)
    assert tables.exit_code == 0 and "read the tables of 0 network devices; 0 could not be read" in tables.stdout
    written = CliRunner().invoke(
        app, ["report", "reconciliation", "--format", "json", "--output", str(tmp_path / "r.json")], env=env
    )
    assert written.exit_code == 0, written.stderr
    assert "0 not registered, 0 not found, 0 moved, 0 swapped" in written.stdout
    assert json.loads((tmp_path / "r.json").read_text())["unregistered"] == []
    book = tmp_path / "r.xlsx"
    made = CliRunner().invoke(app, ["report", "reconciliation", "--output", str(book), "--lang", "nl"], env=env)
    assert made.exit_code == 0 and book.read_bytes()[:2] == b"PK"
    wrong = CliRunner().invoke(app, ["report", "reconciliation", "--format", "pdf", "--output", str(book)], env=env)
    assert wrong.exit_code == 1 and "--format pdf: use xlsx or json" in wrong.stderr
