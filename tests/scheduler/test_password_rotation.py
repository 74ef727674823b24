"""Verified password rotation across 20 simulated cameras: staged, one camera failing half-way keeps its old password
(put back and proven), the rest get new ones, every login stored works, every step is audited and no password is
ever in the audit log; a lock-out answer stops the run. Both engines."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select

from collectors import Collectors
from fleet.audit.models import AuditEntry
from fleet.cameras.models import Camera
from fleet.crypto import CredentialCipher
from fleet.db import Database, utcnow
from fleet.passwords import service as passwords
from fleet.passwords.models import RotationStatus
from simulator.fleet import SimulatedFleet
from tests.builders import TEST_ACTOR
from tests.scheduler import rotation_site as site

COUNT = 20
NAMES = [f"ROT-{n:02d}" for n in range(1, COUNT + 1)]
HALF_WAY = "ROT-07"  # not the first: the first camera runs alone and must succeed for the run to go on


def _original(name: str) -> str:
    return f"Fabriek-{name}-pw"


@pytest_asyncio.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimulatedFleet]:
    rows = []
    for n, name in enumerate(NAMES, start=1):
        maker = "Hikvision" if n % 2 else "Axis Communications"
        rows.append(f"{name},127.120.4.{n},8080,1161,8554,{maker},admin,{_original(name)}")
    async with site.simulated(tmp_path / "fleet.csv", rows) as simulated:
        for camera in simulated.cameras.values():
            await camera.update(lockout_after=3, lockout_s=120)
        yield simulated


@pytest_asyncio.fixture
async def collectors() -> AsyncIterator[Collectors]:
    async with Collectors(device_timeout=5.0) as shared:
        yield shared


async def _steps(database: Database) -> dict[str, list[str]]:
    async with database.unit_of_work() as session:
        names = {str(c.id): c.name for c in await session.scalars(select(Camera))}
        entries = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "password.rotation.step").order_by(AuditEntry.id)
        )
        steps: dict[str, list[str]] = {}
        for entry in entries:
            assert entry.after is not None and entry.target_id is not None
            steps.setdefault(names[entry.target_id], []).append(entry.after["step"])
        return steps


@pytest.mark.parametrize("half_way", ["drop_after_set", "keep_old"])
async def test_rotation_across_20_cameras_one_failing_half_way(
    database: Database,
    cipher: CredentialCipher,
    fleet: SimulatedFleet,
    collectors: Collectors,
    tmp_path: Path,
    half_way: str,
) -> None:
    ids = await site.register(database, cipher, tmp_path / "fleet.csv")
    await fleet.camera(HALF_WAY).update(set_user_fault=half_way)
    async with database.unit_of_work() as session:
        run = await passwords.request_rotation(
            session, actor=TEST_ACTOR, camera_ids=list(ids.values()), batch_size=5, at=utcnow()
        )
    finished = await site.rotate(database, cipher, collectors, run.id)
    assert finished is not None

    assert finished.status is RotationStatus.DONE and finished.stop_reason is None
    outcomes = {name: finished.outcomes[str(ids[name])] for name in NAMES}
    assert outcomes == {name: "kept_old" if name == HALF_WAY else "rotated" for name in NAMES}

    # All 20 log in with what is stored: 19 new passwords, 1 old.
    stored = await site.stored(database, cipher)
    for name in NAMES:
        password = stored[ids[name]]
        assert (password == _original(name)) is (name == HALF_WAY), name
        assert await collectors.accounts.login_works(site.target(fleet, ids[name], name), "admin", password), name
    assert len({stored[ids[name]] for name in NAMES}) == COUNT  # no two alike
    assert all(len(stored[ids[n]]) >= 16 for n in NAMES if n != HALF_WAY)

    steps = await _steps(database)
    proven = ["old_login_proven", "set_sent", "new_login_proven", "old_login_refused", "stored"]
    assert all(steps[name] == proven for name in NAMES if name != HALF_WAY)
    if half_way == "keep_old":
        expected = ["old_login_proven", "set_sent", "new_login_refused", "restore_sent", "old_login_restored"]
    else:
        expected = [
            "old_login_proven",
            "set_sent",
            "set_failed",
            "restore_sent",
            "restore_answer",
            "old_login_restored",
        ]
    assert steps[HALF_WAY] == expected

    # Staged: the first camera was done before any other began.
    async with database.unit_of_work() as session:
        audit = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    first = [e.id for e in audit if e.target_id == str(ids[NAMES[0]]) and e.action == "password.rotation.step"]
    others = [e.id for e in audit if e.target_id != str(ids[NAMES[0]]) and e.action == "password.rotation.step"]
    assert max(first) < min(others)
    # No password anywhere in the audit log.
    text = json.dumps([(e.before, e.after) for e in audit])
    assert not any(secret in text for secret in (*stored.values(), *map(_original, NAMES)))


async def test_a_lock_out_answer_stops_the_run(
    database: Database, cipher: CredentialCipher, fleet: SimulatedFleet, collectors: Collectors, tmp_path: Path
) -> None:
    ids = await site.register(database, cipher, tmp_path / "fleet.csv")
    locked = fleet.camera("ROT-03")
    await locked.update(lockout_after=1)
    assert not await collectors.accounts.login_works(site.target(fleet, ids["ROT-03"], "ROT-03"), "admin", "wrong")
    async with database.unit_of_work() as session:
        run = await passwords.request_rotation(
            session, actor=TEST_ACTOR, camera_ids=list(ids.values()), batch_size=2, at=utcnow()
        )
    finished = await site.rotate(database, cipher, collectors, run.id)
    assert finished is not None
    assert finished.status is RotationStatus.STOPPED
    assert finished.stop_reason is not None and finished.stop_reason.startswith("ROT-03 answered with a lock-out")
    outcomes = {name: finished.outcomes[str(ids[name])] for name in NAMES}
    # The first camera alone, then ROT-02 and ROT-03 together: ROT-02 stops before its set if the lock-out came
    # first, or finishes; nothing after them is begun.
    assert outcomes["ROT-01"] == "rotated" and outcomes["ROT-03"] == "locked_out"
    assert outcomes["ROT-02"] in {"rotated", "not_attempted"}
    assert {outcomes[name] for name in NAMES[3:]} == {"not_attempted"}
    stored = await site.stored(database, cipher)
    assert stored[ids["ROT-01"]] != _original("ROT-01")
    assert (stored[ids["ROT-02"]] == _original("ROT-02")) is (outcomes["ROT-02"] == "not_attempted")
    assert all(stored[ids[name]] == _original(name) for name in NAMES[2:])
    for name in NAMES[:2]:
        assert await collectors.accounts.login_works(site.target(fleet, ids[name], name), "admin", stored[ids[name]])


async def test_a_run_asked_for_elsewhere_is_carried_out_by_the_collector_job(
    database: Database, cipher: CredentialCipher, fleet: SimulatedFleet, collectors: Collectors, tmp_path: Path
) -> None:
    ids = await site.register(database, cipher, tmp_path / "fleet.csv")
    three = [ids[name] for name in NAMES[:3]]
    async with database.unit_of_work() as session:
        run = await passwords.request_rotation(session, actor=TEST_ACTOR, camera_ids=three, batch_size=2, at=utcnow())
    assert run.status is RotationStatus.PENDING
    finished = await site.rotate(database, cipher, collectors)
    assert finished is not None and finished.id == run.id and finished.status is RotationStatus.DONE
    assert sorted(finished.outcomes.values()) == ["rotated"] * 3
    # Nothing left to claim: a second collector finds no run.
    assert await site.rotate(database, cipher, collectors) is None
    async with database.unit_of_work() as session:
        steps = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "password.rotation.step"))).all()
    assert {e.actor for e in steps} == {TEST_ACTOR.name}


async def test_stopping_camfleet_mid_run_finishes_the_cameras_under_way_first(
    database: Database, cipher: CredentialCipher, fleet: SimulatedFleet, collectors: Collectors, tmp_path: Path
) -> None:
    ids = await site.register(database, cipher, tmp_path / "fleet.csv")
    six = NAMES[:6]
    for name in six:
        await fleet.camera(name).update(latency_ms=150)
    async with database.unit_of_work() as session:
        run = await passwords.request_rotation(
            session, actor=TEST_ACTOR, camera_ids=[ids[n] for n in six], batch_size=2, at=utcnow()
        )
    task = asyncio.create_task(site.rotate(database, cipher, collectors, run.id))
    for _ in range(600):  # until the second stage has sent its first SetUser (a generous deadline)
        steps = await _steps(database)
        if "set_sent" in steps.get("ROT-02", []) or "set_sent" in steps.get("ROT-03", []):
            break
        await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with database.unit_of_work() as session:
        stopped = await passwords.get_run(session, run.id)
    assert stopped.status is RotationStatus.STOPPED and stopped.stop_reason == "camfleet was stopped during the run"
    outcomes = {name: stopped.outcomes[str(ids[name])] for name in six}
    assert outcomes["ROT-01"] == "rotated" and {outcomes[n] for n in six[3:]} == {"not_attempted"}
    assert {outcomes["ROT-02"], outcomes["ROT-03"]} <= {"rotated", "not_attempted"}
    stored = await site.stored(database, cipher)
    for name in six:
        assert await collectors.accounts.login_works(site.target(fleet, ids[name], name), "admin", stored[ids[name]]), (
            name
        )
