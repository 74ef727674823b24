"""Login endpoints remembered per camera, and the ``auth_downgrade`` fault when Digest gives way to Basic alone.

The stream and image checks report what each login endpoint's challenge offered, whether the check then worked or
not (a camera not allowed Basic fails without sending the password, and still says what it offered). A camera whose
endpoint offered Digest and now offers only Basic opens one fault with the evidence: which endpoint, the challenge
headers seen, when Digest was last seen. It closes when every downgraded endpoint offers Digest again, or when a
person acknowledges it (then Basic is the remembered normal until Digest comes back).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras.models import Camera
from fleet.faults import rules
from fleet.faults.evaluate import Seen
from fleet.faults.models import Fault, FaultKind
from fleet.faults.service import FaultChanges, close_fault, open_fault
from fleet.health.models import EndpointAuth


async def endpoints(session: AsyncSession, camera_id: int) -> list[EndpointAuth]:
    """What each login endpoint of the camera last offered, by endpoint name."""
    rows = await session.scalars(
        select(EndpointAuth).where(EndpointAuth.camera_id == camera_id).order_by(EndpointAuth.endpoint)
    )
    return list(rows)


def offers(seen: Iterable[Seen]) -> list[Seen]:
    """The results that carry what a login endpoint offered (values ``auth_endpoint`` and ``auth_offered``)."""
    return [item for item in seen if item.values.get("auth_offered") and item.values.get("auth_endpoint")]


async def note_offers(
    session: AsyncSession, changes: FaultChanges, cameras: Mapping[int, Camera], seen: Iterable[Seen]
) -> None:
    """Remember what each endpoint offered, and open or close ``auth_downgrade`` faults, in the caller's transaction."""
    items = sorted(offers(seen), key=lambda item: item.at)
    if not items:
        return
    keys = sorted({(item.camera_id, str(item.values["auth_endpoint"])) for item in items})
    known = {
        (row.camera_id, row.endpoint): row
        for row in await session.scalars(
            select(EndpointAuth).where(tuple_(EndpointAuth.camera_id, EndpointAuth.endpoint).in_(keys))
        )
    }
    for item in items:
        camera = cameras.get(item.camera_id)
        if camera is None:
            continue
        endpoint = str(item.values["auth_endpoint"])
        row = known.get((camera.id, endpoint))
        if row is None:
            row = EndpointAuth(camera_id=camera.id, endpoint=endpoint, offered="", challenges=[], seen_at=item.at)
            known[(camera.id, endpoint)] = row
            session.add(row)
        elif row.seen_at > item.at:
            continue  # an older result than the one remembered
        await _note(session, changes, camera, row, item)


async def _note(session: AsyncSession, changes: FaultChanges, camera: Camera, row: EndpointAuth, item: Seen) -> None:
    offered = [str(scheme).lower() for scheme in item.values["auth_offered"]][:8]
    challenges = [str(value)[:200] for value in item.values.get("auth_challenges") or []][:4]
    before = set(row.offered.split()) if row.offered else set()
    if rules.auth_downgraded(before, set(offered)):
        evidence = {
            "uri": item.values.get("auth_uri"),
            "offered": offered,
            "challenges": challenges,
            "previously_offered": sorted(before),
            "previous_challenges": list(row.challenges or []),
            "digest_last_seen_at": row.digest_seen_at.isoformat() if row.digest_seen_at else None,
            "seen_at": item.at.isoformat(),
        }
        await _downgraded(session, changes, camera, row.endpoint, evidence, item.at)
    elif "digest" in offered:
        await _restored(session, changes, camera, row.endpoint, item.at)
    row.uri = str(item.values.get("auth_uri") or "")[:500] or None
    row.offered = " ".join(offered)[:100]
    row.challenges = challenges
    row.seen_at = item.at
    if "digest" in offered:
        row.digest_seen_at = item.at


async def _open_downgrade(session: AsyncSession, camera_id: int) -> Fault | None:
    found: Fault | None = await session.scalar(
        select(Fault).where(
            Fault.camera_id == camera_id, Fault.kind == FaultKind.AUTH_DOWNGRADE, Fault.closed_at.is_(None)
        )
    )
    return found


async def _downgraded(
    session: AsyncSession,
    changes: FaultChanges,
    camera: Camera,
    endpoint: str,
    evidence: dict[str, Any],
    at: datetime,
) -> None:
    fault = await _open_downgrade(session, camera.id)
    if fault is None:
        since = evidence["digest_last_seen_at"] or "before"
        await open_fault(
            session,
            changes,
            camera=camera,
            kind=FaultKind.AUTH_DOWNGRADE,
            at=at,
            summary=(
                f"{camera.name}: {endpoint} login offers only Basic where it offered Digest (Digest last seen {since})"
            ),
            details={"endpoints": {endpoint: evidence}},
        )
        return
    endpoints = dict(fault.details.get("endpoints", {}))
    endpoints.setdefault(endpoint, evidence)
    fault.details = {**fault.details, "endpoints": endpoints}


async def _restored(session: AsyncSession, changes: FaultChanges, camera: Camera, endpoint: str, at: datetime) -> None:
    fault = await _open_downgrade(session, camera.id)
    if fault is None:
        return
    endpoints = {k: v for k, v in fault.details.get("endpoints", {}).items() if k != endpoint}
    if endpoints:
        fault.details = {**fault.details, "endpoints": endpoints}
    else:
        await close_fault(session, changes, fault, at)
