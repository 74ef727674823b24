"""Each camera's footage coverage kept over time: written from recording checks, read for the reports, pruned."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.recording import HISTORY, RecordingSettings
from fleet.cameras.models import Camera, DeviceType
from fleet.db import chunks
from fleet.recording.coverage import Piece, Span, footage_seen, merge
from fleet.recording.models import FootageSpan
from fleet.recording.rules import Recording, match
from fleet.recording.service import recorded_cameras


@dataclass(frozen=True, slots=True)
class Answer:
    """One successful recording check: the device asked, when (our clock), and its stored values."""

    device_id: int
    at: datetime
    values: Mapping[str, Any]


async def observe(
    session: AsyncSession, devices: Mapping[int, Camera], answers: Sequence[Answer], settings: RecordingSettings
) -> int:
    """Merge what each answer saw of its cameras' footage into their coverage; returns the cameras updated.

    Only answers with the recording history searched count: without it the gaps are unknown, so nothing is seen.
    """
    updated = 0
    for answer in sorted(answers, key=lambda a: a.at):
        device = devices.get(answer.device_id)
        if device is None or not answer.values.get("history_searched"):
            continue
        # The device's clock may run ahead of ours: nothing later than our moment of asking is taken as seen.
        end = min(datetime.fromisoformat(str(answer.values["asked_at"])), answer.at)
        window = (end - HISTORY, end)
        recordings = [Recording.of(r) for r in answer.values.get("recordings") or ()]
        cameras = await recorded_cameras(session, device, settings)
        found = match(recordings, cameras, edge=device.device_type is not DeviceType.RECORDER)
        seen: dict[int, tuple[Span, list[Span]]] = {}
        for camera in cameras:
            mine = found[camera.camera_id]
            until = _seen_until(window, mine, settings)
            seen[camera.camera_id] = until, footage_seen(mine, until)
        await _merge(session, seen)
        updated += len(seen)
    return updated


def _seen_until(window: Span, recordings: Sequence[Recording], settings: RecordingSettings) -> Span:
    """The window, ending at the newest footage where that is recent (within ``recording.stopped_after``): footage
    still being written is not yet seen, not missing. Older newest footage means the recording stopped: the time
    since is seen without footage."""
    latest = max((r.latest for r in recordings if r.latest is not None), default=None)
    if latest is None or window[1] - latest > settings.stopped_after:
        return window
    return window[0], max(window[0], min(window[1], latest))


async def _merge(session: AsyncSession, seen: Mapping[int, tuple[Span, list[Span]]]) -> None:
    """Replace each camera's spans touching its window with them merged with what the window saw (``seen``: per
    camera, the window and the footage in it), a recorder's cameras in a statement or so for each step."""
    for chunk in chunks(seen):
        first, last = min(seen[c][0][0] for c in chunk), max(seen[c][0][1] for c in chunk)
        rows = await session.execute(
            select(
                FootageSpan.id, FootageSpan.camera_id, FootageSpan.starts_at, FootageSpan.ends_at, FootageSpan.footage
            ).where(FootageSpan.camera_id.in_(chunk), FootageSpan.starts_at <= last, FootageSpan.ends_at >= first)
        )
        kept: dict[int, list[Piece]] = defaultdict(list)
        touching: list[int] = []
        for span_id, camera_id, starts_at, ends_at, footage in rows:
            window = seen[camera_id][0]
            if starts_at <= window[1] and ends_at >= window[0]:
                kept[camera_id].append(Piece(starts_at, ends_at, footage))
                touching.append(span_id)
        for ids in chunks(touching):
            await session.execute(delete(FootageSpan).where(FootageSpan.id.in_(ids)))
        merged = [
            {"camera_id": camera_id, "starts_at": p.start, "ends_at": p.end, "footage": p.footage}
            for camera_id in chunk
            for p in merge(kept[camera_id], *seen[camera_id])
        ]
        if merged:
            await session.execute(insert(FootageSpan), merged)


async def pieces_of(session: AsyncSession, camera_ids: Iterable[int], period: Span) -> dict[int, list[Piece]]:
    """Each camera's spans overlapping the period, in time order."""
    found: dict[int, list[Piece]] = defaultdict(list)
    for chunk in chunks(camera_ids):
        query = (
            select(FootageSpan.camera_id, FootageSpan.starts_at, FootageSpan.ends_at, FootageSpan.footage)
            .where(
                FootageSpan.camera_id.in_(chunk),
                FootageSpan.starts_at < period[1],
                FootageSpan.ends_at > period[0],
            )
            .order_by(FootageSpan.camera_id, FootageSpan.starts_at)
        )
        for camera_id, starts_at, ends_at, footage in await session.execute(query):
            found[camera_id].append(Piece(starts_at, ends_at, footage))
    return found


def gaps(pieces: Mapping[int, Sequence[Piece]], period: Span) -> list[tuple[int, datetime, datetime]]:
    """Every span seen without footage within the period, as (camera id, start, end), longest first."""
    found = [
        (camera_id, max(p.start, period[0]), min(p.end, period[1]))
        for camera_id, spans in pieces.items()
        for p in spans
        if not p.footage and p.start < period[1] and p.end > period[0]
    ]
    return sorted(found, key=lambda g: (g[1] - g[2], g[0], g[1]))


async def prune(session: AsyncSession, *, before: datetime) -> int:
    """Delete coverage that ended before ``before`` (``retention.footage_history``); returns the rows removed."""
    result = await session.execute(delete(FootageSpan).where(FootageSpan.ends_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
