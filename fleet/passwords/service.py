"""The device-password report (shared, factory user names, age) and the bookkeeping of rotation runs.

No password is ever returned, logged or audited: cameras sharing one are found by keyed hash (fleet/crypto.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera, CameraCredentials, Lifecycle
from fleet.cameras.service import with_credentials
from fleet.crypto import CredentialCipher
from fleet.errors import Conflict, InvalidInput, NotFound
from fleet.passwords.models import CameraOutcome, PasswordRotation, RotationStatus
from fleet.passwords.rules import default_usernames
from fleet.vendor_risk.catalogue import load_catalogue


@dataclass(frozen=True, slots=True)
class CameraPassword:
    """One camera's login as the report shows it: never the password."""

    camera_id: int
    camera: str
    vendor: str | None
    username: str
    default_username: bool
    shared_with: tuple[str, ...]
    changed_at: datetime | None
    age_days: int | None
    too_old: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "camera_id": self.camera_id,
            "camera": self.camera,
            "vendor": self.vendor,
            "username": self.username,
            "default_username": self.default_username,
            "shared_with": list(self.shared_with),
            "changed_at": None if self.changed_at is None else self.changed_at.isoformat(),
            "age_days": self.age_days,
            "too_old": self.too_old,
        }


@dataclass(frozen=True, slots=True)
class PasswordReport:
    cameras: list[CameraPassword]
    shared_groups: list[list[str]]
    max_age_days: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the totals."""
        return {
            "cameras": [c.as_dict() for c in self.cameras],
            "shared_groups": self.shared_groups,
            "totals": {
                "cameras": len(self.cameras),
                "sharing": sum(1 for c in self.cameras if c.shared_with),
                "default_username": sum(1 for c in self.cameras if c.default_username),
                "too_old": sum(1 for c in self.cameras if c.too_old),
            },
            "max_age_days": self.max_age_days,
        }


def vendor_key(camera: Camera) -> str | None:
    """The camera's vendor key (reported maker, else declared, else the vendor-risk origin)."""
    catalogue = load_catalogue()
    for name in (camera.observed_manufacturer, camera.declared_manufacturer, camera.risk_origin_vendor):
        if name and (vendor := catalogue.by_name(name)) is not None:
            return vendor.key
    return None


async def password_report(
    session: AsyncSession,
    *,
    cipher: CredentialCipher,
    actor: Actor,
    now: datetime,
    max_age: timedelta,
    purpose: str = "password report",
) -> PasswordReport:
    """Every in-service camera with an ONVIF login: shared passwords, factory user names and age (the credentials'
    use audited for ``purpose``)."""
    cameras = [
        c
        for c in await session.scalars(
            with_credentials().where(Camera.lifecycle == Lifecycle.IN_SERVICE).order_by(Camera.name)
        )
        if c.credentials is not None and c.credentials.has_onvif
    ]
    usernames: dict[int, str] = {}
    for camera in cameras:
        creds = camera.credentials
        assert creds is not None
        secrets = cipher.decrypt(creds.ciphertext)
        usernames[camera.id] = str(secrets.get("username") or "")
        if creds.password_fingerprint is None and secrets.get("password"):
            # Stored before fingerprints were kept: fill it in once.
            creds.password_fingerprint = cipher.fingerprint(str(secrets["password"]))
    if cameras:
        await record(
            session,
            actor=actor,
            action="credential.use",
            target_type="camera",
            after={"purpose": purpose, "camera_ids": [c.id for c in cameras]},
        )
    by_fingerprint: dict[str, list[str]] = defaultdict(list)
    for camera in cameras:
        if camera.credentials is not None and camera.credentials.password_fingerprint:
            by_fingerprint[camera.credentials.password_fingerprint].append(camera.name)
    rows = [_row(c, usernames[c.id], by_fingerprint, now, max_age) for c in cameras]
    groups = sorted(names for names in by_fingerprint.values() if len(names) > 1)
    return PasswordReport(rows, groups, max_age.days)


def _row(
    camera: Camera, username: str, shared: dict[str, list[str]], now: datetime, max_age: timedelta
) -> CameraPassword:
    creds = camera.credentials
    assert creds is not None
    vendor = vendor_key(camera)
    fingerprint = creds.password_fingerprint
    others = tuple(n for n in shared.get(fingerprint or "", []) if n != camera.name)
    changed = creds.password_changed_at
    age = None if changed is None else now - changed
    return CameraPassword(
        camera_id=camera.id,
        camera=camera.name,
        vendor=None if vendor is None else load_catalogue().vendor(vendor).name,
        username=username,
        default_username=username.casefold() in default_usernames(vendor),
        shared_with=others,
        changed_at=changed,
        age_days=None if age is None else age.days,
        too_old=age is not None and age > max_age,
    )


async def login_of(session: AsyncSession, *, camera_id: int, cipher: CredentialCipher) -> tuple[str, str] | None:
    """The camera's ONVIF user name and password (for a rotation only), or None."""
    creds = await session.get(CameraCredentials, camera_id)
    if creds is None or not creds.has_onvif:
        return None
    secrets = cipher.decrypt(creds.ciphertext)
    username, password = secrets.get("username"), secrets.get("password")
    return (str(username), str(password)) if username and password else None


async def store_password(
    session: AsyncSession, *, camera_id: int, password: str, cipher: CredentialCipher, at: datetime
) -> None:
    """Replace the camera's stored ONVIF password (once proven on the device), with its fingerprint and date."""
    creds = await session.get(CameraCredentials, camera_id)
    if creds is None:
        raise NotFound("credentials of camera", camera_id)
    secrets = cipher.decrypt(creds.ciphertext)
    secrets["password"] = password
    creds.ciphertext = cipher.encrypt(secrets)
    creds.password_fingerprint = cipher.fingerprint(password)
    creds.password_changed_at = at
    creds.pending_ciphertext = None


async def rotatable(session: AsyncSession) -> list[int]:
    """Every in-service camera with an ONVIF login stored, by name."""
    rows = await session.scalars(
        select(Camera.id)
        .join(CameraCredentials, CameraCredentials.camera_id == Camera.id)
        .where(Camera.lifecycle == Lifecycle.IN_SERVICE, CameraCredentials.has_onvif)
        .order_by(Camera.name)
    )
    return list(rows)


async def request_rotation(
    session: AsyncSession, *, actor: Actor, camera_ids: Sequence[int], batch_size: int, at: datetime
) -> PasswordRotation:
    """Ask for a rotation of these cameras' passwords; refused while another run is pending or running."""
    if not camera_ids:
        raise InvalidInput("camera_ids", "name at least one camera")
    if batch_size < 1:
        raise InvalidInput("batch_size", "must be at least 1")
    busy = await session.scalar(
        select(PasswordRotation.id).where(
            (PasswordRotation.status == RotationStatus.PENDING)
            | ((PasswordRotation.status == RotationStatus.RUNNING) & (PasswordRotation.lease_until >= at))
        )
    )
    if busy is not None:
        # Never two changes at once on a device: one run at a time for the whole fleet. A running run whose lease
        # ran out does not count: whoever carries out the new one first checks and ends it (fleet/passwords/leases).
        raise Conflict(f"password rotation {busy} has not finished yet")
    wanted = set(camera_ids)
    found = dict((await session.execute(select(Camera.id, Camera.name).where(Camera.id.in_(sorted(wanted))))).all())
    if missing := sorted(wanted - set(found)):
        raise NotFound("camera", ", ".join(map(str, missing)))
    # In name order: the first camera (run alone) is the first by name.
    ids = sorted(wanted, key=lambda i: found[i])
    run = PasswordRotation(requested_by=actor.name, requested_at=at, batch_size=batch_size, camera_ids=ids)
    session.add(run)
    await session.flush()
    await record(
        session,
        actor=actor,
        action="password.rotation.request",
        target_type="password_rotation",
        target_id=run.id,
        after={"camera_ids": ids, "batch_size": batch_size},
    )
    return run


async def note_outcome(session: AsyncSession, *, run_id: int, camera_id: int, outcome: CameraOutcome) -> None:
    """Record one camera's outcome on the run (the row locked while it is read and written)."""
    run = await session.get(PasswordRotation, run_id, with_for_update=True, populate_existing=True)
    if run is None:
        raise NotFound("password rotation", run_id)
    run.outcomes = {**run.outcomes, str(camera_id): outcome.value}


async def finish(
    session: AsyncSession,
    *,
    run_id: int,
    stop_reason: str | None,
    at: datetime,
    actor: Actor,
    status: RotationStatus | None = None,
) -> PasswordRotation:
    """End a run: done, or stopped with its reason (or the status given); cameras it never reached are
    `not_attempted`."""
    run = await session.get(PasswordRotation, run_id)
    if run is None:
        raise NotFound("password rotation", run_id)
    left = {str(i): CameraOutcome.NOT_ATTEMPTED.value for i in run.camera_ids if str(i) not in run.outcomes}
    run.outcomes = {**run.outcomes, **left}
    run.status = status or (RotationStatus.STOPPED if stop_reason else RotationStatus.DONE)
    run.owner = run.lease_until = None
    run.stop_reason, run.finished_at = stop_reason, at
    counts: dict[str, int] = defaultdict(int)
    for outcome in run.outcomes.values():
        counts[outcome] += 1
    await record(
        session,
        actor=actor,
        action="password.rotation.finish",
        target_type="password_rotation",
        target_id=run.id,
        after={"status": run.status, "stop_reason": stop_reason, "outcomes": dict(counts)},
    )
    return run


async def step(session: AsyncSession, *, actor: Actor, run_id: int, camera_id: int, step: str, **details: Any) -> None:
    """One audited step of a camera's rotation (never a password: the audit redacts `password` besides)."""
    await record(
        session,
        actor=actor,
        action="password.rotation.step",
        target_type="camera",
        target_id=camera_id,
        after={"run": run_id, "step": step, **details},
    )


async def list_runs(session: AsyncSession, *, limit: int = 50) -> Sequence[PasswordRotation]:
    """The latest runs, newest first."""
    return (await session.scalars(select(PasswordRotation).order_by(PasswordRotation.id.desc()).limit(limit))).all()


async def get_run(session: AsyncSession, run_id: int) -> PasswordRotation:
    """One run, or NotFound."""
    run = await session.get(PasswordRotation, run_id)
    if run is None:
        raise NotFound("password rotation", run_id)
    return run


def shaped_run(run: PasswordRotation, names: dict[int, str]) -> dict[str, Any]:
    """A run as the CLI, API and page show it."""
    return {
        "id": run.id,
        "status": run.status.value,
        "requested_by": run.requested_by,
        "requested_at": run.requested_at.isoformat(),
        "started_at": None if run.started_at is None else run.started_at.isoformat(),
        "finished_at": None if run.finished_at is None else run.finished_at.isoformat(),
        "batch_size": run.batch_size,
        "stop_reason": run.stop_reason,
        "owner": run.owner,
        "lease_until": None if run.lease_until is None else run.lease_until.isoformat(),
        "cameras": [
            {"camera_id": i, "camera": names.get(i), "outcome": run.outcomes.get(str(i))} for i in run.camera_ids
        ],
    }


async def camera_names(session: AsyncSession, ids: Sequence[int]) -> dict[int, str]:
    """Names of cameras by id."""
    rows = await session.execute(select(Camera.id, Camera.name).where(Camera.id.in_(list(ids))))
    return {camera_id: name for camera_id, name in rows}
