"""Rotation through the vendor's documented call where ONVIF has no user service: Hikvision ISAPI (Digest, lock-out,
a change failing half-way) on simulated cameras' real sockets, with the same engine, proofs and audit as ONVIF.
Both engines."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select

from collectors import Collectors
from collectors.errors import LockedOut
from fleet.audit.models import AuditEntry
from fleet.cameras.models import CameraCredentials
from fleet.crypto import CredentialCipher
from fleet.db import Database, utcnow
from fleet.passwords import service as passwords
from fleet.passwords.models import RotationStatus
from simulator.fleet import SimulatedFleet
from tests.builders import TEST_ACTOR
from tests.scheduler import rotation_site as site

# Hikvision cameras managing users over ISAPI only (no ONVIF user service), and one Axis camera likewise: no vendor
# call is known for it. HIK-4 fails half-way; HIK-5 refuses ONVIF SetUser as unsupported but lists its users.
NAMES = ["HIK-1", "HIK-2", "HIK-3", "HIK-4", "HIK-5", "PLAIN-6"]
HALF_WAY = "HIK-4"
SET_UNSUPPORTED = "HIK-5"


def _original(name: str) -> str:
    return f"Fabriek-{name}-pw"


@pytest_asyncio.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimulatedFleet]:
    rows = []
    for n, name in enumerate(NAMES, start=1):
        maker = "Axis Communications" if name.startswith("PLAIN") else "Hikvision"
        rows.append(f"{name},127.132.1.{n},8080,1161,8554,{maker},admin,{_original(name)}")
    async with site.simulated(tmp_path / "fleet.csv", rows) as simulated:
        for name, camera in simulated.cameras.items():
            if name == SET_UNSUPPORTED:
                await camera.update(set_user_fault="unsupported", isapi=True, lockout_after=3, lockout_s=120)
            else:
                await camera.update(onvif_users=False, isapi=name.startswith("HIK"), lockout_after=3, lockout_s=120)
        yield simulated


@pytest_asyncio.fixture
async def collectors() -> AsyncIterator[Collectors]:
    async with Collectors(device_timeout=5.0) as shared:
        yield shared


async def _audit(database: Database) -> list[AuditEntry]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())


@pytest.mark.parametrize("half_way", ["drop_after_set", "keep_old"])
async def test_rotation_over_isapi_where_onvif_has_no_user_service(
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
            session, actor=TEST_ACTOR, camera_ids=list(ids.values()), batch_size=3, at=utcnow()
        )
    finished = await site.rotate(database, cipher, collectors, run.id)
    assert finished is not None

    assert finished.status is RotationStatus.DONE
    outcomes = {name: finished.outcomes[str(ids[name])] for name in NAMES}
    assert outcomes == {
        "HIK-1": "rotated",
        "HIK-2": "rotated",
        "HIK-3": "rotated",
        HALF_WAY: "kept_old",
        SET_UNSUPPORTED: "rotated",
        "PLAIN-6": "skipped",
    }
    stored = await site.stored(database, cipher)
    isapi = collectors.isapi_accounts
    for name in NAMES[:5]:
        password = stored[ids[name]]
        assert (password == _original(name)) is (name == HALF_WAY), name
        assert await isapi.login_works(site.target(fleet, ids[name], name), "admin", password), name
        if password != _original(name):
            assert not await isapi.login_works(site.target(fleet, ids[name], name), "admin", _original(name)), name
    # The device counted each change: one for a rotated camera; the half-way one put its old password back.
    changes = {name: fleet.camera(name).device.accounts.users["admin"].changes for name in NAMES}
    assert [changes[n] for n in ("HIK-1", "HIK-2", "HIK-3", SET_UNSUPPORTED)] == [1, 1, 1, 1]
    assert changes[HALF_WAY] == (2 if half_way == "drop_after_set" else 0) and changes["PLAIN-6"] == 0

    audit = await _audit(database)
    names = {str(i): n for n, i in ids.items()}
    steps: dict[str, list[tuple[str, str | None]]] = {}
    for entry in audit:
        if entry.action == "password.rotation.step" and entry.after is not None and entry.target_id is not None:
            steps.setdefault(names[entry.target_id], []).append((entry.after["step"], entry.after.get("transport")))
    assert steps["HIK-1"] == [
        ("transport_unsupported", "onvif"),
        ("old_login_proven", "isapi"),
        ("set_sent", "isapi"),
        ("new_login_proven", None),
        ("old_login_refused", None),
        ("stored", None),
    ]
    # ONVIF lists the users but refuses SetUser as unsupported: the set goes over ISAPI instead, proven the same way.
    assert steps[SET_UNSUPPORTED] == [
        ("old_login_proven", "onvif"),
        ("set_sent", "onvif"),
        ("set_unsupported", "onvif"),
        ("old_login_proven", "isapi"),
        ("set_sent", "isapi"),
        ("new_login_proven", None),
        ("old_login_refused", None),
        ("stored", None),
    ]
    assert [s for s, _t in steps[HALF_WAY]][-2:] == ["restore_sent", "old_login_restored"]
    assert [s for s, _t in steps["PLAIN-6"]] == ["transport_unsupported", "skipped"]
    text = json.dumps([(e.before, e.after) for e in audit])
    assert not any(secret in text for secret in (*stored.values(), *map(_original, NAMES)))
    async with database.unit_of_work() as session:
        assert all(c.pending_ciphertext is None for c in await session.scalars(select(CameraCredentials)))


async def test_an_isapi_lock_out_answer_stops_the_run(
    database: Database, cipher: CredentialCipher, fleet: SimulatedFleet, collectors: Collectors, tmp_path: Path
) -> None:
    ids = await site.register(database, cipher, tmp_path / "fleet.csv")
    locked = fleet.camera("HIK-2")
    await locked.update(lockout_after=1)
    target = site.target(fleet, ids["HIK-2"], "HIK-2")
    # The failed login that locks the camera is already answered as a lock-out (lockStatus lock).
    with pytest.raises(LockedOut):
        await collectors.isapi_accounts.login_works(target, "admin", "wrong-password")
    assert locked.device.accounts.locked()
    async with database.unit_of_work() as session:
        run = await passwords.request_rotation(
            session, actor=TEST_ACTOR, camera_ids=[ids[n] for n in NAMES[:4]], batch_size=1, at=utcnow()
        )
    finished = await site.rotate(database, cipher, collectors, run.id)
    assert finished is not None
    assert finished.status is RotationStatus.STOPPED
    assert finished.stop_reason is not None and finished.stop_reason.startswith("HIK-2 answered with a lock-out")
    outcomes = {name: finished.outcomes[str(ids[name])] for name in NAMES[:4]}
    assert outcomes == {"HIK-1": "rotated", "HIK-2": "locked_out", "HIK-3": "not_attempted", "HIK-4": "not_attempted"}
    stored = await site.stored(database, cipher)
    assert [stored[ids[n]] == _original(n) for n in NAMES[:4]] == [False, True, True, True]
