"""Where each camera's footage stands now: its recorder, the state its last recording check left, how far back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.checks import CheckKind
from config.recording import RecordingSettings
from fleet.cameras.models import Camera, DeviceType, Lifecycle, RecordedBy
from fleet.db import chunks
from fleet.health.models import CheckResult
from fleet.recording import holds
from fleet.recording.rules import RECORDING_FAULTS, Recorded, Verdict, judge
from fleet.recording.service import Declared, recorded

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


async def _latest_values(session: AsyncSession, device_ids: Iterable[int]) -> dict[int, dict[str, object]]:
    """Each device's values of its newest successful recording check."""
    found: dict[int, dict[str, object]] = {}
    for chunk in chunks(device_ids):
        newest = (
            select(CheckResult.camera_id, func.max(CheckResult.at).label("at"))
            .where(CheckResult.camera_id.in_(chunk), CheckResult.kind == CheckKind.RECORDING, CheckResult.ok)
            .group_by(CheckResult.camera_id)
            .subquery()
        )
        query = select(CheckResult.camera_id, CheckResult.values).join(
            newest, (CheckResult.camera_id == newest.c.camera_id) & (CheckResult.at == newest.c.at)
        )
        for camera_id, values in await session.execute(query.where(CheckResult.kind == CheckKind.RECORDING)):
            if values:
                found[camera_id] = values
    return found


async def _recorders(session: AsyncSession, recorder_ids: Iterable[int]) -> dict[int, tuple[str, DeviceType]]:
    """The name and device type of each of these devices that cameras name as their recorder."""
    found: dict[int, tuple[str, DeviceType]] = {}
    for chunk in chunks(recorder_ids):
        query = select(Camera.id, Camera.name, Camera.device_type).where(Camera.id.in_(chunk))
        found.update((device_id, (name, device_type)) for device_id, name, device_type in await session.execute(query))
    return found


async def footage_of(
    session: AsyncSession, cameras: Sequence[Declared], settings: RecordingSettings
) -> dict[int, Footage]:
    """Each camera's footage as its recording device last answered, in a few statements for any number of cameras.

    A camera recording on its own storage is judged by its own answer; a recorder's in-service camera by its
    recorder's (``recording.service.recorded_cameras``). Each camera is judged on its own, so only these are.
    """
    recorders = await _recorders(
        session, {c.recorder_id for c in cameras if c.recorded_by is RecordedBy.RECORDER and c.recorder_id is not None}
    )
    recorder_devices = {device_id for device_id, (_name, kind) in recorders.items() if kind is DeviceType.RECORDER}
    device_of: dict[int, int] = {}
    for camera in cameras:
        if camera.recorded_by is RecordedBy.EDGE and camera.device_type is not DeviceType.RECORDER:
            device_of[camera.id] = camera.id
        elif (
            camera.recorded_by is RecordedBy.RECORDER
            and camera.lifecycle is Lifecycle.IN_SERVICE
            and camera.recorder_id is not None
            and camera.recorder_id in recorder_devices
        ):
            device_of[camera.id] = camera.recorder_id
    values = await _latest_values(session, set(device_of.values()))
    judged = [c for c in cameras if device_of.get(c.id) in values]
    held = await holds.in_force(session, [c.id for c in judged])
    by_device: dict[int, list[Recorded]] = defaultdict(list)
    for camera in judged:
        by_device[device_of[camera.id]].append(recorded(camera, held, settings))
    verdicts: dict[int, Verdict] = {
        device_id: judge(values[device_id], found, settings, edge=device_id not in recorder_devices)
        for device_id, found in by_device.items()
    }
    result = {}
    for camera in cameras:
        verdict = verdicts.get(device_of[camera.id]) if camera.id in device_of else None
        recorder = recorders.get(camera.recorder_id) if camera.recorder_id is not None else None
        result[camera.id] = _footage(camera, recorder[0] if recorder is not None else None, verdict)
    return result


def _footage(camera: Declared, recorder: str | None, verdict: Verdict | None) -> Footage:
    # The recorder column: the recorder's name, `edge`, `none`, or None when not declared.
    if camera.recorded_by is None:
        return Footage(None, None, None)
    name = recorder if camera.recorded_by is RecordedBy.RECORDER else camera.recorded_by.value
    if camera.recorded_by is RecordedBy.NONE:
        return Footage(name, NOT_RECORDED, None)
    if verdict is None or camera.name not in verdict.measured:
        return Footage(name, UNCHECKED, None)
    state = next((kind.value for kind in RECORDING_FAULTS if camera.name in verdict.cameras[kind]), RECORDING)
    kept = verdict.measured[camera.name]["kept_days"]
    matched = tuple(verdict.mapping.get(camera.name, ()))
    return Footage(name, state, None if kept is None else round(float(kept), 1), matched)
