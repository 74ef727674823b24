"""Recorded time beside availability: each report row's footage coverage, gaps and recording state.

Only cameras whose footage is declared kept (by a recorder or on their own storage) count; a row without any has
no footage figures. ``recorded`` is the share of the period with footage a recording check saw (never more than
was seen), ``recorded_max`` what it may reach if all the time nobody saw had footage, ``footage_observed`` the
share seen at all: how precise the figure is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from config.recording import RecordingSettings
from fleet.cameras.models import Camera, RecordedBy
from fleet.faults.models import FaultKind
from fleet.faults.wording import kind_label
from fleet.language import N_, Language, gettext
from fleet.recording import footage
from fleet.recording.coverage import Coverage, Span
from fleet.recording.state import NOT_RECORDED, RECORDING, UNCHECKED, Footage, footage_of

if TYPE_CHECKING:
    from fleet.uptime.service import UptimeRow

KEPT = (RecordedBy.RECORDER, RecordedBy.EDGE)
# A camera's recording state in words, besides its recording faults' kinds.
STATES = {RECORDING: N_("recording"), NOT_RECORDED: N_("not recorded"), UNCHECKED: N_("not checked yet")}


@dataclass
class _Group:
    coverage: Coverage = field(default_factory=Coverage)
    cameras: int = 0
    states: Counter[str] = field(default_factory=Counter)
    retention_days: list[float] = field(default_factory=list)


async def recorded_ids(session: AsyncSession, camera_ids: Sequence[int]) -> list[int]:
    """The cameras among these whose footage is declared kept."""
    ids = sorted(set(camera_ids))
    found: list[int] = []
    for start in range(0, len(ids), footage.CHUNK):
        query = select(Camera.id).where(Camera.id.in_(ids[start : start + footage.CHUNK]), Camera.recorded_by.in_(KEPT))
        found.extend(await session.scalars(query))
    return sorted(found)


async def _states(session: AsyncSession, camera_ids: list[int], settings: RecordingSettings) -> dict[int, Footage]:
    cameras = await session.scalars(
        select(Camera).options(selectinload(Camera.recorder)).where(Camera.id.in_(camera_ids))
    )
    return await footage_of(session, list(cameras), settings)


async def with_footage(
    session: AsyncSession,
    rows: Sequence[UptimeRow],
    keys: dict[int, str],
    *,
    period: Span,
    now: datetime,
    recording: RecordingSettings | None = None,
) -> list[UptimeRow]:
    """The rows with their recorded time, gaps and (with the recording settings) recording and retention state;
    ``keys``: each camera's row key."""
    ids = await recorded_ids(session, list(keys))
    coverage = await footage.coverage_for(session, ids, period=period, now=now)
    states = await _states(session, ids, recording) if recording is not None and ids else {}
    groups: dict[str, _Group] = defaultdict(_Group)
    for camera_id in ids:
        group = groups[keys[camera_id]]
        group.coverage.add(coverage[camera_id])
        group.cameras += 1
        state = states.get(camera_id)
        if state is not None:
            group.states[state.state or "undeclared"] += 1
            if state.retention_days is not None:
                group.retention_days.append(state.retention_days)
    single = len(set(keys.values())) == len(keys)
    return [_row(row, groups.get(row.key), single) for row in rows]


def _row(row: UptimeRow, group: _Group | None, single: bool) -> UptimeRow:
    if group is None:
        return row
    found = group.coverage
    if single and group.cameras == 1:
        state = next(iter(group.states), None)
    else:
        state = "; ".join(f"{name}: {count}" for name, count in sorted(group.states.items())) or None
    return replace(
        row,
        recorded_cameras=group.cameras,
        recorded=found.recorded,
        recorded_max=found.recorded_max,
        footage_observed=found.observed,
        recorded_s=round(found.recorded_s, 3),
        footage_missing_s=round(found.missing_s, 3),
        footage_unobserved_s=round(found.unobserved_s, 3),
        footage_gaps=found.gaps,
        recording_state=state,
        retention_days=min(group.retention_days, default=None),
    )


def total(rows: Sequence[UptimeRow]) -> Coverage:
    """The recorded time of the rows together."""
    summed = Coverage()
    for row in rows:
        if row.recorded_s is None or row.footage_missing_s is None or row.footage_unobserved_s is None:
            continue
        summed.add(
            Coverage(
                period_s=row.recorded_s + row.footage_missing_s + row.footage_unobserved_s,
                recorded_s=row.recorded_s,
                missing_s=row.footage_missing_s,
                gaps=row.footage_gaps or 0,
            )
        )
    return summed


def state_words(text: str | None, language: Language) -> str:
    """A row's recording state (a state, or ``state: count; …`` for a group) in the language."""
    if not text:
        return "–"
    parts = []
    for part in text.split("; "):
        code, _sep, count = part.partition(": ")
        if code in STATES:
            words = gettext(STATES[code], language)
        elif code in FaultKind.__members__.values():
            words = kind_label(FaultKind(code), language)
        else:
            words = code
        parts.append(f"{words}: {count}" if count else words)
    return "; ".join(parts)
