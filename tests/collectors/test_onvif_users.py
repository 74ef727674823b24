"""ONVIF accounts against simulated cameras: GetUsers proves a login, SetUser sets a password, lock-out is its own
error, and the simulator's half-way faults (the new password kept back, the connection dropped after the set)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from collectors import Collectors, Target
from collectors.errors import LockedOut, Unreachable
from simulator.fleet import SimulatedFleet

HOST = "127.120.3.1"
OLD, NEW = "Oud-wachtwoord-1", "Nieuw-wachtwoord-2"


@pytest_asyncio.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimulatedFleet]:
    (tmp_path / "fleet.csv").write_text(
        "name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,username,password\n"
        f"ACC-1,{HOST},8080,1161,8554,Hikvision,admin,{OLD}\n"
    )
    async with SimulatedFleet.from_csv(tmp_path / "fleet.csv", snapshot_size=(320, 180)) as simulated:
        yield simulated


@pytest_asyncio.fixture
async def collectors() -> AsyncIterator[Collectors]:
    async with Collectors(device_timeout=3.0) as shared:
        yield shared


TARGET = Target(camera_id=1, name="ACC-1", host=HOST, onvif_port=8080, rtsp_port=8554, snmp_port=1161)


async def test_set_password_then_only_the_new_one_logs_in(fleet: SimulatedFleet, collectors: Collectors) -> None:
    accounts = collectors.accounts
    users = await accounts.users(TARGET, "admin", OLD)
    assert [(u.username, u.level) for u in users] == [("admin", "Administrator")]
    assert await accounts.level_of(TARGET, "admin", OLD) == "Administrator"
    await accounts.set_password(TARGET, ("admin", OLD), "admin", NEW, "Administrator")
    assert await accounts.login_works(TARGET, "admin", NEW)
    assert not await accounts.login_works(TARGET, "admin", OLD)
    described = fleet.camera("ACC-1").describe()["accounts"]
    assert described["users"] == [{"username": "admin", "level": "Administrator", "changes": 1}]
    assert NEW not in str(fleet.camera("ACC-1").describe())


async def test_lock_out_after_failed_logins_is_its_own_answer(fleet: SimulatedFleet, collectors: Collectors) -> None:
    await fleet.camera("ACC-1").update(lockout_after=2, lockout_s=30)
    accounts = collectors.accounts
    assert not await accounts.login_works(TARGET, "admin", "wrong-1")
    # The second failure locks; from then on even the right password gets the lock-out answer.
    assert not await accounts.login_works(TARGET, "admin", "wrong-2")
    with pytest.raises(LockedOut):
        await accounts.login_works(TARGET, "admin", OLD)


async def test_half_way_faults(fleet: SimulatedFleet, collectors: Collectors) -> None:
    camera, accounts = fleet.camera("ACC-1"), collectors.accounts
    await camera.update(set_user_fault="keep_old")
    await accounts.set_password(TARGET, ("admin", OLD), "admin", NEW, "Administrator")
    assert await accounts.login_works(TARGET, "admin", OLD) and not await accounts.login_works(TARGET, "admin", NEW)

    await camera.update(set_user_fault="drop_after_set")
    with pytest.raises(Unreachable):
        await accounts.set_password(TARGET, ("admin", OLD), "admin", NEW, "Administrator")
    assert await accounts.login_works(TARGET, "admin", NEW)

    with pytest.raises(ValueError, match="set_user_fault: expected one of"):
        await camera.update(set_user_fault="sometimes")
