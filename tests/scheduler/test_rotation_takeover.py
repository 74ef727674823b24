"""A rotation whose process died does not block new runs forever: its lease runs out, the next one to look for work
checks each camera it had in flight (which password logs in now), stores or forgets the new one by that, ends the run
`abandoned` (audited), and then new runs go ahead. A live run renews its lease and blocks others. Both engines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select

from collectors import Collectors
from fleet.audit.models import AuditEntry
from fleet.cameras.models import CameraCredentials
from fleet.crypto import CredentialCipher
from fleet.db import Database, utcnow
from fleet.errors import Conflict
from fleet.passwords import leases
from fleet.passwords import service as passwords
from fleet.passwords.models import RotationStatus
from scheduler.rotation import run_pending
from simulator.fleet import SimulatedFleet
from tests.builders import TEST_ACTOR
from tests.scheduler import rotation_site as site

NAMES = ["TKO-1", "TKO-2", "TKO-3", "TKO-4"]
LEASE = timedelta(minutes=2)
# The new passwords the dead run had in flight (made up here; a real run makes them with fleet/passwords/rules.py).
REACHED = "Nieuw-TKO-1-bereikt"  # the camera took it before the process died
NOT_REACHED = "Nieuw-TKO-2-onderweg"  # kept, but the process died before the camera got it


def _original(name: str) -> str:
    return f"Fabriek-{name}-pw"


@pytest_asyncio.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimulatedFleet]:
    rows = [f"{name},127.132.2.{n},8080,1161,8554,Hikvision,admin,{_original(name)}" for n, name in enumerate(NAMES, 1)]
    async with site.simulated(tmp_path / "fleet.csv", rows) as simulated:
        yield simulated


@pytest_asyncio.fixture
async def collectors() -> AsyncIterator[Collectors]:
    async with Collectors(device_timeout=5.0) as shared:
        yield shared


async def _stored(database: Database, cipher: CredentialCipher) -> dict[int, tuple[str, bool]]:
    """Per camera: the stored password and whether a new one is still kept in flight."""
    async with database.unit_of_work() as session:
        return {
            c.camera_id: (cipher.decrypt(c.ciphertext)["password"], c.pending_ciphertext is not None)
            for c in await session.scalars(select(CameraCredentials))
        }


async def _crashed_run(database: Database, cipher: CredentialCipher, fleet: SimulatedFleet, ids: dict[str, int]) -> int:
    """A run left `running` by a process that died mid-batch: TKO-1's change reached the camera, TKO-2's did not,
    TKO-3 and TKO-4 were not begun; its lease ran out a minute ago."""
    async with database.unit_of_work() as session:
        run = await passwords.request_rotation(
            session, actor=TEST_ACTOR, camera_ids=[ids[n] for n in NAMES], batch_size=2, at=utcnow()
        )
        claimed = await leases.claim(session, run_id=run.id, owner="collector:dead", lease=LEASE, at=utcnow())
        assert claimed is not None
        claimed.lease_until = utcnow() - timedelta(minutes=1)
        await leases.stage(session, camera_id=ids["TKO-1"], password=REACHED, cipher=cipher)
        await leases.stage(session, camera_id=ids["TKO-2"], password=NOT_REACHED, cipher=cipher)
    fleet.camera("TKO-1").device.accounts.users["admin"].password = REACHED
    return run.id


async def test_a_crashed_run_is_taken_over_its_cameras_checked_and_new_runs_go_ahead(
    database: Database, cipher: CredentialCipher, fleet: SimulatedFleet, collectors: Collectors, tmp_path: Path
) -> None:
    ids = await site.register(database, cipher, tmp_path / "fleet.csv")
    dead = await _crashed_run(database, cipher, fleet, ids)

    # Its lease ran out: it no longer blocks asking for a new run.
    async with database.unit_of_work() as session:
        fresh = await passwords.request_rotation(
            session, actor=TEST_ACTOR, camera_ids=[ids[n] for n in NAMES], batch_size=2, at=utcnow()
        )
    # The next collector first ends the dead run, checking the cameras it had in flight before anything else.
    transports = collectors.account_transports
    ended = await run_pending(database, cipher, transports, owner="collector:next", lease=LEASE)
    assert ended is not None and ended.id == dead and ended.status is RotationStatus.ABANDONED
    assert ended.stop_reason is not None and ended.stop_reason.startswith("collector:dead stopped renewing the run")
    outcomes = {name: ended.outcomes[str(ids[name])] for name in NAMES}
    assert outcomes == {"TKO-1": "rotated", "TKO-2": "kept_old", "TKO-3": "not_attempted", "TKO-4": "not_attempted"}
    stored = await _stored(database, cipher)
    assert stored[ids["TKO-1"]] == (REACHED, False) and stored[ids["TKO-2"]] == (_original("TKO-2"), False)
    for name in NAMES:
        target = site.target(fleet, ids[name], name)
        assert await collectors.accounts.login_works(target, "admin", stored[ids[name]][0]), name

    async with database.unit_of_work() as session:
        audit = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    takeover = [e for e in audit if e.action == "password.rotation.takeover"]
    assert len(takeover) == 1 and takeover[0].before is not None and takeover[0].after is not None
    assert takeover[0].before["owner"] == "collector:dead" and takeover[0].after["owner"] == "collector:next"
    steps = [
        (e.target_id, e.after["step"]) for e in audit if e.action == "password.rotation.step" and e.after is not None
    ]
    assert steps == [
        (str(ids["TKO-1"]), "takeover_check"),
        (str(ids["TKO-1"]), "takeover_new_login_works"),
        (str(ids["TKO-2"]), "takeover_check"),
        (str(ids["TKO-2"]), "takeover_old_login_works"),
    ]
    finish = [e for e in audit if e.action == "password.rotation.finish"]
    assert finish[-1].after is not None and finish[-1].after["status"] == "abandoned"
    assert not any(secret in str([(e.before, e.after) for e in audit]) for secret in (REACHED, NOT_REACHED))

    # Then the new run is carried out as usual.
    done = await run_pending(database, cipher, transports, owner="collector:next", lease=LEASE)
    assert done is not None and done.id == fresh.id and done.status is RotationStatus.DONE
    assert sorted(done.outcomes.values()) == ["rotated"] * 4


async def test_a_camera_taking_neither_password_needs_attention_and_keeps_the_new_one(
    database: Database, cipher: CredentialCipher, fleet: SimulatedFleet, collectors: Collectors, tmp_path: Path
) -> None:
    ids = await site.register(database, cipher, tmp_path / "fleet.csv")
    dead = await _crashed_run(database, cipher, fleet, ids)
    fleet.camera("TKO-1").device.accounts.users["admin"].password = "Iemand-anders-1"  # changed by someone else
    ended = await run_pending(
        database, cipher, collectors.account_transports, owner="cli:host:1", lease=LEASE, run_id=dead
    )
    assert ended is not None and ended.status is RotationStatus.ABANDONED
    assert ended.outcomes[str(ids["TKO-1"])] == "needs_attention"
    stored = await _stored(database, cipher)
    # Nothing is lost: the stored login stays, the new one stays kept (encrypted) for a person or a later check.
    assert stored[ids["TKO-1"]] == (_original("TKO-1"), True)


async def test_a_live_run_renews_its_lease_and_blocks_others(
    database: Database, cipher: CredentialCipher, fleet: SimulatedFleet, collectors: Collectors, tmp_path: Path
) -> None:
    ids = await site.register(database, cipher, tmp_path / "fleet.csv")
    for name in NAMES[:2]:
        await fleet.camera(name).update(latency_ms=150)
    lease = timedelta(seconds=3)
    async with database.unit_of_work() as session:
        run = await passwords.request_rotation(
            session, actor=TEST_ACTOR, camera_ids=[ids[n] for n in NAMES[:2]], batch_size=1, at=utcnow()
        )
    task = asyncio.create_task(
        run_pending(database, cipher, collectors.account_transports, owner="collector:a", lease=lease)
    )
    first_lease = None
    renewed = False
    for _ in range(200):  # until the lease was renewed at least once (every second here)
        await asyncio.sleep(0.05)
        async with database.unit_of_work() as session:
            current = await passwords.get_run(session, run.id)
            if current.status is RotationStatus.RUNNING and current.lease_until is not None:
                first_lease = first_lease or current.lease_until
                if current.lease_until > first_lease:
                    renewed = True
                    assert current.owner == "collector:a"
                    # Held and live: no new run, and nobody else takes it over.
                    with pytest.raises(Conflict):
                        await passwords.request_rotation(
                            session, actor=TEST_ACTOR, camera_ids=[ids["TKO-1"]], batch_size=1, at=utcnow()
                        )
                    assert (
                        await leases.take_over(session, owner="collector:b", lease=lease, at=utcnow(), actor=TEST_ACTOR)
                        is None
                    )
                    break
    finished = await task
    assert renewed, "the lease was never renewed"
    assert finished is not None and finished.status is RotationStatus.DONE
    assert finished.owner is None and finished.lease_until is None


async def test_a_process_whose_run_was_taken_over_stops_and_leaves_it_to_the_new_owner(
    database: Database, cipher: CredentialCipher, fleet: SimulatedFleet, collectors: Collectors, tmp_path: Path
) -> None:
    ids = await site.register(database, cipher, tmp_path / "fleet.csv")
    three = NAMES[:3]
    for name in three:
        await fleet.camera(name).update(latency_ms=150)
    lease = timedelta(seconds=3)
    async with database.unit_of_work() as session:
        run = await passwords.request_rotation(
            session, actor=TEST_ACTOR, camera_ids=[ids[n] for n in three], batch_size=1, at=utcnow()
        )
    task = asyncio.create_task(
        run_pending(database, cipher, collectors.account_transports, owner="collector:slow", lease=lease)
    )
    taken = None
    for _ in range(200):  # once it runs, another process (believing it dead) takes it over
        await asyncio.sleep(0.05)
        async with database.unit_of_work() as session:
            current = await passwords.get_run(session, run.id)
            if current.status is RotationStatus.RUNNING:
                current.lease_until = utcnow() - timedelta(seconds=1)
                await session.flush()
                taken = await leases.take_over(
                    session, owner="collector:b", lease=timedelta(minutes=5), at=utcnow(), actor=TEST_ACTOR
                )
        if taken is not None:
            break
    assert taken is not None
    left = await task
    # The slow process noticed at its next renewal, began no further camera and did not end the run.
    assert left is not None and left.status is RotationStatus.RUNNING and left.owner == "collector:b"
    assert str(ids["TKO-3"]) not in left.outcomes
    stored = await _stored(database, cipher)
    for name in three:
        target = site.target(fleet, ids[name], name)
        assert await collectors.accounts.login_works(target, "admin", stored[ids[name]][0]), name
