"""Verified password rotation over ONVIF SetUser: staged, proven on the device, put back on any failure.

For each camera, one at a time on that device: the stored login is proven (GetUsers, which also gives the user's
level); a new password is made (fleet/passwords/rules.py) and set; a login with it must work and one with the old
password must fail; only then is it stored. On any failure after the set was sent, the old password is set again
(signed with whichever login the camera takes) and proven. The first camera runs alone, then batches of the run's
size; a lock-out answer stops the whole run (cameras not yet begun are not attempted; one under way still puts its
old password back), as does a failed first camera or a password that could not be put back. Every step is an
audit entry of its own transaction; no password is ever logged or audited.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from collectors.base import Target
from collectors.errors import AuthFailed, CollectorError, LockedOut
from collectors.onvif_users import OnvifAccounts
from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera
from fleet.crypto import CredentialCipher
from fleet.db import Database, utcnow
from fleet.passwords import service as passwords
from fleet.passwords.models import CameraOutcome, PasswordRotation
from fleet.passwords.rules import new_password, rule_for

log = logging.getLogger(__name__)


@dataclass
class _Camera:
    """One camera's rotation: where it is, its login, and how to say what happened without a password."""

    target: Target
    username: str
    old: str = field(repr=False)
    new: str = field(default="", repr=False)

    def masked(self, error: CollectorError) -> str:
        """The error's message with either password taken out (a device may echo what it was sent)."""
        text = error.message
        for secret in (self.old, self.new):
            if secret:
                text = text.replace(secret, "***")
        return text


class Rotator:
    """Runs one rotation run against the cameras with the shared ONVIF account client."""

    def __init__(self, database: Database, cipher: CredentialCipher, accounts: OnvifAccounts, actor: Actor) -> None:
        self.database, self.cipher, self.accounts, self.actor = database, cipher, accounts, actor
        self._stop = asyncio.Event()
        self._reason: str | None = None
        # The run's outcomes are one row: cameras of a batch finishing together write them one after the other.
        self._outcomes = asyncio.Lock()

    async def run(self, run_id: int) -> PasswordRotation:
        """Rotate the run's cameras, staged; record every step and the run's end."""
        async with self.database.unit_of_work() as session:
            run = await passwords.get_run(session, run_id)
            ids, size = list(run.camera_ids), run.batch_size
        stages = [ids[:1]] + [ids[i : i + size] for i in range(1, len(ids), size)]
        for number, stage in enumerate(stages):
            batch = asyncio.ensure_future(asyncio.gather(*(self._one(run_id, camera_id) for camera_id in stage)))
            try:
                outcomes = await asyncio.shield(batch)
            except asyncio.CancelledError:
                # camfleet is stopping: a camera under way is finished (or has its old password put back) first, so
                # no device is left with a password the database does not hold; the rest are not attempted.
                self._halt("camfleet was stopped during the run")
                await batch
                async with self.database.unit_of_work() as session:
                    await passwords.finish(
                        session, run_id=run_id, stop_reason=self._reason, at=utcnow(), actor=self.actor
                    )
                raise
            if number == 0 and outcomes[0] is not CameraOutcome.ROTATED and not self._stop.is_set():
                self._halt(f"the first camera was not rotated ({outcomes[0].value}); nothing else was attempted")
            if self._stop.is_set():
                break
        async with self.database.unit_of_work() as session:
            return await passwords.finish(
                session, run_id=run_id, stop_reason=self._reason, at=utcnow(), actor=self.actor
            )

    def _halt(self, reason: str) -> None:
        if not self._stop.is_set():
            self._reason = reason
            self._stop.set()

    async def _step(self, run_id: int, camera_id: int, step: str, **details: object) -> None:
        async with self.database.unit_of_work() as session:
            await passwords.step(session, actor=self.actor, run_id=run_id, camera_id=camera_id, step=step, **details)

    async def _outcome(self, run_id: int, camera_id: int, outcome: CameraOutcome) -> CameraOutcome:
        async with self._outcomes, self.database.unit_of_work() as session:
            await passwords.note_outcome(session, run_id=run_id, camera_id=camera_id, outcome=outcome)
        return outcome

    async def _load(self, run_id: int, camera_id: int) -> tuple[_Camera | None, str | None]:
        async with self.database.unit_of_work() as session:
            camera = await session.get(Camera, camera_id)
            login = await passwords.login_of(session, camera_id=camera_id, cipher=self.cipher)
            if camera is None or login is None:
                return None, None
            await record(
                session,
                actor=self.actor,
                action="credential.use",
                target_type="camera",
                after={"purpose": "password rotation", "run": run_id, "camera_ids": [camera_id]},
            )
            target = Target(camera.id, camera.name, camera.host, camera.onvif_port, camera.rtsp_port, camera.snmp_port)
            return _Camera(target, login[0], login[1]), passwords.vendor_key(camera)

    async def _one(self, run_id: int, camera_id: int) -> CameraOutcome:
        if self._stop.is_set():
            return await self._outcome(run_id, camera_id, CameraOutcome.NOT_ATTEMPTED)
        camera, vendor = await self._load(run_id, camera_id)
        if camera is None:
            await self._step(run_id, camera_id, "skipped", reason="no ONVIF login stored")
            return await self._outcome(run_id, camera_id, CameraOutcome.SKIPPED)
        try:
            outcome = await self._rotate(run_id, camera, vendor)
        except LockedOut as error:
            self._halt(f"{camera.target.name} answered with a lock-out: {camera.masked(error)}")
            await self._step(run_id, camera_id, "locked_out", error=camera.masked(error))
            outcome = CameraOutcome.LOCKED_OUT
        return await self._outcome(run_id, camera_id, outcome)

    async def _rotate(self, run_id: int, camera: _Camera, vendor: str | None) -> CameraOutcome:
        camera_id, target = camera.target.camera_id, camera.target
        try:
            level = await self.accounts.level_of(target, camera.username, camera.old)
        except LockedOut:
            raise
        except CollectorError as error:
            await self._step(run_id, camera_id, "skipped", reason=f"stored login not accepted: {camera.masked(error)}")
            return CameraOutcome.SKIPPED
        await self._step(run_id, camera_id, "old_login_proven", username=camera.username, level=level)
        if self._stop.is_set():
            return CameraOutcome.NOT_ATTEMPTED
        camera.new = new_password(rule_for(vendor))
        await self._step(run_id, camera_id, "set_sent", username=camera.username)
        failure = await self._set_and_prove(run_id, camera, level)
        if failure is None:
            async with self.database.unit_of_work() as session:
                await passwords.store_password(
                    session, camera_id=camera_id, password=camera.new, cipher=self.cipher, at=utcnow()
                )
                await passwords.step(session, actor=self.actor, run_id=run_id, camera_id=camera_id, step="stored")
            return CameraOutcome.ROTATED
        return await self._put_back(run_id, camera, level, failure)

    async def _set_and_prove(self, run_id: int, camera: _Camera, level: str) -> str | None:
        """Set the new password and prove it; None when proven, else what went wrong."""
        camera_id, target = camera.target.camera_id, camera.target
        try:
            await self.accounts.set_password(target, (camera.username, camera.old), camera.username, camera.new, level)
        except LockedOut:
            raise
        except CollectorError as error:
            await self._step(run_id, camera_id, "set_failed", error=camera.masked(error))
            return f"SetUser failed: {camera.masked(error)}"
        if not await self._works(camera, camera.new):
            await self._step(run_id, camera_id, "new_login_refused")
            return "the new password does not log in"
        await self._step(run_id, camera_id, "new_login_proven")
        if await self._works(camera, camera.old):
            await self._step(run_id, camera_id, "old_login_still_accepted")
            return "the old password still logs in"
        await self._step(run_id, camera_id, "old_login_refused")
        return None

    async def _works(self, camera: _Camera, password: str) -> bool:
        try:
            return await self.accounts.login_works(camera.target, camera.username, password)
        except LockedOut:
            raise
        except CollectorError:
            return False

    async def _put_back(self, run_id: int, camera: _Camera, level: str, failure: str) -> CameraOutcome:
        """Set the old password again, signed with a login the camera takes, and prove it."""
        camera_id, target = camera.target.camera_id, camera.target
        await self._step(run_id, camera_id, "restore_sent", reason=failure)
        for signer in (camera.old, camera.new):
            try:
                await self.accounts.set_password(target, (camera.username, signer), camera.username, camera.old, level)
                break
            except LockedOut:
                raise
            except AuthFailed:
                continue
            except CollectorError as error:
                # A camera that drops the connection after a set may still have taken it: the proof below decides.
                await self._step(run_id, camera_id, "restore_answer", error=camera.masked(error))
                break
        if await self._works(camera, camera.old):
            await self._step(run_id, camera_id, "old_login_restored")
            return CameraOutcome.KEPT_OLD
        if await self._works(camera, camera.new):
            # The camera keeps the new password: store it, or nobody could log in any more.
            async with self.database.unit_of_work() as session:
                await passwords.store_password(
                    session, camera_id=camera_id, password=camera.new, cipher=self.cipher, at=utcnow()
                )
            await self._step(run_id, camera_id, "restore_failed", kept="new password (stored: the camera takes it)")
        else:
            await self._step(run_id, camera_id, "restore_failed", kept="neither password logs in")
        self._halt(f"{target.name}: the old password could not be put back; see the audit log")
        return CameraOutcome.NEEDS_ATTENTION


async def run_pending(
    database: Database, cipher: CredentialCipher, accounts: OnvifAccounts, *, run_id: int | None = None
) -> PasswordRotation | None:
    """Claim a pending run (that one, or the oldest) and carry it out in the name of who asked; None if none."""
    async with database.unit_of_work() as session:
        run = await passwords.claim(session, run_id=run_id, at=utcnow())
        requested_by = None if run is None else run.requested_by
    if run is None or requested_by is None:
        return None
    log.info("password rotation %d: %d cameras, batches of %d", run.id, len(run.camera_ids), run.batch_size)
    finished = await Rotator(database, cipher, accounts, Actor(requested_by)).run(run.id)
    log.info("password rotation %d: %s %s", finished.id, finished.status.value, finished.stop_reason or "")
    return finished
