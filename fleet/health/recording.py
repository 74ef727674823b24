"""Recording a batch of check outcomes: states, raw results, observed identity, faults, status, alerts, tickets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.checks import CheckKind
from config.settings import Settings
from fleet.advisories import service as exploited
from fleet.alerts import service as alerts
from fleet.alerts.models import AlertEvent
from fleet.alerts.wording import check_label
from fleet.cameras.models import Camera, CameraStatus
from fleet.db import chunks
from fleet.faults import downgrade
from fleet.faults.evaluate import Observed, Seen, Thresholds, evaluate
from fleet.faults.models import Severity
from fleet.faults.rules import IMPAIRING_KINDS, FlapEvent, Flapping, update_flapping
from fleet.faults.service import FaultChanges
from fleet.health import rows
from fleet.health.models import CheckResult, ErrorClass
from fleet.health.rows import StateRow
from fleet.health.rules import SoftHard, Transition, apply_result
from fleet.health.status import StatusChange, update_statuses
from fleet.language import N_, Language, say
from fleet.recording import footage
from fleet.tickets import creation as tickets
from fleet.vendor_risk import service as vendor_risk

# Successful results that repeat the previous outcome are stored at most this often per check: storage grows
# with changes and failures, not with the polling frequency.
SAMPLE_EVERY = timedelta(hours=1)

# Which observed values land on which camera column.
_OBSERVED_COLUMNS: dict[CheckKind, dict[str, str]] = {
    CheckKind.ONVIF_IDENTITY: {
        "manufacturer": "observed_manufacturer",
        "model": "observed_model",
        "firmware": "observed_firmware",
        "serial": "observed_serial",
        "hardware_id": "observed_hardware_id",
        "mac": "observed_mac",
    },
    CheckKind.ONVIF_HEALTH: {"clock_drift_s": "observed_clock_drift_s", "time_zone": "observed_time_zone"},
    CheckKind.SNMP: {
        "sys_descr": "observed_sys_descr",
        "enterprise": "observed_snmp_enterprise",
        "uptime_s": "observed_uptime_s",
    },
}
# Observation values that serve the fault rules of this batch but are never stored with the raw result
# (privacy by design: an image check's optional thumbnail goes to the reference, nowhere else).
NOT_STORED = frozenset({"thumbnail"})
_IDENTITY = frozenset(vendor_risk.IDENTITY_COLUMNS)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One check's result as the domain records it (the scheduler translates collector results into this)."""

    camera_id: int
    kind: CheckKind
    at: datetime
    ok: bool
    duration_s: float
    next_due_at: datetime
    error_class: ErrorClass | None = None
    error: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    # The collector that claimed the check: its result counts only while the claim is still its own. None: not
    # from a claim (a test, an import of results).
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class FlapChange:
    """A check starting or ending to flap."""

    camera_id: int
    kind: CheckKind
    event: FlapEvent
    at: datetime
    ok: bool  # the state when it happened: announced when flapping ends


@dataclass
class RecordSummary:
    """What recording a batch changed."""

    outcomes: int = 0
    stored: int = 0
    # Results of checks that another collector had taken over (this one's lease ran out first): not applied.
    stale: int = 0
    transitions: list[tuple[int, CheckKind, Transition]] = field(default_factory=list)
    status_changes: list[StatusChange] = field(default_factory=list)
    flaps: list[FlapChange] = field(default_factory=list)
    faults: FaultChanges = field(default_factory=FaultChanges)


@dataclass
class _Batch:
    """The outcomes of one batch with the rows they touch, and what applying them gathered on the way."""

    outcomes: list[Outcome]
    # The cameras' recording columns, changed in place as outcomes are applied, and the check states.
    rows: dict[int, dict[str, Any]]
    states: dict[tuple[int, CheckKind], StateRow]
    # Each camera's observed values before the batch, to tell what it changed.
    before: dict[int, Observed]
    # The risk identity before the batch of the cameras an outcome gave another value of it, to tell whether it
    # changed in the end (a camera whose identity columns were all given the values they had is not here).
    identities: dict[int, tuple[object, ...]] = field(default_factory=dict)
    # The columns each camera's outcomes changed, and the states they applied to (stale ones are left alone).
    changed: dict[int, dict[str, Any]] = field(default_factory=dict)
    applied: list[StateRow] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    # What login endpoints offered, from successful and failed results alike (the auth_downgrade fault).
    offers: list[Seen] = field(default_factory=list)
    # Cameras with a hard transition: their status is derived anew.
    touched: set[int] = field(default_factory=set)
    # Cameras `unknown` because nobody checked them, checked again with a result that agrees with the hard state:
    # their status is derived anew from that result's moment (one that disagrees waits for its streak to settle).
    rechecked: dict[int, datetime] = field(default_factory=dict)
    # The cameras the fault, status, risk and alert rules look at, as ORM objects (loaded after the rows are
    # written); a steady batch of reachability results needs none.
    cameras: dict[int, Camera] = field(default_factory=dict)

    def needing_rules(self, summary: RecordSummary) -> set[int]:
        """The cameras the rules after the state machine look at."""
        needed = self.touched | self.failing() | set(self.rechecked)
        needed.update(s.camera_id for s in self.seen if s.kind is not CheckKind.REACHABILITY)
        needed.update(s.camera_id for s in self.offers)
        needed.update(f.camera_id for f in summary.flaps)
        needed.update(self.identified())
        return needed

    def identified(self) -> set[int]:
        """The cameras whose risk identity the batch changed (new firmware, model, maker, ...)."""
        return {i for i, before in self.identities.items() if self.identity(i) != before}

    def failing(self) -> set[int]:
        """Cameras with a failed outcome in the batch (applied or not)."""
        return {o.camera_id for o in self.outcomes if not o.ok and o.camera_id in self.rows}

    def identity(self, camera_id: int) -> tuple[object, ...]:
        """A camera's risk identity as its columns stand now."""
        row = self.rows[camera_id]
        return tuple(row[column] for column in vendor_risk.IDENTITY_COLUMNS)


async def record(session: AsyncSession, outcomes: Iterable[Outcome], *, settings: Settings) -> RecordSummary:
    """Apply a batch of outcomes in the caller's transaction: states, raw results, identity, status, faults.

    Priced per batch: the states, cameras and results are read and written in a few set-based statements
    whatever the batch's size, and only cameras that something happened to are loaded as ORM objects for the
    rules."""
    in_order = sorted(outcomes, key=lambda o: o.at)
    summary = RecordSummary(outcomes=len(in_order))
    if not in_order:
        return summary
    batch = await _load(session, in_order)
    for outcome in in_order:
        _apply(batch, outcome, summary, settings)
    await _write(session, batch, summary)
    needed = batch.needing_rules(summary)
    if needed:
        batch.cameras = await _cameras(session, needed)
    await _reassess_vendor_risk(session, batch, settings)
    now = max(o.at for o in batch.outcomes)
    summary.faults = await _evaluate_faults(session, batch, now, settings)
    await _keep_footage_coverage(session, batch, settings)
    reidentified = batch.identified()
    if identified := [i for i in batch.cameras if i in reidentified]:
        # New firmware, model or maker: the known exploited vulnerabilities are matched again.
        await exploited.reconcile(session, summary.faults, at=now, camera_ids=identified)
    await downgrade.note_offers(session, summary.faults, batch.cameras, batch.offers)
    await _update_status(session, batch, summary)
    await _announce(session, batch, summary, now, settings)
    return summary


async def _load(session: AsyncSession, outcomes: list[Outcome]) -> _Batch:
    """Read the check states and cameras the outcomes are about, with what each camera looked like before."""
    states = await rows.load_states(session, {(o.camera_id, o.kind) for o in outcomes})
    cameras = await rows.load_cameras(session, {o.camera_id for o in outcomes})
    before = {camera_id: Observed.of(row) for camera_id, row in cameras.items()}
    return _Batch(outcomes, cameras, states, before)


async def _cameras(session: AsyncSession, camera_ids: set[int]) -> dict[int, Camera]:
    """The cameras as ORM objects, as their rows now stand."""
    found: dict[int, Camera] = {}
    for chunk in chunks(camera_ids, rows.CHUNK):
        query = select(Camera).where(Camera.id.in_(chunk))
        found.update((c.id, c) for c in await session.scalars(query, execution_options={"populate_existing": True}))
    return found


def _apply(batch: _Batch, outcome: Outcome, summary: RecordSummary, settings: Settings) -> None:
    """Apply one outcome to its check state: hard state, flapping, sampling and what the camera showed."""
    camera = batch.rows.get(outcome.camera_id)
    state = batch.states.get((outcome.camera_id, outcome.kind))
    if camera is None or state is None:
        return  # deleted meanwhile, or no longer polled for this check
    if outcome.owner is not None and state.lease_owner != outcome.owner:
        # Taken over after this collector's lease ran out (it stalled): the new holder's result counts, so a
        # check is applied once per claim, never twice.
        summary.stale += 1
        return
    batch.applied.append(state)
    changed = state.last_ok is not outcome.ok
    transition = _advance_state(state, outcome, settings)
    flap_event = _update_flapping(state, outcome, settings)
    if flap_event is not None:
        summary.flaps.append(FlapChange(outcome.camera_id, outcome.kind, flap_event, outcome.at, outcome.ok))
    if transition is not None:
        summary.transitions.append((outcome.camera_id, outcome.kind, transition))
        batch.touched.add(outcome.camera_id)
    elif (
        outcome.kind is CheckKind.REACHABILITY
        and camera["status"] is CameraStatus.UNKNOWN
        and state.hard_ok is outcome.ok
    ):
        batch.rechecked.setdefault(outcome.camera_id, outcome.at)
    if _worth_storing(state, outcome, changed):
        state.last_recorded_at = outcome.at
        batch.results.append(_result_row(outcome))
    if outcome.ok:
        batch.seen.append(Seen(outcome.camera_id, outcome.kind, outcome.at, outcome.values))
        _observe(batch, outcome)
    batch.offers.extend(downgrade.offers([Seen(outcome.camera_id, outcome.kind, outcome.at, outcome.values)]))


def _advance_state(state: StateRow, outcome: Outcome, settings: Settings) -> Transition | None:
    """Run the soft/hard state machine one result further, release the claim; the hard transition, if any."""
    previous = SoftHard(state.hard_ok, state.hard_since, state.streak, state.streak_ok, state.streak_started_at)
    after, transition = apply_result(
        previous,
        outcome.ok,
        outcome.at,
        failures_to_open=settings.faults.failures_to_open,
        successes_to_close=settings.faults.successes_to_close,
    )
    state.hard_ok, state.hard_since = after.hard_ok, after.hard_since
    state.streak, state.streak_ok, state.streak_started_at = after.streak, after.streak_ok, after.streak_started_at
    state.failures_in_a_row = 0 if outcome.ok else state.failures_in_a_row + 1
    state.last_run_at, state.last_ok = outcome.at, outcome.ok
    state.last_error_class, state.last_error = outcome.error_class, (outcome.error or None)
    state.next_due_at = outcome.next_due_at
    if state.hurry_runs:
        # An event asked for this check (fleet/events): the runs that confirm or refute it follow at once.
        state.hurry_runs -= 1
        if state.hurry_runs:
            state.next_due_at = min(outcome.next_due_at, outcome.at)
    state.lease_owner = state.lease_expires_at = None
    return transition


def _update_flapping(state: StateRow, outcome: Outcome, settings: Settings) -> FlapEvent | None:
    """Add the result to the check's flap history; whether flapping started or ended."""
    flap, event = update_flapping(
        Flapping(state.flap_history, state.flapping),
        outcome.ok,
        start=settings.faults.flap_start,
        stop=settings.faults.flap_stop,
    )
    state.flap_history, state.flapping = flap.history, flap.flapping
    return event


def _worth_storing(state: StateRow, outcome: Outcome, changed: bool) -> bool:
    """Whether to keep the raw result: failures and changes always, a repeated success once per sample period."""
    return (
        not outcome.ok or changed or not state.last_recorded_at or outcome.at - state.last_recorded_at >= SAMPLE_EVERY
    )


def _result_row(outcome: Outcome) -> dict[str, Any]:
    """The raw result row of an outcome, without the values that are never stored."""
    return {
        "camera_id": outcome.camera_id,
        "kind": outcome.kind,
        "at": outcome.at,
        "ok": outcome.ok,
        "duration_ms": round(outcome.duration_s * 1000, 3),
        "error_class": outcome.error_class,
        "error": outcome.error,
        "values": {k: v for k, v in outcome.values.items() if k not in NOT_STORED} or None,
    }


def _observe(batch: _Batch, outcome: Outcome) -> None:
    """Copy what a successful check observed onto the camera's columns, and when it was last seen."""
    camera = batch.rows[outcome.camera_id]
    changed = batch.changed.setdefault(outcome.camera_id, {})
    columns = _OBSERVED_COLUMNS.get(outcome.kind, {})
    for key, column in columns.items():
        value = outcome.values.get(key)
        if value is None or camera[column] == value:
            continue  # not reported, or as the camera's row has it already: nothing to write
        if column in _IDENTITY and outcome.camera_id not in batch.identities:
            batch.identities[outcome.camera_id] = batch.identity(outcome.camera_id)
        camera[column] = changed[column] = value
    if columns:
        camera["observed_at"] = changed["observed_at"] = outcome.at
    if camera["last_seen_at"] is None or outcome.at > camera["last_seen_at"]:
        camera["last_seen_at"] = changed["last_seen_at"] = outcome.at


async def _write(session: AsyncSession, batch: _Batch, summary: RecordSummary) -> None:
    """Write the states, the cameras' changed columns and the sampled raw results, a statement or so each."""
    await rows.write_states(session, batch.applied)
    await rows.write_cameras(session, batch.changed)
    if batch.results:
        await session.execute(insert(CheckResult), batch.results)
        summary.stored = len(batch.results)


async def _reassess_vendor_risk(session: AsyncSession, batch: _Batch, settings: Settings) -> None:
    """Recompute the vendor-origin risk of cameras whose self-description changed in this batch."""
    identified = batch.identified()
    for camera_id, camera in batch.cameras.items():
        if camera_id in identified:
            await vendor_risk.assess_camera(session, camera, settings)


async def _evaluate_faults(session: AsyncSession, batch: _Batch, now: datetime, settings: Settings) -> FaultChanges:
    """Open and close faults for the cameras the batch transitioned, saw failing or observed."""
    return await evaluate(
        session,
        cameras=batch.cameras,
        before=batch.before,
        # Reachability reports no values for the rules.
        seen=[s for s in batch.seen if s.kind is not CheckKind.REACHABILITY],
        transitioned=batch.touched | batch.failing(),
        failing=batch.failing(),
        now=now,
        limits=Thresholds.of(settings),
    )


async def _keep_footage_coverage(session: AsyncSession, batch: _Batch, settings: Settings) -> None:
    """Merge what the batch's recording checks saw of their cameras' footage into the coverage kept over time."""
    answers = [footage.Answer(s.camera_id, s.at, s.values) for s in batch.seen if s.kind is CheckKind.RECORDING]
    if answers:
        await footage.observe(session, batch.cameras, answers, settings.recording)


async def _update_status(session: AsyncSession, batch: _Batch, summary: RecordSummary) -> None:
    """Derive the status of cameras with a hard transition or an impairing fault opened or closed."""
    # An image fault opening or closing changes the status as a check's hard transition does.
    impaired_at = {
        f.camera_id: f.closed_at or f.opened_at
        for f in (*summary.faults.opened, *summary.faults.closed)
        if f.kind in IMPAIRING_KINDS and f.camera_id in batch.cameras
    }
    touched = batch.touched | set(impaired_at) | set(batch.rechecked)
    if touched:
        cameras = [batch.cameras[i] for i in sorted(touched)]
        changed_at = {**batch.rechecked, **impaired_at}
        summary.status_changes = await update_statuses(session, cameras, summary.transitions, changed_at)


async def _announce(
    session: AsyncSession, batch: _Batch, summary: RecordSummary, now: datetime, settings: Settings
) -> None:
    """Write the alerts and tickets the fault changes and flapping call for."""
    # The outbox rule: alerts are written in the same transaction as the fault changes they report.
    await alerts.on_fault_changes(session, summary.faults, now=now, settings=settings)
    await tickets.on_fault_changes(session, summary.faults, now=now, settings=settings)
    if summary.flaps:
        await alerts.enqueue(
            session,
            [_flap_subject(batch.cameras[f.camera_id], f, settings.alerts.language) for f in summary.flaps],
            now=now,
            settings=settings,
        )


def _flap_subject(camera: Camera, flap: FlapChange, language: Language) -> alerts.Subject:
    """The alert announcing a check starting or ending to flap."""
    check = check_label(flap.kind, language)
    if flap.event is FlapEvent.STARTED:
        event, message = AlertEvent.FLAPPING_STARTED, N_("{camera}: {check} keeps changing between ok and failed")
    elif flap.ok:
        event, message = AlertEvent.FLAPPING_ENDED, N_("{camera}: {check} stable again; now ok")
    else:
        event, message = AlertEvent.FLAPPING_ENDED, N_("{camera}: {check} stable again; now failed")
    text = say(message, language, camera=camera.name, check=check)
    return alerts.Subject(event, Severity.WARNING, text, text, None, camera)
