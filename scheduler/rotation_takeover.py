"""A rotation run whose process died: each camera it had in flight is checked (which password logs in now) before
anything else, its state made safe and said, and the run ended `abandoned`; audited step by step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from collectors.errors import CollectorError, LockedOut, Unsupported
from fleet.db import utcnow
from fleet.passwords import leases
from fleet.passwords import service as passwords
from fleet.passwords.leases import TakenOver
from fleet.passwords.models import CameraOutcome, PasswordRotation, RotationStatus

if TYPE_CHECKING:
    from scheduler.rotation import Rotator, _Camera


async def _check(rotator: Rotator, run_id: int, camera: _Camera) -> CameraOutcome:
    """Which of the stored and the in-flight password the camera takes now; store or forget the new one by that."""
    camera_id = camera.target.camera_id
    for transport in rotator.ways(camera):
        try:
            if await transport.login_works(camera.target, camera.username, camera.old):
                async with rotator.database.unit_of_work() as session:
                    await leases.unstage(session, camera_id=camera_id)
                await rotator.step(run_id, camera_id, "takeover_old_login_works", transport=transport.name)
                return CameraOutcome.KEPT_OLD
            if await transport.login_works(camera.target, camera.username, camera.new):
                # The old one is refused and the new one works: the change is proven after all; store it.
                async with rotator.database.unit_of_work() as session:
                    await passwords.store_password(
                        session, camera_id=camera_id, password=camera.new, cipher=rotator.cipher, at=utcnow()
                    )
                await rotator.step(run_id, camera_id, "takeover_new_login_works", transport=transport.name)
                return CameraOutcome.ROTATED
            await rotator.step(
                run_id,
                camera_id,
                "takeover_neither_login_works",
                transport=transport.name,
                kept="the new password stays kept (encrypted) for a later check",
            )
            return CameraOutcome.NEEDS_ATTENTION
        except Unsupported:
            continue
        except LockedOut as error:
            rotator.halt(f"{camera.target.name} answered with a lock-out during the take-over check")
            await rotator.step(run_id, camera_id, "locked_out", error=camera.masked(error))
            return CameraOutcome.NEEDS_ATTENTION
        except CollectorError as error:
            await rotator.step(run_id, camera_id, "takeover_check_failed", error=camera.masked(error))
            return CameraOutcome.NEEDS_ATTENTION
    await rotator.step(run_id, camera_id, "takeover_check_failed", error="no way to the camera's accounts answered")
    return CameraOutcome.NEEDS_ATTENTION


async def take_over(rotator: Rotator, taken: TakenOver) -> PasswordRotation:
    """Check every camera the dead run had in flight, then end it `abandoned` (the rest: not attempted)."""
    run = taken.run
    async with rotator.database.unit_of_work() as session:
        in_flight = {}
        for camera_id in run.camera_ids:
            if str(camera_id) in run.outcomes:
                continue
            pending = await leases.staged(session, camera_id=camera_id, cipher=rotator.cipher)
            if pending is not None:
                in_flight[camera_id] = pending
    for camera_id, pending in in_flight.items():
        camera = await rotator.load(run.id, camera_id)
        if camera is None:
            await rotator.step(run.id, camera_id, "takeover_check_failed", error="no device login stored")
            await rotator.outcome(run.id, camera_id, CameraOutcome.NEEDS_ATTENTION)
            continue
        camera.new = pending
        await rotator.step(run.id, camera_id, "takeover_check", reason="a change was in flight when the run died")
        if rotator.stopped:
            # A lock-out answered already: no further logins are tried; a person checks this camera.
            await rotator.outcome(run.id, camera_id, CameraOutcome.NEEDS_ATTENTION)
            continue
        await rotator.outcome(run.id, camera_id, await _check(rotator, run.id, camera))
    was = taken.previous_owner or "an earlier process"
    expired = "no lease" if taken.expired_at is None else f"lease ran out at {taken.expired_at.isoformat()}"
    rotator.halt(f"{was} stopped renewing the run ({expired}); {rotator.owner} checked the cameras in flight")
    async with rotator.database.unit_of_work() as session:
        return await passwords.finish(
            session,
            run_id=run.id,
            stop_reason=rotator.reason,
            at=utcnow(),
            actor=rotator.actor,
            status=RotationStatus.ABANDONED,
        )
