"""Recording what the collectors saw: check states, raw results, observed identity, status intervals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, literal, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.alerts import service as alerts
from fleet.alerts.models import AlertEvent
from fleet.alerts.wording import check_label
from fleet.cameras.models import Camera, CameraCredentials, CameraStatus, Lifecycle
from fleet.db import UTCDateTime
from fleet.faults.evaluate import Observed, Seen, Thresholds, evaluate
from fleet.faults.models import Fault, Severity
from fleet.faults.rules import IMPAIRING_KINDS, FlapEvent, Flapping, update_flapping
from fleet.faults.service import FaultChanges
from fleet.health.models import CheckKind, CheckResult, CheckState, ErrorClass, StatusInterval
from fleet.health.rules import SoftHard, Transition, apply_result, camera_status
from fleet.language import N_, Language, say
from fleet.tickets import service as tickets
from fleet.uptime import rollup
from fleet.uptime.service import local_day
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
    CheckKind.ONVIF_HEALTH: {"clock_drift_s": "observed_clock_drift_s"},
    CheckKind.SNMP: {
        "sys_descr": "observed_sys_descr",
        "enterprise": "observed_snmp_enterprise",
        "uptime_s": "observed_uptime_s",
    },
}
ALWAYS = (
    CheckKind.REACHABILITY,
    CheckKind.ONVIF_HEALTH,
    CheckKind.ONVIF_IDENTITY,
    CheckKind.STREAM,
    CheckKind.IMAGE,
)
# Observation values that serve the fault rules of this batch but are never stored with the raw result
# (privacy by design: an image check's optional thumbnail goes to the reference, nowhere else).
NOT_STORED = frozenset({"thumbnail"})


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
class Claim:
    """A due check, claimed for one collector until its lease expires."""

    camera_id: int
    kind: CheckKind
    failures_in_a_row: int


@dataclass(frozen=True, slots=True)
class StatusChange:
    camera_id: int
    old: CameraStatus
    new: CameraStatus
    at: datetime


@dataclass(frozen=True, slots=True)
class FlapChange:
    camera_id: int
    kind: CheckKind
    event: FlapEvent
    at: datetime
    ok: bool  # the state when it happened: announced when flapping ends


@dataclass
class RecordSummary:
    outcomes: int = 0
    stored: int = 0
    # Results of checks that another collector had taken over (this one's lease ran out first): not applied.
    stale: int = 0
    transitions: list[tuple[int, CheckKind, Transition]] = field(default_factory=list)
    status_changes: list[StatusChange] = field(default_factory=list)
    flaps: list[FlapChange] = field(default_factory=list)
    faults: FaultChanges = field(default_factory=FaultChanges)


def _polled_cameras(poller_group: str | None, names: Sequence[str] | None) -> Any:
    condition = Camera.lifecycle == Lifecycle.IN_SERVICE
    if poller_group is not None:
        condition = and_(condition, Camera.poller_group == poller_group)
    if names:
        condition = and_(condition, Camera.name.in_(names))
    return condition


async def ensure_check_states(
    session: AsyncSession,
    *,
    now: datetime,
    poller_group: str | None = None,
    names: Sequence[str] | None = None,
) -> None:
    """Give every polled camera a state row per check it should have, and drop the ones it no longer has.

    In-service cameras get reachability and ONVIF checks, and SNMP when they have SNMP settings; cameras in storage
    or retired are not polled.
    """
    has_snmp = exists().where(CameraCredentials.camera_id == Camera.id, CameraCredentials.snmp_version.is_not(None))
    for kind in (*ALWAYS, CheckKind.SNMP):
        missing = (
            select(Camera.id, literal(kind.value), literal(now, UTCDateTime()), literal(0), literal(0))
            .where(_polled_cameras(poller_group, names))
            .where(~exists().where(CheckState.camera_id == Camera.id, CheckState.kind == kind))
        )
        if kind is CheckKind.SNMP:
            missing = missing.where(has_snmp)
        columns = ["camera_id", "kind", "next_due_at", "streak", "failures_in_a_row"]
        # Collectors of one group run this at once: a row another one added meanwhile is no error.
        upsert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await session.execute(upsert(CheckState).from_select(columns, missing).on_conflict_do_nothing())
    no_snmp = ~exists().where(
        CameraCredentials.camera_id == CheckState.camera_id, CameraCredentials.snmp_version.is_not(None)
    )
    not_polled = ~exists().where(Camera.id == CheckState.camera_id, Camera.lifecycle == Lifecycle.IN_SERVICE)
    await session.execute(delete(CheckState).where(or_(and_(CheckState.kind == CheckKind.SNMP, no_snmp), not_polled)))


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    owner: str,
    lease: timedelta,
    limit: int,
    poller_group: str | None = None,
    names: Sequence[str] | None = None,
    not_run_since: datetime | None = None,
) -> list[Claim]:
    """Claim up to ``limit`` due checks, oldest due first; with ``not_run_since``, every check of the selection
    that has not run since then, due or not (a one-off ``camfleet poll``: each check once, however many batches).

    On PostgreSQL rows are locked with SKIP LOCKED, so collectors sharing a group never claim the same check;
    a claim expires with its lease, so a dead collector's work is taken over.
    """
    query = (
        select(CheckState)
        .join(Camera, Camera.id == CheckState.camera_id)
        .where(_polled_cameras(poller_group, names))
        .where(or_(CheckState.lease_expires_at.is_(None), CheckState.lease_expires_at < now))
        .order_by(CheckState.next_due_at)
        .limit(limit)
    )
    if not_run_since is None:
        query = query.where(CheckState.next_due_at <= now)
    else:
        query = query.where(or_(CheckState.last_run_at.is_(None), CheckState.last_run_at < not_run_since))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=CheckState)
    states = (await session.scalars(query)).all()
    for state in states:
        state.lease_owner = owner
        state.lease_expires_at = now + lease
    await session.flush()
    return [Claim(s.camera_id, s.kind, s.failures_in_a_row) for s in states]


async def record(session: AsyncSession, outcomes: Iterable[Outcome], *, settings: Settings) -> RecordSummary:
    """Apply a batch of outcomes in the caller's transaction: states, raw results, identity, status, faults."""
    failures_to_open = settings.faults.failures_to_open
    successes_to_close = settings.faults.successes_to_close
    batch = list(outcomes)
    summary = RecordSummary(outcomes=len(batch))
    if not batch:
        return summary
    camera_ids = sorted({o.camera_id for o in batch})
    states = {
        (s.camera_id, s.kind): s
        for s in await session.scalars(
            select(CheckState).where(
                tuple_(CheckState.camera_id, CheckState.kind).in_([(o.camera_id, o.kind) for o in batch])
            )
        )
    }
    cameras = {c.id: c for c in await session.scalars(select(Camera).where(Camera.id.in_(camera_ids)))}
    before = {camera_id: Observed.of(camera) for camera_id, camera in cameras.items()}
    identities = {camera_id: vendor_risk.identity_key(camera) for camera_id, camera in cameras.items()}
    rows: list[dict[str, Any]] = []
    touched: set[int] = set()
    seen: list[Seen] = []
    for outcome in sorted(batch, key=lambda o: o.at):
        camera = cameras.get(outcome.camera_id)
        state = states.get((outcome.camera_id, outcome.kind))
        if camera is None or state is None:
            continue  # deleted meanwhile, or no longer polled for this check
        if outcome.owner is not None and state.lease_owner != outcome.owner:
            # Taken over after this collector's lease ran out (it stalled): the new holder's result counts, so a
            # check is applied once per claim, never twice.
            summary.stale += 1
            continue
        changed = state.last_ok is not outcome.ok
        previous = SoftHard(state.hard_ok, state.hard_since, state.streak, state.streak_ok, state.streak_started_at)
        after, transition = apply_result(
            previous,
            outcome.ok,
            outcome.at,
            failures_to_open=failures_to_open,
            successes_to_close=successes_to_close,
        )
        state.hard_ok, state.hard_since = after.hard_ok, after.hard_since
        state.streak, state.streak_ok, state.streak_started_at = (
            after.streak,
            after.streak_ok,
            after.streak_started_at,
        )
        state.failures_in_a_row = 0 if outcome.ok else state.failures_in_a_row + 1
        state.last_run_at, state.last_ok = outcome.at, outcome.ok
        state.last_error_class, state.last_error = outcome.error_class, (outcome.error or None)
        state.next_due_at = outcome.next_due_at
        state.lease_owner = state.lease_expires_at = None
        flap, flap_event = update_flapping(
            Flapping(state.flap_history, state.flapping),
            outcome.ok,
            start=settings.faults.flap_start,
            stop=settings.faults.flap_stop,
        )
        state.flap_history, state.flapping = flap.history, flap.flapping
        if flap_event is not None:
            summary.flaps.append(FlapChange(outcome.camera_id, outcome.kind, flap_event, outcome.at, outcome.ok))
        if transition is not None:
            summary.transitions.append((outcome.camera_id, outcome.kind, transition))
            touched.add(outcome.camera_id)
        if (
            not outcome.ok
            or changed
            or not state.last_recorded_at
            or outcome.at - state.last_recorded_at >= SAMPLE_EVERY
        ):
            state.last_recorded_at = outcome.at
            rows.append(
                {
                    "camera_id": outcome.camera_id,
                    "kind": outcome.kind,
                    "at": outcome.at,
                    "ok": outcome.ok,
                    "duration_ms": round(outcome.duration_s * 1000, 3),
                    "error_class": outcome.error_class,
                    "error": outcome.error,
                    "values": {k: v for k, v in outcome.values.items() if k not in NOT_STORED} or None,
                }
            )
        if outcome.ok:
            seen.append(Seen(outcome.camera_id, outcome.kind, outcome.at, outcome.values))
            _observe(camera, outcome)
    if rows:
        await session.execute(insert(CheckResult), rows)
        summary.stored = len(rows)
    for camera_id, camera in cameras.items():
        if vendor_risk.identity_key(camera) != identities[camera_id]:
            # What the device says about itself changed: its vendor-origin risk is recomputed from the evidence.
            await vendor_risk.assess_camera(session, camera, settings)
    now = max(o.at for o in batch)
    summary.faults = await evaluate(
        session,
        cameras=cameras,
        before=before,
        seen=seen,
        transitioned=touched | {o.camera_id for o in batch if not o.ok and o.camera_id in cameras},
        now=now,
        limits=Thresholds.of(settings),
    )
    # An image fault opening or closing changes the status as a check's hard transition does.
    impaired_at = {
        f.camera_id: f.closed_at or f.opened_at
        for f in (*summary.faults.opened, *summary.faults.closed)
        if f.kind in IMPAIRING_KINDS and f.camera_id in cameras
    }
    touched |= set(impaired_at)
    if touched:
        summary.status_changes = await _update_status(
            session, [cameras[i] for i in sorted(touched)], summary, impaired_at
        )
    # The outbox rule: alerts are written in the same transaction as the fault changes they report.
    await alerts.on_fault_changes(session, summary.faults, now=now, settings=settings)
    await tickets.on_fault_changes(session, summary.faults, now=now, settings=settings)
    if summary.flaps:
        await alerts.enqueue(
            session,
            [_flap_subject(cameras[f.camera_id], f, settings.alerts.language) for f in summary.flaps],
            now=now,
            settings=settings,
        )
    return summary


def _flap_subject(camera: Camera, flap: FlapChange, language: Language) -> alerts.Subject:
    check = check_label(flap.kind, language)
    if flap.event is FlapEvent.STARTED:
        event, message = AlertEvent.FLAPPING_STARTED, N_("{camera}: {check} keeps changing between ok and failed")
    elif flap.ok:
        event, message = AlertEvent.FLAPPING_ENDED, N_("{camera}: {check} stable again; now ok")
    else:
        event, message = AlertEvent.FLAPPING_ENDED, N_("{camera}: {check} stable again; now failed")
    text = say(message, language, camera=camera.name, check=check)
    return alerts.Subject(event, Severity.WARNING, text, text, None, camera)


def _observe(camera: Camera, outcome: Outcome) -> None:
    columns = _OBSERVED_COLUMNS.get(outcome.kind, {})
    for key, column in columns.items():
        if key in outcome.values and outcome.values[key] is not None:
            setattr(camera, column, outcome.values[key])
    if columns:
        camera.observed_at = outcome.at
    if camera.last_seen_at is None or outcome.at > camera.last_seen_at:
        camera.last_seen_at = outcome.at


async def _update_status(
    session: AsyncSession, cameras: list[Camera], summary: RecordSummary, impaired_at: dict[int, datetime]
) -> list[StatusChange]:
    ids = [c.id for c in cameras]
    hard: dict[int, dict[CheckKind, bool | None]] = {i: {} for i in ids}
    for camera_id, kind, hard_ok in await session.execute(
        select(CheckState.camera_id, CheckState.kind, CheckState.hard_ok).where(CheckState.camera_id.in_(ids))
    ):
        hard[camera_id][kind] = hard_ok
    impaired = set(
        await session.scalars(
            select(Fault.camera_id).where(
                Fault.camera_id.in_(ids), Fault.closed_at.is_(None), Fault.kind.in_(IMPAIRING_KINDS)
            )
        )
    )
    when: dict[int, datetime] = dict(impaired_at)
    for camera_id, _kind, transition in summary.transitions:
        when[camera_id] = max(when.get(camera_id, transition.at), transition.at)
    changes: list[StatusChange] = []
    moves: list[tuple[Camera, CameraStatus, datetime]] = []
    for camera in cameras:
        new = camera_status(hard[camera.id], impaired=camera.id in impaired)
        if new == camera.status:
            continue
        at = when[camera.id]
        changes.append(StatusChange(camera.id, camera.status, new, at))
        moves.append((camera, new, at))
    await change_statuses(session, moves)
    return changes


async def change_statuses(session: AsyncSession, moves: Sequence[tuple[Camera, CameraStatus, datetime]]) -> None:
    """For each (camera, status, at): close the camera's open status interval and open one for the new status
    (never before the old one's start). A few statements for the whole batch, however many cameras change at once
    (a power cut takes a district down in one poll batch)."""
    if not moves:
        return
    ids = [camera.id for camera, _status, _at in moves]
    open_intervals = {
        interval.camera_id: interval
        for interval in await session.scalars(
            select(StatusInterval).where(StatusInterval.camera_id.in_(ids), StatusInterval.ended_at.is_(None))
        )
    }
    starts: dict[int, datetime] = {}
    for camera, _status, at in moves:
        interval = open_intervals.get(camera.id)
        starts[camera.id] = at if interval is None else max(at, interval.started_at)
        if interval is not None:
            interval.ended_at = starts[camera.id]
    await session.flush()  # the old intervals closed before the new ones open: one open interval per camera
    invalid_from: dict[date, list[int]] = defaultdict(list)
    for camera, status, _at in moves:
        at = starts[camera.id]
        session.add(StatusInterval(camera_id=camera.id, status=status, started_at=at))
        camera.status, camera.status_since = status, at
        # Dated back to when its streak began, the change may fall in a day already rolled up.
        invalid_from[local_day(at)].append(camera.id)
    for day, camera_ids in invalid_from.items():
        await rollup.invalidate(session, from_day=day, camera_ids=camera_ids)


async def media_profiles(session: AsyncSession, camera_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Each camera's first media profile with a stream or snapshot URI, from its latest stored identity result."""
    if not camera_ids:
        return {}
    latest = (
        select(CheckResult.camera_id, func.max(CheckResult.at).label("at"))
        .where(
            CheckResult.camera_id.in_(camera_ids),
            CheckResult.kind == CheckKind.ONVIF_IDENTITY,
            CheckResult.ok.is_(True),
        )
        .group_by(CheckResult.camera_id)
        .subquery()
    )
    rows = await session.execute(
        select(CheckResult.camera_id, CheckResult.values).join(
            latest,
            and_(
                CheckResult.camera_id == latest.c.camera_id,
                CheckResult.at == latest.c.at,
                CheckResult.kind == CheckKind.ONVIF_IDENTITY,
            ),
        )
    )
    found: dict[int, dict[str, Any]] = {}
    for camera_id, values in rows:
        for profile in (values or {}).get("profiles") or ():
            if isinstance(profile, dict) and (profile.get("stream_uri") or profile.get("snapshot_uri")):
                found[camera_id] = profile
                break
    return found


async def renew_claims(session: AsyncSession, *, owner: str, now: datetime, lease: timedelta) -> int:
    """Extend ``owner``'s unexpired claims (checks still running) to a lease from ``now``; how many were renewed.

    On PostgreSQL rows another transaction holds (the same collector recording them) are skipped, never waited
    for: their lease is being cleared anyway.
    """
    held = select(CheckState.camera_id, CheckState.kind).where(
        CheckState.lease_owner == owner, CheckState.lease_expires_at >= now
    )
    if session.get_bind().dialect.name == "postgresql":
        held = held.with_for_update(skip_locked=True)
    result = await session.execute(
        update(CheckState)
        .where(tuple_(CheckState.camera_id, CheckState.kind).in_(held))
        .values(lease_expires_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def release_claims(session: AsyncSession, claims: Iterable[Claim], *, owner: str, retry_at: datetime) -> None:
    """Give ``owner``'s claimed checks back (a collector stopping mid-batch), due again at ``retry_at``."""
    for claim in claims:
        await session.execute(
            update(CheckState)
            .where(CheckState.camera_id == claim.camera_id, CheckState.kind == claim.kind)
            .where(CheckState.lease_owner == owner)
            .values(lease_owner=None, lease_expires_at=None, next_due_at=retry_at)
        )


async def prune_results(session: AsyncSession, *, older_than: datetime) -> int:
    """Delete raw results older than the retention period; status intervals are kept."""
    result = await session.execute(delete(CheckResult).where(CheckResult.at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)


async def status_counts(
    session: AsyncSession, *, poller_group: str | None = None, names: Sequence[str] | None = None
) -> dict[CameraStatus, int]:
    """How many in-service cameras (of a group, or of the named ones) have each status."""
    rows = await session.execute(
        select(Camera.status, func.count()).where(_polled_cameras(poller_group, names)).group_by(Camera.status)
    )
    counts = dict.fromkeys(CameraStatus, 0)
    counts.update({status: count for status, count in rows})
    return counts
