"""Verified password rotation: staged, proven on the device, put back on any failure; one engine, several transports.

For each camera, one at a time on that device: the stored login is proven (GetUsers, which also gives the user's
level); a new password is made (fleet/passwords/rules.py) and set; a login with it must work and one with the old
password must fail; only then is it stored. On any failure after the set was sent, the old password is set again
(signed with whichever login the camera takes) and proven. The first camera runs alone, then batches of the run's
size; a lock-out answer stops the whole run (cameras not yet begun are not attempted; one under way still puts its
old password back), as does a failed first camera or a password that could not be put back. Every step is an
audit entry of its own transaction; no password is ever logged or audited.

The device is reached through the first transport (collectors/accounts.py) that it offers: ONVIF GetUsers/SetUser,
else the vendor's documented call (Hikvision ISAPI) where the device has no ONVIF user service, or refuses SetUser as
unsupported. The new password is kept encrypted (fleet/passwords/leases.py) from just before it is sent until it is
stored or the old one is proven back, and the run holds a lease renewed while it runs: when its process dies, the
next one to look for work checks each camera it had in flight (which password logs in now) and ends it `abandoned`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from collectors.accounts import AccountTransport, applies
from collectors.base import Target
from collectors.errors import AuthFailed, CollectorError, LockedOut, Unsupported
from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera
from fleet.crypto import CredentialCipher
from fleet.db import Database, utcnow
from fleet.passwords import leases
from fleet.passwords import service as passwords
from fleet.passwords.models import CameraOutcome, PasswordRotation, RotationStatus
from fleet.passwords.rules import new_password, rule_for
from scheduler.rotation_takeover import take_over

log = logging.getLogger(__name__)


@dataclass
class _Camera:
    """One camera's rotation: where it is, its login, and how to say what happened without a password."""

    target: Target
    username: str
    old: str = field(repr=False)
    vendor: str | None = None
    new: str = field(default="", repr=False)
    level: str = ""  # the user's level as the device reported it (kept when the password is set)
    # The transport the camera's accounts are reached through (chosen by the first proof).
    accounts: AccountTransport | None = None

    @property
    def via(self) -> AccountTransport:
        """The chosen transport."""
        assert self.accounts is not None
        return self.accounts

    def masked(self, error: CollectorError) -> str:
        """The error's message with either password taken out (a device may echo what it was sent)."""
        text = error.message
        for secret in (self.old, self.new):
            if secret:
                text = text.replace(secret, "***")
        return text


class Rotator:
    """Runs one rotation run against the cameras through the account transports, holding the run's lease."""

    def __init__(
        self,
        database: Database,
        cipher: CredentialCipher,
        transports: Sequence[AccountTransport],
        actor: Actor,
        *,
        owner: str,
        lease: timedelta,
    ) -> None:
        self.database, self.cipher, self.transports, self.actor = database, cipher, tuple(transports), actor
        self.owner, self.lease = owner, lease
        self._stop = asyncio.Event()
        self._reason: str | None = None
        self._lost = False
        # The run's outcomes are one row: cameras of a batch finishing together write them one after the other.
        self._outcomes = asyncio.Lock()

    async def run(self, run_id: int) -> PasswordRotation:
        """Rotate the run's cameras, staged; record every step and the run's end."""
        async with self.database.unit_of_work() as session:
            run = await passwords.get_run(session, run_id)
            ids, size = list(run.camera_ids), run.batch_size
        stages = [ids[:1]] + [ids[i : i + size] for i in range(1, len(ids), size)]
        renewal = asyncio.create_task(self._renew(run_id))
        try:
            for number, stage in enumerate(stages):
                batch = asyncio.ensure_future(asyncio.gather(*(self._one(run_id, camera_id) for camera_id in stage)))
                try:
                    outcomes = await asyncio.shield(batch)
                except asyncio.CancelledError:
                    # camfleet is stopping: a camera under way is finished (or has its old password put back) first,
                    # so no device is left with a password the database does not hold; the rest are not attempted.
                    self.halt("camfleet was stopped during the run")
                    await batch
                    await self._finish(run_id)
                    raise
                if number == 0 and outcomes[0] is not CameraOutcome.ROTATED and not self._stop.is_set():
                    self.halt(f"the first camera was not rotated ({outcomes[0].value}); nothing else was attempted")
                if self._stop.is_set():
                    break
        finally:
            renewal.cancel()
        return await self._finish(run_id)

    async def _finish(self, run_id: int, status: RotationStatus | None = None) -> PasswordRotation:
        async with self.database.unit_of_work() as session:
            if self._lost:
                # Another process took the run over (this one was thought dead): it ends the run, not this one.
                return await passwords.get_run(session, run_id)
            return await passwords.finish(
                session, run_id=run_id, stop_reason=self._reason, at=utcnow(), actor=self.actor, status=status
            )

    async def _renew(self, run_id: int) -> None:
        """Renew the lease every third of it while the run goes on; a lost lease stops the run."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            async with self.database.unit_of_work() as session:
                held = await leases.renew(session, run_id=run_id, owner=self.owner, lease=self.lease, at=utcnow())
            if not held:
                self._lost = True
                self.halt("the run's lease was lost: another process took it over")
                return

    @property
    def stopped(self) -> bool:
        """Whether the run was halted."""
        return self._stop.is_set()

    @property
    def reason(self) -> str | None:
        """Why it was halted."""
        return self._reason

    def halt(self, reason: str) -> None:
        """Begin no further camera: the first reason given is the run's."""
        if not self._stop.is_set():
            self._reason = reason
            self._stop.set()

    async def step(self, run_id: int, camera_id: int, step: str, **details: object) -> None:
        """One audited step, in a transaction of its own."""
        async with self.database.unit_of_work() as session:
            await passwords.step(session, actor=self.actor, run_id=run_id, camera_id=camera_id, step=step, **details)

    async def outcome(self, run_id: int, camera_id: int, outcome: CameraOutcome) -> CameraOutcome:
        """Record a camera's outcome on the run."""
        async with self._outcomes, self.database.unit_of_work() as session:
            await passwords.note_outcome(session, run_id=run_id, camera_id=camera_id, outcome=outcome)
        return outcome

    async def load(self, run_id: int, camera_id: int) -> _Camera | None:
        """The camera's address and stored login (audited as a use of its credentials), or None without one."""
        async with self.database.unit_of_work() as session:
            camera = await session.get(Camera, camera_id)
            login = await passwords.login_of(session, camera_id=camera_id, cipher=self.cipher)
            if camera is None or login is None:
                return None
            await record(
                session,
                actor=self.actor,
                action="credential.use",
                target_type="camera",
                after={"purpose": "password rotation", "run": run_id, "camera_ids": [camera_id]},
            )
            target = Target(
                camera.id,
                camera.name,
                camera.host,
                camera.onvif_port,
                camera.rtsp_port,
                camera.snmp_port,
                allow_basic=camera.allow_basic,
            )
            return _Camera(target, login[0], login[1], passwords.vendor_key(camera))

    def ways(self, camera: _Camera, after: AccountTransport | None = None) -> list[AccountTransport]:
        """The transports to try on this camera, in order (those after ``after``, when given)."""
        found = [t for t in self.transports if applies(t, camera.vendor)]
        return found[found.index(after) + 1 :] if after in found else found

    async def _one(self, run_id: int, camera_id: int) -> CameraOutcome:
        if self._stop.is_set():
            return await self.outcome(run_id, camera_id, CameraOutcome.NOT_ATTEMPTED)
        camera = await self.load(run_id, camera_id)
        if camera is None:
            await self.step(run_id, camera_id, "skipped", reason="no device login stored")
            return await self.outcome(run_id, camera_id, CameraOutcome.SKIPPED)
        try:
            outcome = await self._rotate(run_id, camera)
        except LockedOut as error:
            self.halt(f"{camera.target.name} answered with a lock-out: {camera.masked(error)}")
            await self.step(run_id, camera_id, "locked_out", error=camera.masked(error))
            outcome = CameraOutcome.LOCKED_OUT
        return await self.outcome(run_id, camera_id, outcome)

    async def _prove(self, run_id: int, camera: _Camera, after: AccountTransport | None = None) -> None:
        """Prove the stored login through the first transport the camera offers (and learn the user's level)."""
        unsupported: Unsupported | None = None
        for transport in self.ways(camera, after):
            try:
                level = await transport.level_of(camera.target, camera.username, camera.old)
            except Unsupported as error:
                await self.step(
                    run_id,
                    camera.target.camera_id,
                    "transport_unsupported",
                    transport=transport.name,
                    error=camera.masked(error),
                )
                unsupported = error
                continue
            camera.accounts, camera.level = transport, level
            return
        raise unsupported or Unsupported("no way to the camera's accounts is known for its vendor")

    async def _rotate(self, run_id: int, camera: _Camera) -> CameraOutcome:
        camera_id = camera.target.camera_id
        try:
            await self._prove(run_id, camera)
        except LockedOut:
            raise
        except CollectorError as error:
            await self.step(run_id, camera_id, "skipped", reason=f"stored login not accepted: {camera.masked(error)}")
            return CameraOutcome.SKIPPED
        await self.step(
            run_id,
            camera_id,
            "old_login_proven",
            username=camera.username,
            level=camera.level,
            transport=camera.via.name,
        )
        if self._stop.is_set():
            return CameraOutcome.NOT_ATTEMPTED
        camera.new = new_password(rule_for(camera.vendor))
        async with self.database.unit_of_work() as session:
            # Kept before it is sent: whoever takes over after a crash can try it (fleet/passwords/leases).
            await leases.stage(session, camera_id=camera_id, password=camera.new, cipher=self.cipher)
            await passwords.step(
                session,
                actor=self.actor,
                run_id=run_id,
                camera_id=camera_id,
                step="set_sent",
                username=camera.username,
                transport=camera.via.name,
            )
        failure = await self._set_and_prove(run_id, camera)
        if failure is None:
            async with self.database.unit_of_work() as session:
                await passwords.store_password(
                    session, camera_id=camera_id, password=camera.new, cipher=self.cipher, at=utcnow()
                )
                await passwords.step(session, actor=self.actor, run_id=run_id, camera_id=camera_id, step="stored")
            return CameraOutcome.ROTATED
        return await self._put_back(run_id, camera, failure)

    async def _set(self, run_id: int, camera: _Camera) -> None:
        """Set the new password; a transport refusing the set as unsupported hands it to the next one."""
        while True:
            try:
                await camera.via.set_password(
                    camera.target, (camera.username, camera.old), camera.username, camera.new, camera.level
                )
                return
            except Unsupported as error:
                await self.step(
                    run_id,
                    camera.target.camera_id,
                    "set_unsupported",
                    transport=camera.via.name,
                    error=camera.masked(error),
                )
                await self._prove(run_id, camera, after=camera.via)
                await self.step(
                    run_id, camera.target.camera_id, "old_login_proven", level=camera.level, transport=camera.via.name
                )
                await self.step(run_id, camera.target.camera_id, "set_sent", transport=camera.via.name)

    async def _set_and_prove(self, run_id: int, camera: _Camera) -> str | None:
        """Set the new password and prove it; None when proven, else what went wrong."""
        camera_id = camera.target.camera_id
        try:
            await self._set(run_id, camera)
        except LockedOut:
            raise
        except CollectorError as error:
            await self.step(run_id, camera_id, "set_failed", error=camera.masked(error))
            return f"the set failed: {camera.masked(error)}"
        if not await self._works(camera, camera.new):
            await self.step(run_id, camera_id, "new_login_refused")
            return "the new password does not log in"
        await self.step(run_id, camera_id, "new_login_proven")
        if await self._works(camera, camera.old):
            await self.step(run_id, camera_id, "old_login_still_accepted")
            return "the old password still logs in"
        await self.step(run_id, camera_id, "old_login_refused")
        return None

    async def _works(self, camera: _Camera, password: str) -> bool:
        try:
            return await camera.via.login_works(camera.target, camera.username, password)
        except LockedOut:
            raise
        except CollectorError:
            return False

    async def _put_back(self, run_id: int, camera: _Camera, failure: str) -> CameraOutcome:
        """Set the old password again, signed with a login the camera takes, and prove it."""
        camera_id, target = camera.target.camera_id, camera.target
        await self.step(run_id, camera_id, "restore_sent", reason=failure)
        for signer in (camera.old, camera.new):
            try:
                login = (camera.username, signer)
                await camera.via.set_password(target, login, camera.username, camera.old, camera.level)
                break
            except LockedOut:
                raise
            except AuthFailed:
                continue
            except CollectorError as error:
                # A camera that drops the connection after a set may still have taken it: the proof below decides.
                await self.step(run_id, camera_id, "restore_answer", error=camera.masked(error))
                break
        if await self._works(camera, camera.old):
            async with self.database.unit_of_work() as session:
                await leases.unstage(session, camera_id=camera_id)
                await passwords.step(
                    session, actor=self.actor, run_id=run_id, camera_id=camera_id, step="old_login_restored"
                )
            return CameraOutcome.KEPT_OLD
        if await self._works(camera, camera.new):
            # The camera keeps the new password: store it, or nobody could log in any more.
            async with self.database.unit_of_work() as session:
                await passwords.store_password(
                    session, camera_id=camera_id, password=camera.new, cipher=self.cipher, at=utcnow()
                )
            await self.step(run_id, camera_id, "restore_failed", kept="new password (stored: the camera takes it)")
        else:
            await self.step(run_id, camera_id, "restore_failed", kept="neither password logs in")
        self.halt(f"{target.name}: the old password could not be put back; see the audit log")
        return CameraOutcome.NEEDS_ATTENTION


async def run_pending(
    database: Database,
    cipher: CredentialCipher,
    transports: Sequence[AccountTransport],
    *,
    owner: str,
    lease: timedelta,
    run_id: int | None = None,
) -> PasswordRotation | None:
    """First end a run whose process died (its cameras in flight checked), then claim a pending run (that one, or the
    oldest) and carry it out in the name of who asked; the run ended or carried out, or None if there was none."""
    async with database.unit_of_work() as session:
        taken = await leases.take_over(session, owner=owner, lease=lease, at=utcnow(), actor=Actor.system(owner))
    if taken is not None:
        log.warning("password rotation %d: its process died; %s checks the cameras in flight", taken.run.id, owner)
        rotator = Rotator(database, cipher, transports, Actor(taken.run.requested_by), owner=owner, lease=lease)
        abandoned = await take_over(rotator, taken)
        if run_id is None or run_id == abandoned.id:
            return abandoned
    async with database.unit_of_work() as session:
        run = await leases.claim(session, run_id=run_id, owner=owner, lease=lease, at=utcnow())
        requested_by = None if run is None else run.requested_by
    if run is None or requested_by is None:
        return None
    log.info("password rotation %d: %d cameras, batches of %d", run.id, len(run.camera_ids), run.batch_size)
    rotator = Rotator(database, cipher, transports, Actor(requested_by), owner=owner, lease=lease)
    finished = await rotator.run(run.id)
    log.info("password rotation %d: %s %s", finished.id, finished.status.value, finished.stop_reason or "")
    return finished
