"""From a batch of check outcomes to faults: reconcile check faults, watch reported values, note events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.checks import CheckKind
from config.hygiene import HygieneSettings
from config.recording import RecordingSettings
from config.settings import ImageSettings, Settings
from fleet.cameras.models import NETWORK_DEVICE_TYPES, Camera
from fleet.db import number_new_rows
from fleet.faults import causes, rules, values
from fleet.faults.batch import Batch
from fleet.faults.models import FaultKind
from fleet.faults.service import FaultChanges, close_group_outages, suppress_group_outages
from fleet.health.models import CheckState
from fleet.hygiene import service as hygiene
from fleet.network import service as network
from fleet.recording import service as recording
from fleet.recording.rules import RECORDING_FAULTS


@dataclass(frozen=True, slots=True)
class Observed:
    """A camera's reported values before this batch changed them."""

    uptime_s: float | None
    firmware: str | None
    serial: str | None
    mac: str | None

    @classmethod
    def of(cls, camera: Mapping[str, Any]) -> Observed:
        """Take the values from the camera's columns."""
        return cls(
            camera["observed_uptime_s"], camera["observed_firmware"], camera["observed_serial"], camera["observed_mac"]
        )


@dataclass(frozen=True, slots=True)
class Seen:
    """One successful outcome's values, for the value and event rules."""

    camera_id: int
    kind: CheckKind
    at: datetime
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Thresholds:
    failures_to_open: int
    successes_to_close: int
    clock_drift: timedelta
    temperature_c: float
    group_window: timedelta
    group_share: float
    group_minimum: int
    cause_grace: timedelta
    image: ImageSettings
    keep_thumbnail: bool
    hygiene: HygieneSettings
    recording: RecordingSettings

    @classmethod
    def of(cls, settings: Settings) -> Thresholds:
        """The thresholds in force."""
        faults = settings.faults
        return cls(
            failures_to_open=faults.failures_to_open,
            successes_to_close=faults.successes_to_close,
            clock_drift=faults.clock_drift_threshold,
            temperature_c=faults.temperature_threshold_c,
            group_window=settings.alerts.group_window,
            group_share=faults.group_share,
            group_minimum=faults.group_minimum,
            cause_grace=faults.cause_grace,
            image=settings.image,
            keep_thumbnail=settings.image.reference_thumbnail,
            hygiene=settings.hygiene,
            recording=settings.recording,
        )


async def evaluate(
    session: AsyncSession,
    *,
    cameras: Mapping[int, Camera],
    before: Mapping[int, Observed],
    seen: Sequence[Seen],
    transitioned: set[int],
    failing: set[int],
    now: datetime,
    limits: Thresholds,
) -> FaultChanges:
    """Open and close faults for one recorded batch, in the caller's transaction (``failing``: the cameras with a
    failed outcome in it)."""
    changes = FaultChanges()
    with session.no_autoflush:
        batch = await Batch.load(session, changes, list(cameras))
        await _reconcile_check_faults(batch, cameras, transitioned, now, limits.failures_to_open)
        ordered = sorted(seen, key=lambda s: s.at)
        # Network devices' ports and batteries, stored for the whole batch at once (in the results' order).
        networked = [
            index
            for index, item in enumerate(ordered)
            if item.kind is CheckKind.SNMP and cameras[item.camera_id].device_type in NETWORK_DEVICE_TYPES
        ]
        readings = [network.Reading(cameras[ordered[i].camera_id], ordered[i].values, ordered[i].at) for i in networked]
        ports = dict(zip(networked, await network.observe(session, readings), strict=True)) if networked else {}
        for index, item in enumerate(ordered):
            camera = cameras[item.camera_id]
            if item.kind is CheckKind.ONVIF_HEALTH:
                drifting = rules.clock_drifting(item.values.get("clock_drift_s"), limits.clock_drift)
                await values.watch(batch, camera, FaultKind.CLOCK_DRIFT, drifting, item, limits)
            elif item.kind is CheckKind.SNMP:
                await values.snmp_values(batch, camera, before[camera.id], item, limits, ports.get(index))
            elif item.kind is CheckKind.ONVIF_IDENTITY:
                await values.identity_values(batch, camera, before[camera.id], item)
            elif item.kind is CheckKind.STREAM:
                mismatch = rules.stream_mismatch(item.values)
                await values.watch(batch, camera, FaultKind.STREAM_MISMATCH, bool(mismatch), item, limits)
            elif item.kind is CheckKind.IMAGE:
                await values.image_values(batch, camera, item, limits)
            elif item.kind is CheckKind.SECURITY:
                await hygiene.observe(batch, camera, item.values, item.at, warning=limits.hygiene.certificate_warning)
            elif item.kind is CheckKind.RECORDING:
                verdict = await recording.judge_device(session, camera, item.values, limits.recording)
                for kind in RECORDING_FAULTS:
                    extra = {"cameras": verdict.cameras[kind]}
                    await values.watch(batch, camera, kind, verdict.bad(kind), item, limits, extra)
    # Every fault the batch opened or closed, in a statement or so per kind of change; the conditions likewise.
    await number_new_rows(session, changes.opened)
    await session.flush()
    await batch.write_conditions()
    # The network tree first; the site and poller-group guess only for devices outside it.
    attached = [
        f
        for f in batch.open_faults.values()
        if f.camera_id in failing and f.kind in rules.UNREACHABLE_KINDS and f.suppressed_by_id is not None
    ]
    await causes.attribute(
        session, changes, now=now, grace=limits.cause_grace, attached=attached, runs=limits.failures_to_open
    )
    await suppress_group_outages(
        session, changes, window=limits.group_window, share=limits.group_share, minimum=limits.group_minimum
    )
    if any(f.kind is FaultKind.OFFLINE for f in changes.closed):
        await close_group_outages(session, changes, at=now)
    return changes


async def _reconcile_check_faults(
    batch: Batch, cameras: Mapping[int, Camera], ids: set[int], now: datetime, failures_to_open: int
) -> None:
    if not ids:
        return
    states: dict[int, list[CheckState]] = defaultdict(list)
    for state in await batch.session.scalars(select(CheckState).where(CheckState.camera_id.in_(sorted(ids)))):
        states[state.camera_id].append(state)
    for camera_id in sorted(ids):
        already = {kind for kind in rules.CHECK_FAULTS if batch.is_open(camera_id, kind)}
        wanted = rules.desired_check_faults(states[camera_id], failures_to_open=failures_to_open, already_open=already)
        for kind in already - set(wanted):
            recovered = max((s.hard_since for s in states[camera_id] if s.hard_ok and s.hard_since), default=now)
            await batch.close(camera_id, kind, recovered)
        for kind, since in wanted.items():
            if kind in already:
                continue
            camera = cameras[camera_id]
            errors = [s.last_error for s in states[camera_id] if s.hard_ok is False and s.last_error]
            await batch.open(
                camera,
                kind,
                at=since,
                summary=f"{camera.name}: {kind.value.replace('_', ' ')}" + (f" ({errors[0]})" if errors else ""),
                details={"errors": errors[:4]},
            )
