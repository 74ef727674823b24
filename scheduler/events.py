"""Event subscriptions: one ONVIF PullPoint per camera that offers one, held by a collector of its poller group.

Each held camera has a follower task: subscribe, pull (a long poll), renew with margin, and after any failure
subscribe again, at once the first time, then with back-off. Events are taken per camera through a token bucket
(a flooding camera is paced and its excess counted as dropped, never slowing the others) and written in batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from collectors.base import Target
from collectors.errors import CollectorError, Unsupported
from collectors.events import Notification, PullPoint, PullPointClient, PullRefused
from collectors.registry import DEFAULT_MAX_BODY_BYTES
from config.settings import Settings
from fleet import metrics
from fleet.audit.service import Actor
from fleet.cameras.targets import poll_targets
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.events import rules, subscriptions
from fleet.events.models import SubscriptionStatus
from fleet.events.service import Batch, Received, record
from scheduler import failures
from scheduler.collecting import to_target

log = logging.getLogger(__name__)

# A followed camera holds a connection through each long poll, so one process follows no more cameras than its
# limit on open files leaves beside its checks (two sockets for each check in flight) and this many for the
# database, its listening sockets and files; the others stay for another collector of the group, or are polled
# alone. With no such limit, every camera of the group in one claim.
_FILES_KEPT = 256
_CLAIM_MOST = 100_000


def open_files() -> int:
    """This process's limit on open files, raised first to the most it may have (a service's is often 1,024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return _CLAIM_MOST + _FILES_KEPT if soft == resource.RLIM_INFINITY else soft


def follow_limit(settings: Settings) -> int:
    """How many cameras' subscriptions this process may hold with its limit on open files."""
    spare = open_files() - 2 * settings.scheduler.concurrency - _FILES_KEPT
    return max(0, min(_CLAIM_MOST, spare))


# The first retry after a working subscription failed comes at once, the next after this, then twice as long.
_FIRST_BACKOFF = timedelta(seconds=1)
# Cameras in back-off subscribe through this share of events.subscribe_concurrency (at least one at a time).
_BACKOFF_SHARE = 10
# A pull's Timeout is sent in whole seconds: with less than this left before the renewal it would be PT0S, which a
# camera answers at once, again and again until the renewal; the subscription is renewed that much early instead.
_TIMEOUT_STEP = 1.0
# Empty answers of one camera no closer together than this: a camera that answers a pull at once whatever its
# Timeout (some firmwares ignore it) is pulled once a second, not as fast as it answers.
_EMPTY_PULL_GAP = 1.0


@dataclass(frozen=True, slots=True)
class _Note:
    camera_id: int
    status: SubscriptionStatus
    detail: str | None
    at: datetime
    retry_at: datetime | None = None


@dataclass
class _Bucket:
    """Events a camera may still send now: ``rate`` a second, up to ``burst`` saved."""

    rate: float
    burst: float
    tokens: float = 0.0
    at: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now

    def take(self) -> bool:
        """One event may pass (a token taken), or it is over the limit."""
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def wait_for(self, wanted: float) -> float:
        """Seconds until ``wanted`` tokens are there again."""
        self.refill()
        return max(0.0, (min(wanted, self.burst) - self.tokens) / self.rate)


class EventListener:
    """The event subscriptions of one collector: claims, followers, and the batched writes of what they hear."""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        cipher: CredentialCipher,
        client: PullPointClient,
        *,
        owner: str,
        poller_group: str | None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.cipher = cipher
        self.client = client
        self.owner = owner
        self.poller_group = poller_group
        self._actor = Actor.system(f"collector:{owner}")
        self._followers: dict[int, asyncio.Task[None]] = {}
        # Failures in a row per camera, kept across followers so back-off survives a follower's restart.
        self._failures: dict[int, int] = {}
        self._batch = Batch()
        self._notes: list[_Note] = []
        self._limit = follow_limit(settings)
        self._at_limit = False
        # Subscriptions being made at once (events.subscribe_concurrency); pulls and renewals go without a turn.
        # Cameras in back-off (failed twice or more in a row: mostly switched off, each holding its turn for the
        # whole device time-out) take theirs from a tenth of them, so that a first subscription, or the retry at
        # once of one that was working, never waits behind a poller group that went dark.
        concurrency = settings.events.subscribe_concurrency
        self._subscribing = asyncio.Semaphore(concurrency)
        self._subscribing_again = asyncio.Semaphore(max(1, concurrency // _BACKOFF_SHARE))

    @property
    def following(self) -> frozenset[int]:
        """The cameras this collector follows now."""
        return frozenset(self._followers)

    def hear(self, received: Received) -> None:
        """Take one event heard some other way (an SNMP trap): written with the next flush, never rate-limited
        here (traps are few; the receiver drops what matches no camera)."""
        self._batch.kept.append(received)
        found = rules.evidence(received.topic, received.source, received.source)
        metrics.EVENTS.labels(evidence=found.value if found else "none", outcome="kept").inc()

    async def refresh(self) -> None:
        """Claim (and keep) the subscriptions of this collector's cameras; follow new ones, drop lost ones."""
        now = datetime.now(UTC)
        async with self.database.unit_of_work() as session:
            held = await subscriptions.claim(
                session,
                owner=self.owner,
                now=now,
                lease=self.settings.scheduler.lease,
                poller_group=self.poller_group,
                limit=self._limit,
            )
            if len(held) >= self._limit and not self._at_limit:
                self._at_limit = True
                log.warning(
                    "following the events of %d cameras, as many as this process's limit on open files allows; the "
                    "rest are left to other collectors of the group or polled alone (raise LimitNOFILE)",
                    self._limit,
                )
            new = [camera_id for camera_id in held if camera_id not in self._followers]
            targets = (
                await poll_targets(session, new, decrypt=set(new), cipher=self.cipher, actor=self._actor) if new else {}
            )
        for camera_id in set(self._followers) - set(held):
            # Given to another collector (our lease lapsed), or no longer polled.
            self._followers.pop(camera_id).cancel()
        for camera_id, poll in targets.items():
            self._followers[camera_id] = asyncio.create_task(self._follow(to_target(poll)))

    async def flush(self) -> None:
        """Write what was heard since the last flush, in one transaction."""
        batch, notes = self._batch, self._notes
        if not batch and not notes:
            return
        self._batch, self._notes = Batch(), []
        now = datetime.now(UTC)
        async with self.database.unit_of_work() as session:
            for note in notes:
                await subscriptions.note(
                    session,
                    camera_id=note.camera_id,
                    owner=self.owner,
                    status=note.status,
                    at=note.at,
                    detail=note.detail,
                    retry_at=note.retry_at,
                )
            changes = await record(session, batch, now=now, settings=self.settings)
        if changes.opened or changes.closed:
            log.info("events opened %d and closed %d faults", len(changes.opened), len(changes.closed))

    async def stop(self) -> None:
        """Stop following, write what was heard, and give the subscriptions back for another collector."""
        followers = list(self._followers.values())
        self._followers.clear()
        for task in followers:
            task.cancel()
        await asyncio.gather(*followers, return_exceptions=True)
        try:
            await self.flush()
            async with self.database.unit_of_work() as session:
                await subscriptions.release(session, owner=self.owner)
        except failures.DATABASE_ERRORS as error:
            log.warning(
                "could not give back event subscriptions; they lapse with their lease: %s", failures.reason(error)
            )

    async def _follow(self, target: Target) -> None:
        events = self.settings.events
        try:
            while True:
                try:
                    await self._subscribed(target)
                except Unsupported as error:
                    now = datetime.now(UTC)
                    log.info("%s: no event subscription (%s); polled alone", target.name, error.message)
                    self._note(
                        target, SubscriptionStatus.UNSUPPORTED, error.message, retry=now + events.unsupported_retry
                    )
                    return
                except CollectorError as error:
                    failed = self._failures.get(target.camera_id, 0) + 1
                    self._failures[target.camera_id] = failed
                    wait = self._backoff(failed)
                    log.info("%s: event subscription failed (%s); again in %s", target.name, error.message, wait)
                    self._note(target, SubscriptionStatus.FAILING, error.message)
                    await asyncio.sleep(wait.total_seconds())
        finally:
            if self._followers.get(target.camera_id) is asyncio.current_task():
                del self._followers[target.camera_id]

    def _backoff(self, failed: int) -> timedelta:
        if failed <= 1:
            return timedelta(0)
        wait: timedelta = _FIRST_BACKOFF * 2 ** min(failed - 2, 24)
        return min(wait, self.settings.events.retry_max)

    def _note(
        self, target: Target, status: SubscriptionStatus, detail: str | None, retry: datetime | None = None
    ) -> None:
        self._notes.append(_Note(target.camera_id, status, detail, datetime.now(UTC), retry))

    async def _subscribed(self, target: Target) -> None:
        """Subscribe, then pull and renew until something fails (raised as a CollectorError)."""
        events = self.settings.events
        # Each request's device timeout starts once it is sent, so the wait for a turn never counts against it.
        backing_off = self._failures.get(target.camera_id, 0) >= 2
        async with self._subscribing_again if backing_off else self._subscribing:
            path = await self.client.events_path(target)
            point = await self.client.subscribe(target, path, events.subscription_time)
        self._failures.pop(target.camera_id, None)
        self._note(target, SubscriptionStatus.SUBSCRIBED, None)
        renew_at = time.monotonic() + self._renew_after(point.granted)
        bucket = _Bucket(events.rate_limit, events.rate_burst)
        longest = events.pull_timeout.total_seconds()
        while True:
            asked = time.monotonic()
            try:
                notifications = await self._pull(target, point, bucket, renew_at, longest)
            except PullRefused as refused:
                # A camera that supports shorter pulls says how long: pulled that long from now on. Only ever
                # shorter, so a camera that keeps refusing fails the subscription instead of looping.
                shorter = int(refused.longest.total_seconds()) if refused.longest is not None else 0
                if not 1 <= shorter < longest:
                    raise
                log.info("%s: the camera holds a pull for at most %d s", target.name, shorter)
                longest = shorter
                continue
            self._take(target, notifications, bucket)
            if not notifications and (early := asked + _EMPTY_PULL_GAP - time.monotonic()) > 0:
                await asyncio.sleep(early)
            if time.monotonic() >= renew_at - _TIMEOUT_STEP:
                granted = await self.client.renew(target, point, events.subscription_time)
                renew_at = time.monotonic() + self._renew_after(granted)

    async def _pull(
        self, target: Target, point: PullPoint, bucket: _Bucket, renew_at: float, longest: float
    ) -> tuple[Notification, ...]:
        """One pull, waiting at the camera up to ``longest`` and no longer than the next renewal; paced while the
        camera floods."""
        events = self.settings.events
        if bucket.tokens < 1:
            await asyncio.sleep(min(bucket.wait_for(events.pull_limit / 2), max(0.0, renew_at - time.monotonic())))
        wait = min(longest, max(0.0, renew_at - time.monotonic()))
        pulled = await self.client.pull(target, point, timedelta(seconds=wait), events.pull_limit)
        return pulled.notifications

    def _renew_after(self, granted: timedelta) -> float:
        events = self.settings.events
        seconds = granted.total_seconds()
        return max(seconds * events.renew_at, min(events.renew_min.total_seconds(), seconds * 0.9))

    def _take(self, target: Target, notifications: tuple[Notification, ...], bucket: _Bucket) -> None:
        """Keep what the camera's rate allows (evidence always), count the rest as dropped."""
        received_at = datetime.now(UTC)
        bucket.refill()
        for item in notifications:
            found = rules.evidence(item.topic, item.source, item.source)
            if found is not None or bucket.take():
                self._batch.kept.append(
                    Received(target.camera_id, item.topic, item.source, item.state, received_at, item.device_time)
                )
                metrics.EVENTS.labels(evidence=found.value if found else "none", outcome="kept").inc()
            else:
                self._batch.dropped[(target.camera_id, item.topic)] += 1
                metrics.EVENTS.labels(evidence="none", outcome="dropped").inc()


@contextlib.asynccontextmanager
async def listening(
    database: Database, settings: Settings, cipher: CredentialCipher, *, owner: str, poller_group: str | None
) -> AsyncIterator[EventListener]:
    """An event listener for the block; at its end followers stop and subscriptions are given back."""
    client = PullPointClient(DEFAULT_MAX_BODY_BYTES, settings.scheduler.device_timeout)
    listener = EventListener(database, settings, cipher, client, owner=owner, poller_group=poller_group)
    try:
        yield listener
    finally:
        await listener.stop()
