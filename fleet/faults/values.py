"""Reported values to faults: a value that stays bad opens its fault as a failing check does; the rules of the
SNMP values (temperature, storage, reboots, a network device's ports and battery), of identity (firmware, a
swapped camera) and of the image check."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fleet.cameras.models import Camera, DeviceType
from fleet.faults import rules
from fleet.faults.batch import Batch
from fleet.faults.models import FaultKind
from fleet.faults.service import reboots_since
from fleet.faults.summaries import condition_summary
from fleet.health.rules import SoftHard, apply_result
from fleet.images import service as images
from fleet.network import service as network
from fleet.recording import service as recording
from fleet.recording.rules import storage_problems

if TYPE_CHECKING:
    from fleet.faults.evaluate import Observed, Seen, Thresholds


async def watch(
    batch: Batch,
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


def _follow(batch: Batch, camera: Camera, kind: FaultKind, item: Seen, extra: Mapping[str, Any]) -> None:
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


async def image_values(batch: Batch, camera: Camera, item: Seen, limits: Thresholds) -> None:
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
        await watch(batch, camera, kind, bad, item, limits, extra)


async def _network_values(
    batch: Batch, camera: Camera, item: Seen, limits: Thresholds, conditions: Sequence[network.Condition]
) -> None:
    """A network device's watched ports and its battery, each counted as a check; faults of ports no longer
    watched (no registered device behind them any more) close."""
    for condition in conditions:
        await watch(
            batch, camera, condition.kind, condition.bad, item, limits, condition.details,
            port=condition.port, summary=condition.summary,
        )  # fmt: skip
    watched = {(c.kind, c.port) for c in conditions}
    for kind, port in batch.open_ports(camera.id):
        if (kind, port) not in watched:
            await batch.close(camera.id, kind, item.at, port)


async def snmp_values(
    batch: Batch,
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
    await watch(batch, camera, FaultKind.TEMPERATURE_HIGH, hot, item, limits)
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
        await watch(batch, camera, FaultKind.STORAGE_FAILED, storage_bad, item, limits, extra)
    else:
        await watch(batch, camera, FaultKind.STORAGE_FAILURE, storage_bad, item, limits)
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


async def identity_values(batch: Batch, camera: Camera, before: Observed, item: Seen) -> None:
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
