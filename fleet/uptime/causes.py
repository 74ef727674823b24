"""Downtime put down to its cause: the network, power, a shared outage guessed, or the camera itself.

A camera's downtime comes from its status intervals; what explains it comes from its ``offline`` faults and the
root each was marked caused by (``Fault.suppressed_by_id``: a network device or port in the tree,
``fleet/faults/causes.py``, or a group outage of its site or poller group). The explained seconds are taken out of
the downtime (never more than it, so planned maintenance inside a fault is not counted twice); the rest is the
camera's own. The four parts add up to the downtime.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras.models import Camera
from fleet.db import chunks
from fleet.faults.models import Fault, FaultKind
from fleet.faults.rules import Cause, cause_of
from fleet.uptime.calc import Figures, Span, clip, micros, seconds, to_micros

if TYPE_CHECKING:
    from fleet.uptime.facts import CameraFacts
    from fleet.uptime.service import UptimeRow


async def explained_seconds(
    session: AsyncSession, *, period: Span, camera_ids: Collection[int]
) -> dict[int, dict[Cause, float]]:
    """Per camera, the seconds of its offline faults within the period that a root explains, by the root's cause."""
    start, end = to_micros(period)
    caused: list[tuple[int, int, int, int]] = []
    for chunk in chunks(camera_ids):
        rows = await session.execute(
            select(Fault.camera_id, Fault.suppressed_by_id, Fault.opened_at, Fault.closed_at).where(
                Fault.camera_id.in_(chunk),
                Fault.kind == FaultKind.OFFLINE,
                Fault.suppressed_by_id.is_not(None),
                Fault.opened_at < period[1],
                or_(Fault.closed_at.is_(None), Fault.closed_at > period[0]),
            )
        )
        for camera_id, root_id, opened_at, closed_at in rows:
            span = clip((micros(opened_at), end if closed_at is None else micros(closed_at)), (start, end))
            if span is not None and camera_id is not None and root_id is not None:
                caused.append((camera_id, root_id, *span))
    causes: dict[int, Cause] = {}
    query = select(Fault.id, Fault.kind, Camera.device_type).outerjoin(Camera, Camera.id == Fault.camera_id)
    for chunk in chunks(root_id for _camera, root_id, _s, _e in caused):
        for root_id, kind, device_type in await session.execute(query.where(Fault.id.in_(chunk))):
            causes[root_id] = cause_of(kind, device_type.value if device_type is not None else None)
    found: dict[int, dict[Cause, float]] = defaultdict(lambda: defaultdict(float))
    for camera_id, root_id, begin, finish in caused:
        found[camera_id][causes.get(root_id, Cause.SHARED)] += seconds(finish - begin)
    return {camera_id: dict(by_cause) for camera_id, by_cause in found.items()}


def split(downtime_s: float, explained: Mapping[Cause, float]) -> dict[Cause, float]:
    """A camera's downtime in parts by cause: what its roots explain (scaled down to the downtime if they explain
    more, as when maintenance fell inside a fault), and the rest its own."""
    total = sum(explained.values())
    scale = min(1.0, downtime_s / total) if total > 0 else 0.0
    parts = {cause: explained.get(cause, 0.0) * scale for cause in (Cause.NETWORK, Cause.POWER, Cause.SHARED)}
    parts[Cause.CAMERA] = max(0.0, downtime_s - sum(parts.values()))
    return parts


def by_key(
    downtime: Mapping[int, float], explained: Mapping[int, Mapping[Cause, float]], keys: Mapping[int, str]
) -> dict[str, dict[Cause, float]]:
    """The parts of every camera's downtime summed per report key (``keys``: each camera's)."""
    summed: dict[str, dict[Cause, float]] = defaultdict(lambda: dict.fromkeys(Cause, 0.0))
    for camera_id, key in keys.items():
        for cause, value in split(downtime.get(camera_id, 0.0), explained.get(camera_id, {})).items():
            summed[key][cause] += value
    return dict(summed)


async def with_causes(
    session: AsyncSession,
    rows: Sequence[UptimeRow],
    per_camera: Mapping[int, tuple[CameraFacts, Figures]],
    keys: Mapping[int, str],
    *,
    period: Span,
) -> list[UptimeRow]:
    """The rows with their downtime in parts: the network, power, a shared outage guessed, the camera itself
    (``keys``: each camera's row key)."""
    explained = await explained_seconds(session, period=period, camera_ids=list(per_camera))
    downtime = {camera_id: figures.downtime_s for camera_id, (_camera, figures) in per_camera.items()}
    parts = by_key(downtime, explained, keys)
    return [with_parts(row, parts[row.key]) if row.key in parts else row for row in rows]


def with_parts(row: UptimeRow, parts: Mapping[Cause, float]) -> UptimeRow:
    """The row with its downtime in these parts by cause (seconds, to the millisecond)."""
    return replace(
        row,
        downtime_network_s=round(parts[Cause.NETWORK], 3),
        downtime_power_s=round(parts[Cause.POWER], 3),
        downtime_shared_s=round(parts[Cause.SHARED], 3),
        downtime_camera_s=round(parts[Cause.CAMERA], 3),
    )
