"""Who carries out a rotation run, and for how long: claims with a lease, renewal, take-over of a run whose process
died, and the new password kept (encrypted) while it is in flight on a camera.

A run's process renews its lease every third of it. One whose lease ran out (the collector or CLI died mid-run) is
taken over by the next collector or CLI that looks for work, before any new run is begun: the new owner checks each
camera the run had in flight (which password logs in now) and ends the run as `abandoned`. A pending run is claimed
only while no other run is running, so a new run never touches a device a crashed one left uncertain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.audit.service import Actor, record
from fleet.cameras.models import CameraCredentials
from fleet.crypto import CredentialCipher
from fleet.errors import NotFound
from fleet.passwords.models import PasswordRotation, RotationStatus


async def claim(
    session: AsyncSession, *, run_id: int | None, owner: str, lease: timedelta, at: datetime
) -> PasswordRotation | None:
    """Move a pending run (that one, or the oldest) to running in ``owner``'s name, once, even with several
    collectors polling; None while another run is running (a crashed one is taken over first) or none is pending."""
    running = await session.scalar(select(PasswordRotation.id).where(PasswordRotation.status == RotationStatus.RUNNING))
    if running is not None:
        return None
    query = select(PasswordRotation.id).where(PasswordRotation.status == RotationStatus.PENDING)
    if run_id is not None:
        query = query.where(PasswordRotation.id == run_id)
    found = await session.scalar(query.order_by(PasswordRotation.id).limit(1))
    if found is None:
        return None
    claimed = await session.execute(
        update(PasswordRotation)
        .where(PasswordRotation.id == found, PasswordRotation.status == RotationStatus.PENDING)
        .values(status=RotationStatus.RUNNING, started_at=at, owner=owner, lease_until=at + lease)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return await session.get(PasswordRotation, found, populate_existing=True)


async def renew(session: AsyncSession, *, run_id: int, owner: str, lease: timedelta, at: datetime) -> bool:
    """Extend the lease of a run this owner holds; False when it no longer does (taken over, or ended)."""
    renewed = await session.execute(
        update(PasswordRotation)
        .where(
            PasswordRotation.id == run_id,
            PasswordRotation.owner == owner,
            PasswordRotation.status == RotationStatus.RUNNING,
        )
        .values(lease_until=at + lease)
    )
    return bool(renewed.rowcount == 1)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class TakenOver:
    """A run whose lease ran out, now held by a new owner, and who held it before."""

    run: PasswordRotation
    previous_owner: str | None
    expired_at: datetime | None


async def take_over(
    session: AsyncSession, *, owner: str, lease: timedelta, at: datetime, actor: Actor
) -> TakenOver | None:
    """Claim the oldest running run whose lease ran out (or that has none: left from before leases), audited."""
    expired = (PasswordRotation.lease_until.is_(None)) | (PasswordRotation.lease_until < at)
    found = (
        await session.execute(
            select(PasswordRotation.id, PasswordRotation.owner, PasswordRotation.lease_until)
            .where(PasswordRotation.status == RotationStatus.RUNNING, expired)
            .order_by(PasswordRotation.id)
            .limit(1)
        )
    ).first()
    if found is None:
        return None
    run_id, previous, until = found
    # Only if nobody renewed or took it over since it was read: the owner and the lease are part of the condition.
    same_lease = PasswordRotation.lease_until.is_(None) if until is None else PasswordRotation.lease_until == until
    same_owner = PasswordRotation.owner.is_(None) if previous is None else PasswordRotation.owner == previous
    taken = await session.execute(
        update(PasswordRotation)
        .where(PasswordRotation.id == run_id, PasswordRotation.status == RotationStatus.RUNNING, same_lease, same_owner)
        .values(owner=owner, lease_until=at + lease)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    await record(
        session,
        actor=actor,
        action="password.rotation.takeover",
        target_type="password_rotation",
        target_id=run_id,
        before={"owner": previous, "lease_until": None if until is None else until.isoformat()},
        after={"owner": owner},
    )
    run = await session.get(PasswordRotation, run_id, populate_existing=True)
    assert run is not None
    return TakenOver(run, previous, until)


async def stage(session: AsyncSession, *, camera_id: int, password: str, cipher: CredentialCipher) -> None:
    """Keep the new password (encrypted) before it is sent: a take-over can then try it on the camera."""
    creds = await session.get(CameraCredentials, camera_id)
    if creds is None:
        raise NotFound("credentials of camera", camera_id)
    creds.pending_ciphertext = cipher.encrypt({"password": password})


async def unstage(session: AsyncSession, *, camera_id: int) -> None:
    """Forget the new password in flight: the camera was proven to keep the stored one."""
    creds = await session.get(CameraCredentials, camera_id)
    if creds is not None:
        creds.pending_ciphertext = None


async def staged(session: AsyncSession, *, camera_id: int, cipher: CredentialCipher) -> str | None:
    """The new password in flight on a camera, or None when no change was under way."""
    creds = await session.get(CameraCredentials, camera_id)
    if creds is None or creds.pending_ciphertext is None:
        return None
    return str(cipher.decrypt(creds.pending_ciphertext).get("password") or "") or None
