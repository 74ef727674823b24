"""One poll tick: claim due checks, run them with bounded concurrency, record the outcomes in batches."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from collectors.base import CheckResult
from collectors.registry import Collectors
from config.checks import CheckKind
from config.settings import Settings
from fleet import metrics
from fleet.audit.service import Actor
from fleet.cameras.targets import PollTarget, poll_targets
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health import recording, results
from fleet.health.claims import Claim, claim_due, ensure_check_states, give_back, release_claims, renew_claims
from fleet.health.status import StatusChange
from fleet.looplag import LoopLag
from scheduler import failures
from scheduler.collecting import error_class, main_profile, media_profile, observation_values, to_target

log = logging.getLogger(__name__)

# Outcomes are written in batches of this many, or after this long, whichever comes first.
_FLUSH_COUNT = 500
_FLUSH_SECONDS = 1.0
NEEDS_CREDENTIALS = frozenset(
    {
        CheckKind.ONVIF_HEALTH,
        CheckKind.ONVIF_IDENTITY,
        CheckKind.SNMP,
        CheckKind.STREAM,
        CheckKind.IMAGE,
        CheckKind.RECORDING,
        CheckKind.SECURITY,
    }
)
# More doublings than any back-off needs (a day's interval doubled 24 times is 45,000 years), few enough that a
# timedelta never overflows.
_MAX_DOUBLINGS = 24
# Checks that need the camera's media profile (stream and snapshot URIs) from its last identity result.
NEEDS_MEDIA = frozenset({CheckKind.STREAM, CheckKind.IMAGE})


@dataclass
class TickSummary:
    """What one tick did, for the CLI and the logs."""

    checks: int = 0
    failed: int = 0
    cameras: set[int] = field(default_factory=set)
    status_changes: list[StatusChange] = field(default_factory=list)
    transitions: int = 0

    def add(self, recorded: recording.RecordSummary, outcomes: Sequence[recording.Outcome]) -> None:
        self.checks += len(outcomes)
        self.failed += sum(not o.ok for o in outcomes)
        self.cameras.update(o.camera_id for o in outcomes)
        self.status_changes.extend(recorded.status_changes)
        self.transitions += len(recorded.transitions)


class Poller:
    """Claims due checks for one collector, runs them, and records what it saw."""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        collectors: Collectors,
        cipher: CredentialCipher,
        *,
        owner: str,
        poller_group: str | None = None,
        rng: random.Random | None = None,
        lag: LoopLag | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.collectors = collectors
        self.cipher = cipher
        self.owner = owner
        self.poller_group = poller_group
        self._rng = rng or random.Random()
        self._intervals = {
            CheckKind.REACHABILITY: settings.scheduler.reachability_interval,
            CheckKind.ONVIF_HEALTH: settings.scheduler.health_interval,
            CheckKind.SNMP: settings.scheduler.health_interval,
            CheckKind.ONVIF_IDENTITY: settings.scheduler.identity_interval,
            CheckKind.STREAM: settings.scheduler.health_interval,
            CheckKind.IMAGE: settings.scheduler.image_interval,
            CheckKind.RECORDING: settings.scheduler.recording_interval,
            CheckKind.SECURITY: settings.scheduler.security_interval,
        }
        # Claims are renewed while their batch runs (see _renew), so the lease need not outlast a slow batch.
        self._lease = settings.scheduler.lease
        self._actor = Actor.system(f"collector:{owner}")
        # The probe of this process's event loop: a failed check during which the loop stalled is not recorded.
        self.lag = lag

    def next_due(
        self, kind: CheckKind, at: datetime, ok: bool, failures_in_a_row: int, recovering: int | None = None
    ) -> datetime:
        """When to run the check again: its interval with jitter, backed off while a camera stays unreachable, and
        soon after a success that has yet to be confirmed to end a failure (``recovering``: the successes before)."""
        interval = self._intervals[kind]
        if ok and recovering is not None and recovering + 1 < self.settings.faults.successes_to_close:
            return at + min(interval, self.settings.scheduler.recovery_confirm)
        failures = 0 if ok else failures_in_a_row + 1
        beyond_hard = failures - self.settings.faults.failures_to_open
        if beyond_hard > 0:
            # Back-off only after the failure is hard, so going down is detected at the normal pace. The check that
            # decides up and down backs off to a small multiple only, so the outage's end is seen near its time.
            scheduler = self.settings.scheduler
            decides = kind is CheckKind.REACHABILITY
            longest = scheduler.reachability_longest if decides else max(interval, scheduler.max_backoff)
            # Doubling stops long before a timedelta overflows: a camera dead for days has thousands of failures.
            interval = min(interval * (1 << min(beyond_hard, _MAX_DOUBLINGS)), longest)
            if decides:  # jitter only earlier: the wait is a promise about how late a repair is seen
                spread = interval.total_seconds() * scheduler.jitter
                return at + interval - timedelta(seconds=self._rng.uniform(0, spread))
        spread = interval.total_seconds() * self.settings.scheduler.jitter
        return at + interval + timedelta(seconds=self._rng.uniform(-spread, spread))

    async def tick(
        self, *, now: datetime | None = None, names: Sequence[str] | None = None, everything: bool = False
    ) -> TickSummary:
        """Run every due check (every check of the selection with ``everything``) and record the outcomes."""
        summary = TickSummary()
        # Results are stamped with the real time they started: "not run since" must use the real clock too.
        started, begun = datetime.now(UTC), time.monotonic()
        now = now or started
        async with self.database.unit_of_work() as session:
            await ensure_check_states(session, now=now, poller_group=self.poller_group, names=names)
        while True:
            # A lease runs from the moment of the claim, not from the start of a tick that may have lasted long.
            claimed_at = now + timedelta(seconds=time.monotonic() - begun)
            async with self.database.unit_of_work() as session:
                claims = await claim_due(
                    session,
                    now=claimed_at,
                    owner=self.owner,
                    lease=self._lease,
                    limit=self.settings.scheduler.batch_size,
                    poller_group=self.poller_group,
                    names=names,
                    not_run_since=started if everything else None,
                )
                targets = await poll_targets(
                    session,
                    sorted({c.camera_id for c in claims}),
                    decrypt={c.camera_id for c in claims if c.kind in NEEDS_CREDENTIALS},
                    cipher=self.cipher,
                    actor=self._actor,
                )
                media = await results.media_profiles(
                    session, sorted({c.camera_id for c in claims if c.kind in NEEDS_MEDIA})
                )
            if not claims:
                return summary
            await self._run(claims, targets, media, summary)
            if len(claims) < self.settings.scheduler.batch_size:
                return summary

    async def release(self) -> None:
        """Give back every check this collector claimed and has not recorded (a clean stop), for others at once."""
        async with self.database.unit_of_work() as session:
            released = await release_claims(session, owner=self.owner, retry_at=datetime.now(UTC))
        if released:
            log.info("released %d claimed checks", released)

    async def _renew(self) -> None:
        """Keep this collector's claims while its batch runs; a dead collector's lapse after one lease."""
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            try:
                async with self.database.unit_of_work() as session:
                    await renew_claims(session, owner=self.owner, now=datetime.now(UTC), lease=self._lease)
            except failures.DATABASE_ERRORS as error:
                # Polling goes on; if the database stays away the claims lapse and others may take them.
                log.warning("could not renew claimed checks: %s", failures.reason(error))

    def _own_stall(self, claim: Claim, began: float) -> float | None:
        """How long camfleet's loop stalled in all while this check ran, when that is enough to blame camfleet for
        its failure (its time limit ran out while the loop was busy with something else); None otherwise."""
        if self.lag is None:
            return None
        stalled = self.lag.lost(began)
        if stalled < self.settings.scheduler.overload_stall.total_seconds():
            return None
        metrics.CHECKS_DISCARDED_OVERLOAD.labels(kind=claim.kind.value).inc()
        return stalled

    async def _record(self, outcomes: list[recording.Outcome], discarded: list[Claim], summary: TickSummary) -> None:
        # A discarded check is due again after one tick: soon, but not in a loop while camfleet stays overloaded.
        retry_at = datetime.now(UTC) + self.settings.scheduler.tick
        async with self.database.unit_of_work() as session:
            recorded = await recording.record(session, outcomes, settings=self.settings)
            await give_back(
                session, owner=self.owner, checks=[(c.camera_id, c.kind) for c in discarded], retry_at=retry_at
            )
        if discarded:
            log.warning(
                "%d failed checks not recorded: camfleet's own event loop stalled while they ran; they run again",
                len(discarded),
            )
        if recorded.stale:
            log.warning("%d results not recorded: their checks were taken over by another collector", recorded.stale)
        summary.add(recorded, outcomes)
        for change in recorded.status_changes:
            metrics.STATUS_CHANGES.labels(status=change.new.value).inc()

    async def _run(
        self,
        claims: Sequence[Claim],
        targets: dict[int, PollTarget],
        media: dict[int, dict[str, Any]],
        summary: TickSummary,
    ) -> None:
        """Run the claimed checks; outcomes are written as they come, so a slow camera holds up no other."""
        semaphore = asyncio.Semaphore(self.settings.scheduler.concurrency)
        heavy = asyncio.Semaphore(self.settings.scheduler.identity_concurrency)
        started = datetime.now(UTC)
        prepared = {
            camera_id: to_target(poll, media_profile(media.get(camera_id))) for camera_id, poll in targets.items()
        }

        # A camera with no stored media profile whose identity check runs in this batch (its first round): the
        # stream and image checks wait for that check's profiles rather than each asking the camera again.
        expected = {
            c.camera_id: self.collectors.profiles.expect(prepared[c.camera_id])
            for c in claims
            if c.kind is CheckKind.ONVIF_IDENTITY and c.camera_id in prepared and prepared[c.camera_id].media is None
        }

        async def one(claim: Claim) -> recording.Outcome | Claim | None:
            target = prepared.get(claim.camera_id)
            if target is None:
                return None  # deleted since the claim
            resolve = expected.get(claim.camera_id)
            if claim.kind in NEEDS_MEDIA and resolve is not None:
                # Waited for here, outside the check's time limit and the concurrency bound.
                target = replace(target, media=await self.collectors.profiles.expected(target))
            found: CheckResult | None = None
            try:
                async with semaphore, heavy if claim.kind is CheckKind.ONVIF_IDENTITY else contextlib.nullcontext():
                    metrics.SCHEDULER_LAG.observe(max(0.0, (datetime.now(UTC) - started).total_seconds()))
                    began = time.monotonic()
                    found = result = await self.collectors.run(claim.kind, target)
            finally:
                # Always answered, even when cancelled: the stream and image checks must never wait for ever.
                if claim.kind is CheckKind.ONVIF_IDENTITY and resolve is not None:
                    resolve(main_profile(found))
            if not result.ok and self._own_stall(claim, began) is not None:
                return claim  # given back unrecorded: the camera did not fail, camfleet was not listening
            return self._outcome(claim, result)

        checks = [asyncio.create_task(one(c)) for c in claims]
        renewal = asyncio.create_task(self._renew())
        try:
            await self._record_as_done(checks, summary)
        finally:
            # A stop cancels the tick: the checks still running end with it, and their claims are given back.
            for task in (*checks, renewal):
                task.cancel()
            await asyncio.gather(*checks, renewal, return_exceptions=True)

    async def _record_as_done(
        self, runs: Sequence[Awaitable[recording.Outcome | Claim | None]], summary: TickSummary
    ) -> None:
        """Record outcomes as their checks finish, in batches of _FLUSH_COUNT or after _FLUSH_SECONDS; give back
        the checks discarded for camfleet's own overload."""
        pending: list[recording.Outcome] = []
        discarded: list[Claim] = []
        flushed_at = time.monotonic()
        for next_done in asyncio.as_completed(runs):
            outcome = await next_done
            if isinstance(outcome, Claim):
                discarded.append(outcome)
            elif outcome is not None:
                pending.append(outcome)
            waiting = len(pending) + len(discarded)
            if waiting >= _FLUSH_COUNT or (waiting and time.monotonic() - flushed_at >= _FLUSH_SECONDS):
                await self._record(pending, discarded, summary)
                pending, discarded, flushed_at = [], [], time.monotonic()
        if pending or discarded:
            await self._record(pending, discarded, summary)

    def _outcome(self, claim: Claim, result: CheckResult) -> recording.Outcome:
        kind = claim.kind.value
        metrics.POLL_DURATION.labels(kind=kind).observe(result.duration_s)
        metrics.CHECKS.labels(kind=kind, result="ok" if result.ok else "failed").inc()
        klass = error_class(result.error) if result.error is not None else None
        if klass is not None:
            metrics.CHECK_FAILURES.labels(kind=kind, error_class=klass.value).inc()
        return recording.Outcome(
            camera_id=claim.camera_id,
            kind=claim.kind,
            at=result.started_at,
            ok=result.ok,
            duration_s=result.duration_s,
            next_due_at=self.next_due(
                claim.kind, result.started_at, result.ok, claim.failures_in_a_row, claim.recovering
            ),
            error_class=klass,
            error=result.error.message if result.error is not None else None,
            values=observation_values(result),
            owner=self.owner,
        )
