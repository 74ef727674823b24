"""Recorded time beside availability: each report row's footage coverage, gaps and recording state.

Only cameras whose footage is declared kept (by a recorder or on their own storage) count; a row without any has
no footage figures. ``recorded`` is the share of the period with footage a recording check saw (never more than
was seen), ``recorded_max`` what it may reach if all the time nobody saw had footage, ``footage_observed`` the
share seen at all: how precise the figure is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.recording import RecordingSettings
from fleet.cameras.models import Camera, RecordedBy
from fleet.db import chunks
from fleet.faults.models import FaultKind
from fleet.faults.wording import kind_label
from fleet.language import N_, Language, gettext
from fleet.recording import footage
from fleet.recording.coverage import Coverage, Piece, Span, coverage_of
from fleet.recording.service import DECLARED_COLUMNS, Declared
from fleet.recording.state import NOT_RECORDED, RECORDING, UNCHECKED, footage_of

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


@dataclass(frozen=True, slots=True)
class Kept:
    """A report's cameras whose footage is declared kept (by id), and their footage from the period's start up to
    now (``seen``: time still to come is no part of it), read once for the rows and the longest gaps."""

    cameras: list[Declared]
    seen: Span
    pieces: dict[int, list[Piece]]


async def kept(session: AsyncSession, camera_ids: Iterable[int], *, period: Span, now: datetime) -> Kept:
    """The cameras among these whose footage is declared kept, with their footage over the period up to now."""
    cameras: list[Declared] = []
    for chunk in chunks(camera_ids):
        query = select(*DECLARED_COLUMNS).where(Camera.id.in_(chunk), Camera.recorded_by.in_(KEPT))
        cameras.extend(Declared.of(row) for row in await session.execute(query.order_by(Camera.id)))
    seen = (period[0], max(period[0], min(period[1], now)))
    return Kept(cameras, seen, await footage.pieces_of(session, [c.id for c in cameras], seen))


async def with_footage(
    session: AsyncSession,
    rows: Sequence[UptimeRow],
    keys: dict[int, str],
    found: Kept,
    *,
    recording: RecordingSettings | None = None,
) -> list[UptimeRow]:
    """The rows with their recorded time, gaps and (with the recording settings) recording and retention state;
    ``keys``: each camera's row key, ``found``: the footage of the cameras among them (``kept``)."""
    states = await footage_of(session, found.cameras, recording) if recording is not None and found.cameras else {}
    groups: dict[str, _Group] = defaultdict(_Group)
    for camera in found.cameras:
        group = groups[keys[camera.id]]
        group.coverage.add(coverage_of(found.pieces.get(camera.id, ()), found.seen))
        group.cameras += 1
        state = states.get(camera.id)
        if state is not None:
            group.states[state.state or "undeclared"] += 1
            if state.retention_days is not None:
                group.retention_days.append(state.retention_days)
    single = len(set(keys.values())) == len(keys)
    return [_row(row, groups.get(row.key), single) for row in rows]


def longest_gaps(found: Kept, count: int) -> list[tuple[int, datetime, datetime]]:
    """The ``count`` longest spans seen without footage, as (camera id, start, end)."""
    return footage.gaps(found.pieces, found.seen)[:count]


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
