"""The recording check's domain side: which cameras a recording device keeps footage of, judged by the rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.recording import RecordingSettings
from fleet.cameras.models import Camera, DeviceType, Lifecycle, RecordedBy
from fleet.recording import holds
from fleet.recording.rules import Recorded, Verdict, judge


@dataclass(frozen=True, slots=True)
class Declared:
    """What judging a camera's footage needs of it: who it is, where its footage is declared kept, its retention.

    Read as plain columns (``DECLARED_COLUMNS``): the reports judge the footage of every camera of the fleet.
    """

    id: int
    name: str
    host: str
    device_type: DeviceType
    lifecycle: Lifecycle
    recorded_by: RecordedBy | None
    recorder_id: int | None
    retention_min_days: int | None
    retention_max_days: int | None

    @classmethod
    def of(cls, row: Any) -> Declared:
        """From a row that has ``DECLARED_COLUMNS`` among its columns, or from a camera."""
        return cls(**{column.key: getattr(row, column.key) for column in DECLARED_COLUMNS})


DECLARED_COLUMNS = (
    Camera.id,
    Camera.name,
    Camera.host,
    Camera.device_type,
    Camera.lifecycle,
    Camera.recorded_by,
    Camera.recorder_id,
    Camera.retention_min_days,
    Camera.retention_max_days,
)


def _days(days: int | None, default: timedelta) -> timedelta:
    return default if days is None else timedelta(days=days)


def recorded(
    camera: Declared, held: Mapping[int, Sequence[tuple[datetime, datetime]]], settings: RecordingSettings
) -> Recorded:
    """The camera as the rules judge it: its retention (its own, or the settings'), and its periods held
    (``held``: the holds in force per camera, ``holds.in_force``)."""
    return Recorded(
        camera_id=camera.id,
        name=camera.name,
        host=camera.host,
        retention_min=_days(camera.retention_min_days, settings.retention_min),
        retention_max=_days(camera.retention_max_days, settings.retention_max),
        holds=tuple(held.get(camera.id, ())),
    )


async def recorded_cameras(session: AsyncSession, device: Camera, settings: RecordingSettings) -> list[Recorded]:
    """The in-service cameras whose footage the device keeps: a recorder's cameras, or an edge camera itself."""
    if device.device_type is DeviceType.RECORDER:
        query = select(*DECLARED_COLUMNS).where(
            Camera.recorder_id == device.id,
            Camera.recorded_by == RecordedBy.RECORDER,
            Camera.lifecycle == Lifecycle.IN_SERVICE,
        )
        cameras = [Declared.of(row) for row in await session.execute(query.order_by(Camera.name))]
    else:
        cameras = [Declared.of(device)] if device.recorded_by is RecordedBy.EDGE else []
    held = await holds.in_force(session, [c.id for c in cameras]) if cameras else {}
    return [recorded(c, held, settings) for c in cameras]


async def judge_device(
    session: AsyncSession, device: Camera, values: Mapping[str, Any], settings: RecordingSettings
) -> Verdict:
    """What is wrong with the footage of each camera the device records, from its recording check's values."""
    cameras = await recorded_cameras(session, device, settings)
    return judge(values, cameras, settings, edge=device.device_type is not DeviceType.RECORDER)
