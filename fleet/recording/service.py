"""The recording check's domain side: which cameras a recording device keeps footage of, judged by the rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.recording import RecordingSettings
from fleet.cameras.models import Camera, DeviceType, Lifecycle, RecordedBy
from fleet.recording import holds
from fleet.recording.rules import Recorded, Verdict, judge


def _days(days: int | None, default: timedelta) -> timedelta:
    return default if days is None else timedelta(days=days)


async def recorded_cameras(session: AsyncSession, device: Camera, settings: RecordingSettings) -> list[Recorded]:
    """The in-service cameras whose footage the device keeps: a recorder's cameras, or an edge camera itself."""
    if device.device_type is DeviceType.RECORDER:
        query = select(Camera).where(Camera.recorder_id == device.id, Camera.recorded_by == RecordedBy.RECORDER)
        cameras = list(
            await session.scalars(query.where(Camera.lifecycle == Lifecycle.IN_SERVICE).order_by(Camera.name))
        )
    else:
        cameras = [device] if device.recorded_by is RecordedBy.EDGE else []
    held = await holds.in_force(session, [c.id for c in cameras]) if cameras else {}
    return [
        Recorded(
            camera_id=c.id,
            name=c.name,
            host=c.host,
            retention_min=_days(c.retention_min_days, settings.retention_min),
            retention_max=_days(c.retention_max_days, settings.retention_max),
            holds=tuple(held.get(c.id, ())),
        )
        for c in cameras
    ]


async def judge_device(
    session: AsyncSession, device: Camera, values: Mapping[str, Any], settings: RecordingSettings
) -> Verdict:
    """What is wrong with the footage of each camera the device records, from its recording check's values."""
    cameras = await recorded_cameras(session, device, settings)
    return judge(values, cameras, settings, edge=device.device_type is not DeviceType.RECORDER)
