"""From a batch of check outcomes to faults: reconcile check faults, watch reported values, note events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from config.checks import CheckKind
from config.hygiene import HygieneSettings
from config.recording import RecordingSettings
from config.settings import ImageSettings, Settings
from fleet.cameras.models import NETWORK_DEVICE_TYPES, Camera, DeviceType
from fleet.db import Base, chunks, number_new_rows
from fleet.faults import causes, rules
from fleet.faults.models import ConditionState, Fault, FaultKind
from fleet.faults.service import (
    FaultChanges,
    add_fault,
    close_group_outages,
    end_fault,
    reboots_since,
    suppress_group_outages,
)
from fleet.faults.summaries import condition_summary
from fleet.health.models import CheckState
from fleet.health.rules import SoftHard, apply_result
from fleet.hygiene import service as hygiene
from fleet.images import service as images
from fleet.network import service as network
from fleet.recording import service as recording
from fleet.recording.rules import RECORDING_FAULTS, storage_problems


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


# An open fault's place: (camera, kind, port); the port is None for a fault of the whole device.
FaultKey = tuple[int, FaultKind, str | None]
# A condition state's key: (camera, condition, port); the port is "" for the whole device.
ConditionKey = tuple[int, FaultKind, str]
_CONDITION_STATE = ("hard_ok", "hard_since", "streak", "streak_ok", "streak_started_at")


@dataclass(slots=True)
class _ConditionRow:
    """The soft/hard state of a reported value as its ``condition_states`` row holds it (``loaded``: the state as
    read, None for a row not written yet): read and written for the whole batch in a statement or so."""

    hard_ok: bool | None = None
    hard_since: datetime | None = None
    streak: int = 0
    streak_ok: bool | None = None
    streak_started_at: datetime | None = None
    loaded: tuple[Any, ...] | None = field(default=None, kw_only=True)

    def state(self) -> tuple[Any, ...]:
        """The state's columns, in ``_CONDITION_STATE`` order."""
        return (self.hard_ok, self.hard_since, self.streak, self.streak_ok, self.streak_started_at)

    def values(self) -> dict[str, Any]:
        """The state's columns by name."""
        return dict(zip(_CONDITION_STATE, self.state(), strict=True))


class _Batch:
    """One evaluation's view of the open faults and condition states of its cameras, each loaded in one query."""

    def __init__(
        self,
        session: AsyncSession,
        changes: FaultChanges,
        open_faults: dict[FaultKey, Fault],
        conditions: dict[ConditionKey, _ConditionRow],
    ) -> None:
        self.session = session
        self.changes = changes
        self.open_faults = open_faults
        self.conditions = conditions
        # The open port faults of each network device (kind and port), in the order open_faults holds them.
        self._ports: dict[int, dict[tuple[FaultKind, str | None], None]] = defaultdict(dict)
        for camera_id, kind, port in open_faults:
            if kind in network.PORT_KINDS:
                self._ports[camera_id][(kind, port)] = None

    @classmethod
    async def load(cls, session: AsyncSession, changes: FaultChanges, camera_ids: Sequence[int]) -> _Batch:
        """Everything the rules need about these cameras."""
        ids = sorted(camera_ids)
        open_faults = {
            (f.camera_id, f.kind, f.port): f
            for f in await session.scalars(select(Fault).where(Fault.camera_id.in_(ids), Fault.closed_at.is_(None)))
            if f.camera_id is not None
        }
        columns = [getattr(ConditionState, name) for name in _CONDITION_STATE]
        conditions: dict[ConditionKey, _ConditionRow] = {}
        for chunk in chunks(ids):
            query = select(ConditionState.camera_id, ConditionState.condition, ConditionState.port, *columns)
            for row in await session.execute(query.where(ConditionState.camera_id.in_(chunk))):
                state = tuple(row[3:])
                conditions[(row.camera_id, row.condition, row.port)] = _ConditionRow(*state, loaded=state)
        return cls(session, changes, open_faults, conditions)

    def is_open(self, camera_id: int, kind: FaultKind, port: str | None = None) -> bool:
        """Whether the camera has an open fault of that kind (on that port)."""
        return (camera_id, kind, port) in self.open_faults

    def open_ports(self, camera_id: int) -> list[tuple[FaultKind, str | None]]:
        """The network device's open port faults: kind and port."""
        return list(self._ports.get(camera_id, ()))

    async def open(
        self,
        camera: Camera,
        kind: FaultKind,
        *,
        at: datetime,
        summary: str,
        details: dict[str, Any] | None = None,
        port: str | None = None,
    ) -> Fault:
        """The open fault of that kind (on that port), opened now if there is none (this batch's open faults of its
        cameras were loaded at its start, so no query asks again; the new ones are written together when the batch
        flushes)."""
        fault = self.open_faults.get((camera.id, kind, port))
        if fault is None:
            fault = add_fault(
                self.session, self.changes, camera_id=camera.id, kind=kind, at=at, summary=summary, details=details,
                port=port,
            )  # fmt: skip
            self.open_faults[(camera.id, kind, port)] = fault
            if kind in network.PORT_KINDS:
                self._ports[camera.id][(kind, port)] = None
        return fault

    async def close(self, camera_id: int, kind: FaultKind, at: datetime, port: str | None = None) -> None:
        """Close the camera's open fault of that kind (on that port), if it has one (written when the batch
        flushes)."""
        fault = self.open_faults.pop((camera_id, kind, port), None)
        if fault is not None:
            self._ports.get(camera_id, {}).pop((kind, port), None)
            end_fault(self.changes, fault, at)

    def condition(self, camera_id: int, kind: FaultKind, port: str | None = None) -> _ConditionRow:
        """The soft/hard state of a reported value (of a port), created at its first observation."""
        key = (camera_id, kind, port or "")
        state = self.conditions.get(key)
        if state is None:
            state = self.conditions[key] = _ConditionRow()
        return state

    async def write_conditions(self) -> None:
        """Write the condition states observed for the first time and those that changed: an executemany each."""
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for (camera_id, kind, port), state in sorted(self.conditions.items()):
            if state.loaded is None:
                new.append({"camera_id": camera_id, "condition": kind, "port": port, **state.values()})
            elif state.state() != state.loaded:
                changed.append({"key_camera_id": camera_id, "key_condition": kind, "key_port": port, **state.values()})
        table = Base.metadata.tables[ConditionState.__tablename__]
        if new:
            await self.session.execute(insert(table), new)
        if changed:
            statement = (
                update(table)
                .where(
                    table.c.camera_id == bindparam("key_camera_id"),
                    table.c.condition == bindparam("key_condition"),
                    table.c.port == bindparam("key_port"),
                )
                .values({name: bindparam(name) for name in _CONDITION_STATE})
            )
            await self.session.execute(statement, changed)


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
        batch = await _Batch.load(session, changes, list(cameras))
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
                await _condition(batch, camera, FaultKind.CLOCK_DRIFT, drifting, item, limits)
            elif item.kind is CheckKind.SNMP:
                await _snmp_values(batch, camera, before[camera.id], item, limits, ports.get(index))
            elif item.kind is CheckKind.ONVIF_IDENTITY:
                await _identity(batch, camera, before[camera.id], item)
            elif item.kind is CheckKind.STREAM:
                mismatch = rules.stream_mismatch(item.values)
                await _condition(batch, camera, FaultKind.STREAM_MISMATCH, bool(mismatch), item, limits)
            elif item.kind is CheckKind.IMAGE:
                await _image(batch, camera, item, limits)
            elif item.kind is CheckKind.SECURITY:
                await hygiene.observe(batch, camera, item.values, item.at, warning=limits.hygiene.certificate_warning)
            elif item.kind is CheckKind.RECORDING:
                verdict = await recording.judge_device(session, camera, item.values, limits.recording)
                for kind in RECORDING_FAULTS:
                    extra = {"cameras": verdict.cameras[kind]}
                    await _condition(batch, camera, kind, verdict.bad(kind), item, limits, extra)
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
    batch: _Batch, cameras: Mapping[int, Camera], ids: set[int], now: datetime, failures_to_open: int
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


async def _condition(
    batch: _Batch,
    camera: Camera,
    kind: FaultKind,
    bad: bool | None,
    item: Seen,
    limits: Thresholds,
    extra: Mapping[str, Any] | None = None,
    *,
    port: str | None = None,
    summary: str | None = None,
) -> None:
    """A reported value that is bad opens a fault only when it stays bad, as a failing check does (a network
    device's port counts on its own, and its fault names the port)."""
    if bad is None:
        return
    state = batch.condition(camera.id, kind, port)
    previous = SoftHard(state.hard_ok, state.hard_since, state.streak, state.streak_ok, state.streak_started_at)
    after, transition = apply_result(
        previous,
        not bad,
        item.at,
        failures_to_open=limits.failures_to_open,
        successes_to_close=limits.successes_to_close,
    )
    if after != previous:
        state.hard_ok, state.hard_since = after.hard_ok, after.hard_since
        state.streak, state.streak_ok = after.streak, after.streak_ok
        state.streak_started_at = after.streak_started_at
    if transition is None:
        if bad and extra:
            _follow(batch, camera, kind, item, extra)
        return
    if transition.ok:
        await batch.close(camera.id, kind, transition.at, port)
    else:
        await batch.open(
            camera,
            kind,
            at=transition.at,
            summary=summary or condition_summary(camera, kind, item.values, extra),
            details={**{k: item.values.get(k) for k in _DETAILS if k in item.values}, **(extra or {})},
            port=port,
        )


# What a fault's details name that the fault follows while it stays open (the other details are as it opened).
_FOLLOWED = ("cameras", "disks")


def _follow(batch: _Batch, camera: Camera, kind: FaultKind, item: Seen, extra: Mapping[str, Any]) -> None:
    """An open fault that names what it affects (a recorder's cameras, its disks) keeps naming what it affects now:
    a camera added, moved to another recorder or recovered changes the fault's details and summary, not its
    existence (no new fault, no new alert)."""
    fault = batch.open_faults.get((camera.id, kind, None))
    named = {key: value for key, value in extra.items() if key in _FOLLOWED}
    if fault is None or all(fault.details.get(key) == value for key, value in named.items()):
        return
    fault.details = {**fault.details, **named}
    fault.summary = condition_summary(camera, kind, item.values, extra)


# Reported values copied into a condition fault's details: numbers only (never an image's thumbnail).
_DETAILS = (
    "clock_drift_s",
    "temperature_c",
    "storage_ok",
    "brightness",
    "contrast",
    "sharpness",
    "codec",
    "width",
    "height",
    "profile_encoding",
    "profile_width",
    "profile_height",
)


async def _image(batch: _Batch, camera: Camera, item: Seen, limits: Thresholds) -> None:
    verdict, retaken = await images.observe(
        batch.session, camera.id, item.values, item.at, limits=limits.image, keep_thumbnail=limits.keep_thumbnail
    )
    if retaken:
        # A coordinator declared this view right: the old view no longer counts, whatever the streak said.
        await batch.close(camera.id, FaultKind.IMAGE_MOVED, item.at)
        state = batch.condition(camera.id, FaultKind.IMAGE_MOVED)
        state.hard_ok, state.hard_since = True, item.at
        state.streak, state.streak_ok, state.streak_started_at = 0, None, None
    extra = {} if verdict.similarity is None else {"similarity": verdict.similarity}
    for kind, bad in verdict.faults().items():
        await _condition(batch, camera, kind, bad, item, limits, extra)


async def _network_values(
    batch: _Batch, camera: Camera, item: Seen, limits: Thresholds, conditions: Sequence[network.Condition]
) -> None:
    """A network device's watched ports and its battery, each counted as a check; faults of ports no longer
    watched (no registered device behind them any more) close."""
    for condition in conditions:
        await _condition(
            batch, camera, condition.kind, condition.bad, item, limits, condition.details,
            port=condition.port, summary=condition.summary,
        )  # fmt: skip
    watched = {(c.kind, c.port) for c in conditions}
    for kind, port in batch.open_ports(camera.id):
        if (kind, port) not in watched:
            await batch.close(camera.id, kind, item.at, port)


async def _snmp_values(
    batch: _Batch,
    camera: Camera,
    before: Observed,
    item: Seen,
    limits: Thresholds,
    ports: Sequence[network.Condition] | None,
) -> None:
    """A device's SNMP values (``ports``: a network device's conditions of its ports and battery)."""
    if ports is not None:
        await _network_values(batch, camera, item, limits, ports)
    temperature = item.values.get("temperature_c")
    hot = None if temperature is None else float(temperature) > limits.temperature_c
    await _condition(batch, camera, FaultKind.TEMPERATURE_HIGH, hot, item, limits)
    storage_ok = item.values.get("storage_ok")
    storage_bad = None if storage_ok is None else not storage_ok
    if camera.device_type is DeviceType.RECORDER:
        # A recorder's disks: the footage of every camera it records is at risk, and the fault says which disks
        # (from the vendor's disk table) and whose footage.
        disks = item.values.get("disks") or []
        problems = storage_problems(disks, limits.recording.volume_full_percent)
        if disks:
            storage_bad = bool(problems) or storage_bad is True
        recorded = await recording.recorded_cameras(batch.session, camera, limits.recording)
        extra = {"cameras": [c.name for c in recorded], "disks": problems}
        await _condition(batch, camera, FaultKind.STORAGE_FAILED, storage_bad, item, limits, extra)
    else:
        await _condition(batch, camera, FaultKind.STORAGE_FAILURE, storage_bad, item, limits)
    uptime = item.values.get("uptime_s")
    since = item.at - rules.REBOOT_LOOP_WINDOW
    if rules.rebooted(before.uptime_s, uptime):
        fault = await batch.open(
            camera,
            FaultKind.REBOOTED,
            at=item.at,
            summary=f"{camera.name}: rebooted (uptime went back to {uptime:.0f} s)",
            details={"reboots": []},
        )
        fault.details = {**fault.details, "reboots": [*fault.details.get("reboots", []), item.at.isoformat()]}
        await batch.session.flush()
        if rules.reboot_loop(await reboots_since(batch.session, camera.id, since), item.at):
            await batch.open(
                camera,
                FaultKind.REBOOT_LOOP,
                at=item.at,
                summary=f"{camera.name}: {rules.REBOOT_LOOP_COUNT} or more reboots within 24 hours",
            )
    elif uptime is not None:
        # Seen running without a new reboot: the reboot is over; the loop ends once the day has calmed down.
        await batch.close(camera.id, FaultKind.REBOOTED, item.at)
        if batch.is_open(camera.id, FaultKind.REBOOT_LOOP) and not rules.reboot_loop(
            await reboots_since(batch.session, camera.id, since), item.at
        ):
            await batch.close(camera.id, FaultKind.REBOOT_LOOP, item.at)


async def _identity(batch: _Batch, camera: Camera, before: Observed, item: Seen) -> None:
    firmware = item.values.get("firmware")
    if before.firmware and firmware and before.firmware != firmware:
        await batch.open(
            camera,
            FaultKind.FIRMWARE_CHANGED,
            at=item.at,
            summary=f"{camera.name}: firmware changed from {before.firmware} to {firmware}",
            details={"from": before.firmware, "to": firmware},
        )
    changed = rules.identity_changed(before.serial, item.values.get("serial"), before.mac, item.values.get("mac"))
    if changed:
        old = {"serial": before.serial, "mac": before.mac}
        new = {"serial": item.values.get("serial"), "mac": item.values.get("mac")}
        await batch.open(
            camera,
            FaultKind.IDENTITY_CHANGED,
            at=item.at,
            summary=f"{camera.name}: {' and '.join(changed)} changed: the camera may have been swapped",
            details={"changed": changed, "from": {k: old[k] for k in changed}, "to": {k: new[k] for k in changed}},
        )
