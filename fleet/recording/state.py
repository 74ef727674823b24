"""Where each camera's footage stands now: its recorder, the state its last recording check left, how far back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.checks import CheckKind
from config.recording import RecordingSettings
from fleet.cameras import recorders
from fleet.cameras.models import Camera, RecordedBy
from fleet.health.models import CheckResult
from fleet.recording.rules import RECORDING_FAULTS, Verdict
from fleet.recording.service import judge_device

# A camera's recording_state besides its recording faults' kinds.
RECORDING = "recording"  # every check passed: footage is being kept as it should
NOT_RECORDED = "not_recorded"  # declared `none`
UNCHECKED = "unchecked"  # declared, but no recording check has answered yet


@dataclass(frozen=True, slots=True)
class Footage:
    """A camera's recorder column, its recording state and how many days back its footage reaches."""

    recorder: str | None
    state: str | None
    retention_days: float | None
    # The tokens of the recordings matched to the camera (by source token, name or address).
    recordings: tuple[str, ...] = ()


async def _latest_values(session: AsyncSession, device_ids: Sequence[int]) -> dict[int, dict[str, object]]:
    newest = (
        select(CheckResult.camera_id, func.max(CheckResult.at).label("at"))
        .where(CheckResult.camera_id.in_(list(device_ids)), CheckResult.kind == CheckKind.RECORDING, CheckResult.ok)
        .group_by(CheckResult.camera_id)
        .subquery()
    )
    query = select(CheckResult).join(
        newest, (CheckResult.camera_id == newest.c.camera_id) & (CheckResult.at == newest.c.at)
    )
    return {
        r.camera_id: r.values
        for r in await session.scalars(query.where(CheckResult.kind == CheckKind.RECORDING))
        if r.values
    }


async def footage_of(
    session: AsyncSession, cameras: Sequence[Camera], settings: RecordingSettings
) -> dict[int, Footage]:
    """Each camera's footage as its recording device last answered (cameras need their recorder loaded)."""
    devices: dict[int, Camera] = {}
    for camera in cameras:
        if camera.recorded_by is RecordedBy.EDGE:
            devices[camera.id] = camera
        elif camera.recorded_by is RecordedBy.RECORDER and camera.recorder is not None:
            devices[camera.recorder.id] = camera.recorder
    values = await _latest_values(session, sorted(devices)) if devices else {}
    verdicts: dict[int, Verdict] = {
        device_id: await judge_device(session, devices[device_id], found, settings)
        for device_id, found in values.items()
    }
    result = {}
    for camera in cameras:
        device_id = camera.id if camera.recorded_by is RecordedBy.EDGE else camera.recorder_id
        verdict = verdicts.get(device_id) if device_id is not None else None
        result[camera.id] = _footage(camera, verdict)
    return result


def _footage(camera: Camera, verdict: Verdict | None) -> Footage:
    name = recorders.name_of(camera)
    if camera.recorded_by is None:
        return Footage(name, None, None)
    if camera.recorded_by is RecordedBy.NONE:
        return Footage(name, NOT_RECORDED, None)
    if verdict is None or camera.name not in verdict.measured:
        return Footage(name, UNCHECKED, None)
    state = next((kind.value for kind in RECORDING_FAULTS if camera.name in verdict.cameras[kind]), RECORDING)
    kept = verdict.measured[camera.name]["kept_days"]
    matched = tuple(verdict.mapping.get(camera.name, ()))
    return Footage(name, state, None if kept is None else round(float(kept), 1), matched)
