"""SNMP traps between polls: a simulated camera's coldStart (127.121.4.x) makes its identity check run at once;
traps from strangers or under another community are not taken; both engines."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest_asyncio
from sqlalchemy import select

from config.checks import CheckKind
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.events.models import EventCount
from fleet.health.models import CheckState
from scheduler.jobs import running_scheduler
from simulator.fleet import SimulatedFleet
from tests.builders import register_file
from tests.waiting import eventually

RECEIVER = ("127.121.4.250", 1162)
CAMERAS = (
    "name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,username,password,snmp_version,snmp_community,"
    "snmp_user,snmp_auth_key,snmp_priv_key\n"
    "TR-CAM,127.121.4.1,8080,1161,8554,Hikvision,admin,val-7-Trap,2c,trap-gemeenschap,,,\n"
    "TR-V3,127.121.4.3,8080,1161,8554,Axis Communications,admin,val-7-Trap,3,,vallen,sleutel-auth-7,sleutel-priv-7\n"
)
# Simulated beside them but not in camfleet's registry: its traps match no camera.
STRANGER = "TR-STRANGER,127.121.4.2,8080,1161,8554,Hikvision,admin,val-7-Trap,2c,trap-gemeenschap,,,\n"
DEADLINE = 120.0


@pytest_asyncio.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimulatedFleet]:
    (tmp_path / "registry.csv").write_text(CAMERAS)
    (tmp_path / "simulated.csv").write_text(CAMERAS + STRANGER)
    async with SimulatedFleet.from_csv(tmp_path / "simulated.csv", snapshot_size=(64, 36)) as simulated:
        for camera in simulated.cameras.values():
            await camera.update(trap_to=f"{RECEIVER[0]}:{RECEIVER[1]}", events=False)
        yield simulated


async def _identity_runs(database: Database) -> dict[int, Any]:
    async with database.unit_of_work() as session:
        states = await session.scalars(select(CheckState).where(CheckState.kind == CheckKind.ONVIF_IDENTITY))
        return {s.camera_id: s.last_run_at for s in states}


async def _counts(database: Database) -> dict[str, int]:
    """Traps received per topic, all cameras together."""
    async with database.unit_of_work() as session:
        counts: dict[str, int] = {}
        for count in await session.scalars(select(EventCount)):
            counts[count.topic] = counts.get(count.topic, 0) + count.received
        return counts


async def test_a_reboot_trap_runs_the_identity_check_at_once(
    settings: Settings, database: Database, cipher: CredentialCipher, tmp_path: Path, fleet: SimulatedFleet
) -> None:
    await register_file(database, cipher, tmp_path / "registry.csv")
    async with running_scheduler(settings, database, cipher, poller_group=None, traps=RECEIVER):
        first = await eventually(
            lambda: _identity_runs(database),
            lambda runs: len(runs) == 2 and all(runs.values()),
            timeout=DEADLINE,
            what="the first identity checks",
        )
        asked = {name: fleet.camera(name).device.counters.onvif["GetDeviceInformation"] for name in ("TR-CAM", "TR-V3")}
        rebooted_at = datetime.now(UTC)
        await fleet.camera("TR-STRANGER").reboot()  # a trap nobody registered
        # coldStart from each camera's own address: v2c under its community, v3 authPriv as its user.
        await fleet.camera("TR-CAM").reboot()
        await fleet.camera("TR-V3").reboot()
        # The identity check is daily by default: it runs now because of the traps.
        await eventually(
            lambda: _identity_runs(database),
            lambda runs: all(runs[i] > max(first[i], rebooted_at) for i in first),
            timeout=DEADLINE,
            what="the identity checks run by the coldStart traps",
        )
        for name, before in asked.items():
            assert fleet.camera(name).device.counters.onvif["GetDeviceInformation"] > before
        counts = await eventually(
            lambda: _counts(database),
            lambda found: found.get("snmp:coldStart") == 2,
            timeout=DEADLINE,
            what="the traps counted",
        )
    assert counts == {"snmp:coldStart": 2}  # the stranger's is not
