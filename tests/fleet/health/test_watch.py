"""Staleness on both engines: silent poller groups open one fault and alert, unchecked cameras become `unknown`,
and that time counts as not monitored, never as up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from config.checks import CheckKind
from config.settings import Settings
from fleet.alerts.models import Alert, AlertEvent, NotificationChannel
from fleet.cameras.models import Camera, CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.health import watch
from fleet.health.claims import ensure_check_states
from fleet.health.models import StatusInterval
from fleet.health.recording import Outcome, record
from fleet.uptime.service import GroupBy, uptime_report
from tests.builders import make_camera

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
S = timedelta(seconds=1)


def reachable(camera_id: int, at: datetime, ok: bool = True) -> Outcome:
    return Outcome(
        camera_id=camera_id, kind=CheckKind.REACHABILITY, at=at, ok=ok, duration_s=0.01, next_due_at=at + 60 * S
    )


async def _fleet(database: Database, cipher: CredentialCipher, settings: Settings) -> dict[str, int]:
    """Two cameras in zone-a, one in zone-b, all seen up at T0; a channel that wants every alert."""
    async with database.unit_of_work() as session:
        ids = {
            name: (await make_camera(session, cipher, name=name, poller_group=group)).id
            for name, group in (("A-1", "zone-a"), ("A-2", "zone-a"), ("B-1", "zone-b"))
        }
        session.add(
            NotificationChannel(
                name="ops", url_ciphertext=cipher.encrypt({"url": "json://127.0.0.1:9/x"}), service="json"
            )
        )
        await ensure_check_states(session, now=T0)
        await record(session, [reachable(i, T0) for i in ids.values()], settings=settings)
    return ids


async def _statuses(database: Database) -> dict[str, tuple[CameraStatus, datetime | None]]:
    async with database.unit_of_work() as session:
        return {c.name: (c.status, c.status_since) for c in await session.scalars(select(Camera))}


async def _sweep(database: Database, settings: Settings, at: datetime) -> watch.WatchSummary:
    async with database.unit_of_work() as session:
        return await watch.sweep(session, now=at, settings=settings, watching_since=T0)


async def test_a_silent_group_opens_one_fault_that_alerts_and_its_cameras_become_unknown(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    ids = await _fleet(database, cipher, settings)
    lease = settings.scheduler.lease
    async with database.unit_of_work() as session:
        await watch.beat(session, name="host:1:zone-a", poller_group="zone-a", now=T0)
        await watch.beat(session, name="host:2:zone-b", poller_group="zone-b", now=T0)

    # One lease of silence is a collector between two beats, or taken over: nothing yet.
    quiet = await _sweep(database, settings, T0 + lease)
    assert not quiet.silent and not quiet.faults.opened and not quiet.status_changes

    later = T0 + 2 * lease + 5 * S
    async with database.unit_of_work() as session:
        await watch.beat(session, name="host:2:zone-b", poller_group="zone-b", now=later)
        await record(session, [reachable(ids["B-1"], later)], settings=settings)
    found = await _sweep(database, settings, later)
    assert found.silent == ["zone-a"]
    [fault] = found.faults.opened
    assert (fault.kind, fault.severity, fault.camera_id) == (FaultKind.COLLECTOR_SILENT, Severity.CRITICAL, None)
    assert fault.scope == "poller_group:zone-a" and fault.details["cameras"] == 2
    assert fault.opened_at == T0 + 2 * lease  # when the silence reached two leases, not when it was noticed
    statuses = await _statuses(database)
    assert statuses["A-1"][0] is statuses["A-2"][0] is CameraStatus.UNKNOWN
    assert statuses["B-1"][0] is CameraStatus.UP
    # Unknown from when the next check was due and nobody ran it (60 s after the last).
    assert statuses["A-1"][1] == T0 + 60 * S
    async with database.unit_of_work() as session:
        alerts = (await session.scalars(select(Alert).where(Alert.fault_id == fault.id))).all()
    assert [a.event for a in alerts] == [AlertEvent.FAULT_OPENED]
    assert "zone-a" in alerts[0].subject

    # The next sweeps change nothing: one fault, one alert, no storm.
    again = await _sweep(database, settings, later + 10 * S)
    assert not again.faults.opened and not again.status_changes
    async with database.unit_of_work() as session:
        assert len((await session.scalars(select(Fault))).all()) == 1

    # A collector of the group is heard again: the fault closes with a recovery alert; its cameras come back as
    # they are checked again (a result that agrees with the check's state counts at once).
    back = later + 20 * S
    async with database.unit_of_work() as session:
        await watch.beat(session, name="host:3:zone-a", poller_group="zone-a", now=back)
    closed = await _sweep(database, settings, back)
    assert [f.id for f in closed.faults.closed] == [fault.id] and closed.silent == []
    async with database.unit_of_work() as session:
        events = [a.event for a in await session.scalars(select(Alert).where(Alert.fault_id == fault.id))]
        await record(
            session, [reachable(ids["A-1"], back + S), reachable(ids["A-2"], back + S, ok=False)], settings=settings
        )
    assert sorted(events) == sorted([AlertEvent.FAULT_OPENED, AlertEvent.FAULT_CLOSED])
    statuses = await _statuses(database)
    assert statuses["A-1"] == (CameraStatus.UP, back + S)
    assert statuses["A-2"][0] is CameraStatus.UNKNOWN  # one failure after the gap: not yet known to be down


async def test_a_camera_whose_reachability_check_has_not_run_for_three_intervals_is_unknown(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    ids = await _fleet(database, cipher, settings)
    interval = settings.scheduler.reachability_interval
    assert settings.scheduler.stale_after == 3 * interval
    at = T0 + 3 * interval + S
    async with database.unit_of_work() as session:
        # Collectors alive in both groups, but only B-1 and A-2 were checked lately (A-1's claim is stuck).
        await watch.beat(session, name="host:1", poller_group=None, now=at)
        await record(session, [reachable(ids["B-1"], at - S), reachable(ids["A-2"], at - S)], settings=settings)
    found = await _sweep(database, settings, at)
    assert not found.silent and not found.faults.opened
    assert [(c.camera_id, c.old, c.new) for c in found.status_changes] == [
        (ids["A-1"], CameraStatus.UP, CameraStatus.UNKNOWN)
    ]
    statuses = await _statuses(database)
    assert statuses["A-1"] == (CameraStatus.UNKNOWN, T0 + interval)
    assert statuses["A-2"][0] is statuses["B-1"][0] is CameraStatus.UP

    # The unknown time is not monitored: never up, never down.
    async with database.unit_of_work() as session:
        rows = {r.key: r for r in await uptime_report(session, period=(T0, at), by=GroupBy.CAMERA, now=at)}
        intervals = (await session.scalars(select(StatusInterval).where(StatusInterval.camera_id == ids["A-1"]))).all()
    assert sorted((i.status, i.started_at) for i in intervals) == [
        (CameraStatus.UNKNOWN, T0 + interval),
        (CameraStatus.UP, T0),
    ]
    assert rows["A-1"].unknown_s == (at - T0 - interval).total_seconds()
    assert rows["A-1"].downtime_s == 0 and rows["A-1"].availability == 1.0
    assert rows["A-2"].unknown_s == 0


async def test_a_group_never_heard_of_is_silent_two_leases_after_the_watch_began(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    await _fleet(database, cipher, settings)
    lease = settings.scheduler.lease
    # No collector has ever run against this database: nobody to miss, nothing changes however long it lasts.
    idle = await _sweep(database, settings, T0 + 10 * settings.scheduler.stale_after)
    assert not idle.silent and not idle.faults.opened and not idle.status_changes
    # Once one has (of zone-a, gone since), a group nobody ever polled is silent too.
    async with database.unit_of_work() as session:
        await watch.beat(session, name="host:1:zone-a", poller_group="zone-a", now=T0 - 10 * lease)
    assert not (await _sweep(database, settings, T0 + lease)).silent
    found = await _sweep(database, settings, T0 + 2 * lease)
    assert found.silent == ["zone-a", "zone-b"]
    last_heard = {f.details["poller_group"]: f.details["last_heartbeat_at"] for f in found.faults.opened}
    assert last_heard == {"zone-a": (T0 - 10 * lease).isoformat(), "zone-b": None}
    # A collector of every group covers both.
    async with database.unit_of_work() as session:
        await watch.beat(session, name="host:9:*", poller_group=None, now=T0 + 3 * lease)
        health = await watch.group_health(session, now=T0 + 3 * lease, lease=lease)
    assert [(g.name, g.cameras, g.live_collectors, g.newest_result_at) for g in health] == [
        ("zone-a", 2, 1, T0),
        ("zone-b", 1, 1, T0),
    ]
    assert len((await _sweep(database, settings, T0 + 3 * lease)).faults.closed) == 2


async def test_two_watchers_on_postgresql_take_turns(
    database: Database, cipher: CredentialCipher, settings: Settings, engine_name: str
) -> None:
    """Several `camfleet serve` processes on one PostgreSQL database: one sweep at a time, never twin faults."""
    if engine_name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time by itself")
    await _fleet(database, cipher, settings)
    at = T0 + 3 * settings.scheduler.lease
    async with database.unit_of_work() as session:
        await watch.beat(session, name="host:1:zone-a", poller_group="zone-a", now=T0)
    async with database.unit_of_work() as first:
        found = await watch.sweep(first, now=at, settings=settings, watching_since=T0)
        async with database.unit_of_work() as second:
            waiting = await watch.sweep(second, now=at, settings=settings, watching_since=T0)
        assert found.silent == ["zone-a", "zone-b"] and len(found.faults.opened) == 2
        assert not waiting.silent and not waiting.faults.opened and not waiting.status_changes
    # Its turn over, the next sweep finds the faults open already and opens none.
    again = await _sweep(database, settings, at)
    assert again.silent == ["zone-a", "zone-b"] and not again.faults.opened
