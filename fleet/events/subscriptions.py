"""Which collector holds each camera's event subscription: claims with a lease, as for checks (fleet/health/claims).

Collectors of one poller group share its cameras' subscriptions; a collector that stops gives its claims back, and
a dead one's lapse with the lease, so another collector of the group subscribes in its place.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, exists, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras.models import Camera, Lifecycle
from fleet.db import UTCDateTime
from fleet.events.models import EventSubscription, SubscriptionStatus
from fleet.health.claims import polled_cameras


async def claim(
    session: AsyncSession, *, owner: str, now: datetime, lease: timedelta, poller_group: str | None, limit: int
) -> list[int]:
    """The cameras whose subscription ``owner`` holds from now on: the ones it held (renewed) and those free (new,
    lapsed, given back), except cameras without events until they are asked again. On PostgreSQL rows another
    collector is claiming are skipped, never waited for."""
    missing = select(Camera.id).where(polled_cameras(poller_group, None))
    missing = missing.where(~exists().where(EventSubscription.camera_id == Camera.id))
    upsert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(upsert(EventSubscription).from_select(["camera_id"], missing).on_conflict_do_nothing())
    gone = ~exists().where(Camera.id == EventSubscription.camera_id, Camera.lifecycle == Lifecycle.IN_SERVICE)
    await session.execute(delete(EventSubscription).where(gone))
    free = (
        select(EventSubscription.camera_id)
        .join(Camera, Camera.id == EventSubscription.camera_id)
        .where(polled_cameras(poller_group, None))
        .where(
            or_(
                EventSubscription.lease_owner == owner,
                EventSubscription.lease_expires_at.is_(None),
                EventSubscription.lease_expires_at < now,
            )
        )
        .where(or_(EventSubscription.retry_at.is_(None), EventSubscription.retry_at <= now))
        .order_by(EventSubscription.camera_id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        free = free.with_for_update(skip_locked=True, of=EventSubscription)
    # One statement every third of a lease, for every camera of the group: the rows leased and their ids handed
    # back, instead of loading each as an object and flushing it (with 60 s pulls, most of what a quiet fleet's
    # subscriptions cost).
    claimed = await session.execute(
        update(EventSubscription)
        .where(EventSubscription.camera_id.in_(free))
        .values(lease_owner=owner, lease_expires_at=now + lease)
        .returning(EventSubscription.camera_id)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed.scalars())


async def note(
    session: AsyncSession,
    *,
    camera_id: int,
    owner: str,
    status: SubscriptionStatus,
    at: datetime,
    detail: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """Record where ``owner``'s subscription of a camera stands (only while it holds the claim); an unsupported
    camera is given back until ``retry_at``."""
    values: dict[str, object] = {
        "status": status,
        "detail": detail[:300] if detail else None,
        "retry_at": retry_at,
        "status_since": case(
            (EventSubscription.status == status, EventSubscription.status_since), else_=literal(at, UTCDateTime())
        ),
    }
    if status is SubscriptionStatus.UNSUPPORTED:
        values |= {"lease_owner": None, "lease_expires_at": None}
    await session.execute(
        update(EventSubscription)
        .where(EventSubscription.camera_id == camera_id, EventSubscription.lease_owner == owner)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def release(session: AsyncSession, *, owner: str) -> int:
    """Give back every subscription ``owner`` holds (a collector stopping); how many."""
    result = await session.execute(
        update(EventSubscription)
        .where(EventSubscription.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
