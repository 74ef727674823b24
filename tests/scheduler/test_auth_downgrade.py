"""A camera that offered Digest and now offers only Basic: the auth_downgrade fault with its evidence, the password
never sent to a camera not allowed Basic. Simulated cameras on loopback, the Poller, both engines."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest_asyncio
from sqlalchemy import select

from collectors.registry import Collectors
from config.checks import CheckKind
from config.settings import Settings
from fleet.cameras.models import Camera
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind
from fleet.faults.service import acknowledge
from fleet.health.models import CheckResult, CheckState, EndpointAuth, ErrorClass
from fleet.tickets.history import ticket_ids_for_faults
from scheduler.polling import Poller
from simulator.fleet import SimulatedFleet
from tests.builders import TEST_ACTOR, register_file

REFUSED = (
    "camera asks for Basic over unencrypted {}; credentials not sent; allow Basic for this camera if that is accepted"
)
# Name, host, allow_basic as the import file says it.
CAMERAS = {"DG-STRICT": ("127.90.9.1", "nee"), "DG-ALLOWED": ("127.90.9.2", "ja")}


@pytest_asyncio.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimulatedFleet]:
    lines = ["name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,username,password,allow_basic"]
    for n, (name, (host, allowed)) in enumerate(CAMERAS.items(), start=1):
        lines.append(f"{name},{host},8080,1161,8554,Axis Communications,root,Wacht-{n}-woord,{allowed}")
    (tmp_path / "fleet.csv").write_text("\n".join(lines) + "\n")
    async with SimulatedFleet.from_csv(tmp_path / "fleet.csv", snapshot_size=(320, 180)) as simulated:
        yield simulated


@pytest_asyncio.fixture
async def poller(
    settings: Settings, database: Database, cipher: CredentialCipher, tmp_path: Path, fleet: SimulatedFleet
) -> AsyncIterator[Poller]:
    await register_file(database, cipher, tmp_path / "fleet.csv")
    async with Collectors.for_settings(settings) as collectors:
        yield Poller(database, settings, collectors, cipher, owner="test-downgrade", rng=random.Random(3))


async def _downgrades(database: Database) -> dict[str, Fault]:
    async with database.unit_of_work() as session:
        names = {c.id: c.name for c in await session.scalars(select(Camera))}
        found = await session.scalars(
            select(Fault).where(Fault.kind == FaultKind.AUTH_DOWNGRADE, Fault.closed_at.is_(None))
        )
        return {names[f.camera_id]: f for f in found if f.camera_id is not None}


async def test_digest_to_basic_is_a_fault_with_evidence_and_no_password_is_sent(
    poller: Poller, database: Database, fleet: SimulatedFleet
) -> None:
    first = await poller.tick(everything=True)
    assert first.failed == 0
    async with database.unit_of_work() as session:
        allowed = {c.name: c.allow_basic for c in await session.scalars(select(Camera))}
        remembered = (await session.scalars(select(EndpointAuth))).all()
    assert allowed == {"DG-STRICT": False, "DG-ALLOWED": True}
    assert {(r.endpoint, r.offered) for r in remembered} == {("rtsp", "digest"), ("snapshot", "digest basic")}
    assert len(remembered) == 4 and all(r.digest_seen_at is not None for r in remembered)
    digest_seen = {(r.camera_id, r.endpoint): r.digest_seen_at for r in remembered}

    for name in CAMERAS:
        await fleet.camera(name).update(basic_only=True)
    fleet.reset_counters()
    await poller.tick(everything=True)
    await poller.tick(everything=True)  # once open, the fault stays one fault

    strict = fleet.camera("DG-STRICT").device.counters
    assert strict.logins.get("basic", 0) == 0  # the password never went out in clear
    assert fleet.camera("DG-ALLOWED").device.counters.logins["basic"] >= 2  # allowed: it did, and works
    faults = await _downgrades(database)
    assert set(faults) == set(CAMERAS)
    fault = faults["DG-STRICT"]
    assert fault.severity.value == "major" and "Digest last seen" in fault.summary
    endpoints = fault.details["endpoints"]
    assert set(endpoints) == {"rtsp", "snapshot"}
    for endpoint, evidence in endpoints.items():
        assert evidence["offered"] == ["basic"] and evidence["challenges"] == ['Basic realm="AXIS"']
        assert "digest" in evidence["previously_offered"] and evidence["uri"].startswith(("rtsp://", "http://"))
        seen = digest_seen[(fault.camera_id, endpoint)]
        assert seen is not None and datetime.fromisoformat(evidence["digest_last_seen_at"]) == seen
    async with database.unit_of_work() as session:
        fault_count = len((await session.scalars(select(Fault).where(Fault.kind == FaultKind.AUTH_DOWNGRADE))).all())
        states = {
            (s.camera_id, s.kind): s
            for s in await session.scalars(select(CheckState).where(CheckState.camera_id == fault.camera_id))
        }
        failed = (
            await session.scalars(
                select(CheckResult).where(CheckResult.camera_id == fault.camera_id, CheckResult.ok.is_(False))
            )
        ).all()
    assert fault_count == 2
    async with database.unit_of_work() as session:
        ticketed = await ticket_ids_for_faults(session, [fault.id])
    assert fault.id in ticketed  # the default policy: a p2 ticket, someone has to look
    for kind, channel in ((CheckKind.STREAM, "rtsp"), (CheckKind.IMAGE, "http")):
        state = states[(fault.camera_id, kind)]
        assert state.last_ok is False and state.last_error_class is ErrorClass.AUTH_FAILED
        assert state.last_error == REFUSED.format(channel)
    assert failed and all((r.values or {}).get("auth_offered") == ["basic"] for r in failed)

    await _acknowledged_stays_closed_and_digest_closes(poller, database, fleet, faults)


async def _acknowledged_stays_closed_and_digest_closes(
    poller: Poller, database: Database, fleet: SimulatedFleet, faults: dict[str, Fault]
) -> None:
    async with database.unit_of_work() as session:
        now = datetime.now(UTC)
        await acknowledge(session, actor=TEST_ACTOR, fault_id=faults["DG-STRICT"].id, at=now)
    await fleet.camera("DG-ALLOWED").update(basic_only=False)
    await poller.tick(everything=True)
    # Acknowledged: Basic is the remembered normal now, no new fault; the other offers Digest again: closed.
    assert await _downgrades(database) == {}
    async with database.unit_of_work() as session:
        closed = (await session.scalars(select(Fault).where(Fault.kind == FaultKind.AUTH_DOWNGRADE))).all()
    assert len(closed) == 2 and all(f.closed_at is not None for f in closed)
    assert all(f.closed_at - f.opened_at < timedelta(minutes=5) for f in closed)
