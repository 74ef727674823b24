"""Which checks each polled camera has, and collectors claiming, renewing and giving back the due ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, exists, literal, or_, select, true, tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from config.checks import CheckKind
from fleet.cameras.models import NETWORK_DEVICE_TYPES, Camera, CameraCredentials, DeviceType, Lifecycle, RecordedBy
from fleet.db import UTCDateTime, chunks
from fleet.health.models import CheckState
from fleet.health.rows import forget

# The checks every polled camera has; SNMP only when the camera has SNMP settings.
ALWAYS = (
    CheckKind.REACHABILITY,
    CheckKind.ONVIF_HEALTH,
    CheckKind.ONVIF_IDENTITY,
    CheckKind.STREAM,
    CheckKind.IMAGE,
    CheckKind.SECURITY,
)
# Checks only some devices have (see `applies`); the others are every polled device's, cameras and recorders alike.
ONLY_CAMERAS = frozenset({CheckKind.STREAM, CheckKind.IMAGE})
# The checks that speak ONVIF; network devices (switches, routers, ...) have none: reachability and SNMP only.
ONVIF = frozenset({CheckKind.ONVIF_HEALTH, CheckKind.ONVIF_IDENTITY, CheckKind.SECURITY})


def applies(kind: CheckKind) -> ColumnElement[bool]:
    """The condition on a device (``Camera``) that it has this check, whatever its lifecycle."""
    if kind is CheckKind.SNMP:
        return exists().where(CameraCredentials.camera_id == Camera.id, CameraCredentials.snmp_version.is_not(None))
    if kind in ONLY_CAMERAS:
        return Camera.device_type == DeviceType.CAMERA
    if kind in ONVIF:
        return Camera.device_type.not_in(sorted(NETWORK_DEVICE_TYPES))
    if kind is CheckKind.RECORDING:
        # Asked of the device that keeps the footage: a recorder, or a camera recording on its own storage.
        return or_(Camera.device_type == DeviceType.RECORDER, Camera.recorded_by == RecordedBy.EDGE)
    return true()


@dataclass(frozen=True, slots=True)
class Claim:
    """A due check, claimed for one collector until its lease expires."""

    camera_id: int
    kind: CheckKind
    failures_in_a_row: int
    # While the check has failed for real: the successes in a row since (None while it is up).
    recovering: int | None = None


def polled_cameras(poller_group: str | None, names: Sequence[str] | None) -> Any:
    """The condition selecting in-service cameras, of one poller group and of the named ones when given."""
    condition = Camera.lifecycle == Lifecycle.IN_SERVICE
    if poller_group is not None:
        condition = and_(condition, Camera.poller_group == poller_group)
    if names:
        condition = and_(condition, Camera.name.in_(names))
    return condition


async def ensure_check_states(
    session: AsyncSession,
    *,
    now: datetime,
    poller_group: str | None = None,
    names: Sequence[str] | None = None,
) -> None:
    """Give every polled device a state row per check it should have, and drop the ones it no longer has.

    In-service devices get reachability and ONVIF checks, and SNMP when they have SNMP settings; cameras also the
    stream and image checks (``applies``). Devices in storage or retired are not polled.
    """
    upsert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    columns = ["camera_id", "kind", "next_due_at", "streak", "failures_in_a_row"]
    for kind in CheckKind:
        missing = (
            select(Camera.id, literal(kind.value), literal(now, UTCDateTime()), literal(0), literal(0))
            .where(polled_cameras(poller_group, names), applies(kind))
            .where(~exists().where(CheckState.camera_id == Camera.id, CheckState.kind == kind))
        )
        # Collectors of one group run this at once: a row another one added meanwhile is no error.
        await session.execute(upsert(CheckState).from_select(columns, missing).on_conflict_do_nothing())
        has_it = exists().where(
            Camera.id == CheckState.camera_id, Camera.lifecycle == Lifecycle.IN_SERVICE, applies(kind)
        )
        await session.execute(delete(CheckState).where(CheckState.kind == kind, ~has_it))


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    owner: str,
    lease: timedelta,
    limit: int,
    poller_group: str | None = None,
    names: Sequence[str] | None = None,
    not_run_since: datetime | None = None,
) -> list[Claim]:
    """Claim up to ``limit`` due checks, oldest due first; with ``not_run_since``, every check of the selection
    that has not run since then, due or not (a one-off ``camfleet poll``: each check once, however many batches).

    On PostgreSQL rows are locked with SKIP LOCKED, so collectors sharing a group never claim the same check;
    a claim expires with its lease, so a dead collector's work is taken over.
    """
    due = (
        select(CheckState.camera_id, CheckState.kind)
        .join(Camera, Camera.id == CheckState.camera_id)
        .where(polled_cameras(poller_group, names))
        .where(or_(CheckState.lease_expires_at.is_(None), CheckState.lease_expires_at < now))
        .order_by(CheckState.next_due_at)
        .limit(limit)
    )
    if not_run_since is None:
        due = due.where(CheckState.next_due_at <= now)
    else:
        due = due.where(or_(CheckState.last_run_at.is_(None), CheckState.last_run_at < not_run_since))
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True, of=CheckState)
    # One statement: the due rows leased and handed back, instead of loading each as an object and flushing it.
    claimed = await session.execute(
        update(CheckState)
        .where(tuple_(CheckState.camera_id, CheckState.kind).in_(due))
        .values(lease_owner=owner, lease_expires_at=now + lease)
        .returning(
            CheckState.camera_id,
            CheckState.kind,
            CheckState.failures_in_a_row,
            CheckState.next_due_at,
            CheckState.hard_ok,
            CheckState.streak,
            CheckState.streak_ok,
        )
        .execution_options(synchronize_session=False)
    )
    rows = sorted(claimed.all(), key=lambda row: (row.next_due_at, row.camera_id, row.kind))
    forget(session, CheckState, [(row.camera_id, row.kind) for row in rows])
    return [
        Claim(row.camera_id, row.kind, row.failures_in_a_row, _recovering(row.hard_ok, row.streak, row.streak_ok))
        for row in rows
    ]


def _recovering(hard_ok: bool | None, streak: int, streak_ok: bool | None) -> int | None:
    """The successes in a row since a check failed for real; None when it has not (or not yet) failed."""
    if hard_ok is not False:
        return None
    return streak if streak_ok else 0


async def renew_claims(session: AsyncSession, *, owner: str, now: datetime, lease: timedelta) -> int:
    """Extend ``owner``'s unexpired claims (checks still running) to a lease from ``now``; how many were renewed.

    On PostgreSQL rows another transaction holds (the same collector recording them) are skipped, never waited
    for: their lease is being cleared anyway.
    """
    held = select(CheckState.camera_id, CheckState.kind).where(
        CheckState.lease_owner == owner, CheckState.lease_expires_at >= now
    )
    if session.get_bind().dialect.name == "postgresql":
        held = held.with_for_update(skip_locked=True)
    result = await session.execute(
        update(CheckState)
        .where(tuple_(CheckState.camera_id, CheckState.kind).in_(held))
        .values(lease_expires_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def release_claims(session: AsyncSession, *, owner: str, retry_at: datetime) -> int:
    """Give back every check ``owner`` still holds (a collector stopping), due again at ``retry_at``; how many."""
    result = await session.execute(
        update(CheckState)
        .where(CheckState.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None, next_due_at=retry_at)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def give_back(
    session: AsyncSession, *, owner: str, checks: Sequence[tuple[int, CheckKind]], retry_at: datetime
) -> int:
    """Give back ``owner``'s claims of these checks with no result recorded, due again at ``retry_at``; how many.

    For checks whose failure was camfleet's own (its event loop stalled while they ran), not the camera's.
    """
    if not checks:
        return 0
    result = await session.execute(
        update(CheckState)
        .where(CheckState.lease_owner == owner, tuple_(CheckState.camera_id, CheckState.kind).in_(list(checks)))
        .values(lease_owner=None, lease_expires_at=None, next_due_at=retry_at)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def hurry(session: AsyncSession, *, camera_ids: Sequence[int], kind: CheckKind, now: datetime, runs: int) -> int:
    """Make these cameras' check due now and run ``runs`` times in a row at once (an event said something is wrong,
    or a device above or below them went down); how many checks were changed (cameras without it are left)."""
    changed = 0
    for chunk in chunks(camera_ids):
        result = await session.execute(
            update(CheckState)
            .where(CheckState.camera_id.in_(chunk), CheckState.kind == kind)
            .values(
                next_due_at=case((CheckState.next_due_at > now, now), else_=CheckState.next_due_at),
                hurry_runs=case((CheckState.hurry_runs < runs, runs), else_=CheckState.hurry_runs),
            )
            .execution_options(synchronize_session=False)
        )
        changed += int(getattr(result, "rowcount", 0) or 0)
    return changed
