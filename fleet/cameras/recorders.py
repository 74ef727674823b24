"""Which recorder keeps a camera's footage: the recorder column resolved against the registry's recorders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras import references
from fleet.cameras.models import Camera, DeviceType, RecordedBy
from fleet.errors import ImportRejected, InvalidInput


def _declared(value: str) -> RecordedBy | None:
    # `edge` and `none` are words of the column, whatever their case; anything else names a recorder.
    try:
        return RecordedBy(value.casefold())
    except ValueError:
        return None


async def resolve(session: AsyncSession, value: str | None) -> dict[str, Any]:
    """The camera columns for a recorder column's value: a recorder's name, `edge`, `none`, or nothing declared."""
    if value is None:
        return {"recorded_by": None, "recorder_id": None}
    declared = _declared(value)
    if declared is not None and declared is not RecordedBy.RECORDER:
        return {"recorded_by": declared, "recorder_id": None}
    found = await session.scalar(
        select(Camera.id).where(Camera.name == value, Camera.device_type == DeviceType.RECORDER)
    )
    if found is None:
        raise InvalidInput("recorder", _unknown(value))
    return {"recorded_by": RecordedBy.RECORDER, "recorder_id": found}


def _unknown(name: str) -> str:
    return f"no recorder named {name!r} (import it with `camfleet recorders import`, or write edge or none)"


async def check_names(session: AsyncSession, named: Sequence[tuple[int, str | None]]) -> None:
    """ImportRejected naming every (line, recorder) whose recorder is not in the registry; nothing is written."""
    wanted = [(line, value) for line, value in named if value is not None and _declared(value) is None]
    problems = await references.unregistered(
        session, wanted, (DeviceType.RECORDER,), column="recorder", unknown=_unknown
    )
    if problems:
        raise ImportRejected(problems)


def name_of(camera: Camera) -> str | None:
    """What a camera's recorder column says: the recorder's name, `edge`, `none`, or None when not declared."""
    if camera.recorded_by is RecordedBy.RECORDER:
        return camera.recorder.name if camera.recorder is not None else None
    return camera.recorded_by.value if camera.recorded_by is not None else None


async def ensure_unrecorded(session: AsyncSession, device: Camera) -> None:
    """Conflict when cameras still name this recorder: their footage would lose its place in the registry."""
    if device.device_type is not DeviceType.RECORDER:
        return
    await references.refuse_while_named(
        session,
        Camera.recorder_id,
        device,
        lambda shown: f"recorder {device.name} still keeps the footage of {shown}; change their recorder first",
    )
