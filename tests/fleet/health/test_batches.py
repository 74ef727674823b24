"""Recording priced per batch keeps the semantics of recording one outcome at a time, on both engines.

Many cameras failing in one batch give the same faults, tickets, alerts, statuses and status intervals as the same
outcomes recorded one transaction each; a poller group going dark in one batch gives its group fault, one ticket
and one alert per channel, and recovering in one batch closes them all. The faults, tickets and alerts of many
cameras are each written in one statement, not one per camera.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, select

from config.checks import CheckKind
from config.settings import Settings
from fleet.alerts import service as alerts
from fleet.alerts.models import Alert
from fleet.alerts.schemas import ChannelIn
from fleet.cameras.models import Camera, CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind
from fleet.health.claims import ensure_check_states
from fleet.health.models import CheckState, ErrorClass, StatusInterval
from fleet.health.recording import Outcome, record
from fleet.tickets.models import RepairTicket, TicketFault
from tests.builders import TEST_ACTOR, make_camera

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def _outcome(camera_id: int, kind: CheckKind, minute: int, ok: bool, **values: Any) -> Outcome:
    at = T0 + minute * MIN
    return Outcome(
        camera_id=camera_id,
        kind=kind,
        at=at,
        ok=ok,
        duration_s=0.01,
        next_due_at=at + MIN,
        error_class=None if ok else ErrorClass.UNREACHABLE,
        error=None if ok else "no answer",
        values=values,
    )


def _quick(settings: Settings) -> Settings:
    """One failure opens, one success closes: every batch below changes every camera it is about."""
    return settings.model_copy(
        update={"faults": settings.faults.model_copy(update={"failures_to_open": 1, "successes_to_close": 1})}
    )


async def _channel(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        await alerts.create_channel(
            session,
            actor=TEST_ACTOR,
            data=ChannelIn(name="control room", url="json://127.0.0.1:9/hook"),
            service="json",
            cipher=cipher,
        )


async def _setup(database: Database, cipher: CredentialCipher, groups: list[str]) -> list[Camera]:
    async with database.unit_of_work() as session:
        cameras = [await make_camera(session, cipher, poller_group=g, site=f"site of {g}") for g in groups]
        await ensure_check_states(session, now=T0)
    return cameras


def _minutes(at: datetime | None) -> float | None:
    return None if at is None else (at - T0) / MIN


async def _what_happened(database: Database, cameras: list[Camera]) -> dict[str, Any]:
    """Everything recording wrote about these cameras, with names replaced by their place in the list."""
    place = {c.id: n for n, c in enumerate(cameras)}
    names = {c.name: f"#{n}" for n, c in enumerate(cameras)}

    def plain(text: str) -> str:
        for name, mark in names.items():
            text = text.replace(name, mark)
        return text

    async with database.unit_of_work() as session:
        faults = (await session.scalars(select(Fault).where(Fault.camera_id.in_(place)).order_by(Fault.id))).all()
        links = dict((await session.execute(select(TicketFault.fault_id, TicketFault.ticket_id))).all())
        tickets = {t.id: t for t in await session.scalars(select(RepairTicket))}
        alerted = (await session.scalars(select(Alert).where(Alert.camera_id.in_(place)).order_by(Alert.id))).all()
        intervals = (await session.scalars(select(StatusInterval).where(StatusInterval.camera_id.in_(place)))).all()
        statuses = {c.id: (c.status, c.status_since) for c in await session.scalars(select(Camera))}
        states = (await session.scalars(select(CheckState).where(CheckState.camera_id.in_(place)))).all()
    return {
        "faults": sorted(
            (place[f.camera_id], f.kind, _minutes(f.opened_at), _minutes(f.closed_at), plain(f.summary))
            for f in faults
            if f.camera_id is not None
        ),
        "tickets": sorted(
            (place[f.camera_id], f.kind, plain(tickets[links[f.id]].title), tickets[links[f.id]].priority)
            for f in faults
            if f.id in links and f.camera_id is not None
        ),
        "alerts": sorted(
            (place[a.camera_id], a.event, a.severity, plain(a.subject)) for a in alerted if a.camera_id is not None
        ),
        # One at a time, a camera passes through the statuses between its checks' results for no time at all
        # (down, then degraded until its next check's result of the same minute, then up); a batch goes straight to
        # where the minute's results lead. The timeline is the same.
        "intervals": sorted(
            (place[i.camera_id], i.status, _minutes(i.started_at), _minutes(i.ended_at))
            for i in intervals
            if i.ended_at != i.started_at
        ),
        "statuses": sorted((place[i], s, _minutes(at)) for i, (s, at) in statuses.items() if i in place),
        "states": sorted(
            (place[s.camera_id], s.kind, s.hard_ok, _minutes(s.hard_since), s.streak, s.flap_history) for s in states
        ),
    }


def _script(cameras: list[Camera]) -> list[list[Outcome]]:
    """Minute by minute: all up; all unreachable (their health check failing too for every other one); all back,
    health first (one at a time, the other order would show a health fault for the moment between the two)."""
    reach, health = CheckKind.REACHABILITY, CheckKind.ONVIF_HEALTH
    return [
        [_outcome(c.id, kind, 0, True) for c in cameras for kind in (reach, health)],
        [
            _outcome(c.id, kind, 1, kind is health and n % 2 == 0)
            for n, c in enumerate(cameras)
            for kind in (reach, health)
        ],
        [_outcome(c.id, kind, 2, True) for c in cameras for kind in (health, reach)],
    ]


async def test_a_batch_records_what_one_by_one_records(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    quick = _quick(settings)
    # Every camera in a group and site of its own: no group outage, each fault stands on its own.
    await _channel(database, cipher)
    batched = await _setup(database, cipher, [f"batch-{n}" for n in range(8)])
    single = await _setup(database, cipher, [f"single-{n}" for n in range(8)])
    for minute in _script(batched):
        async with database.unit_of_work() as session:
            await record(session, minute, settings=quick)
    for minute in _script(single):
        for outcome in minute:
            async with database.unit_of_work() as session:
                await record(session, [outcome], settings=quick)
    as_batch, one_by_one = await _what_happened(database, batched), await _what_happened(database, single)
    assert as_batch == one_by_one
    offline = [f for f in as_batch["faults"] if f[1] is FaultKind.OFFLINE]
    assert len(offline) == 8 and all(f[3] == 2 for f in offline)  # opened at minute 1, closed at minute 2
    assert len(as_batch["tickets"]) >= 8 and len(as_batch["alerts"]) >= 16


async def test_a_group_going_dark_in_one_batch(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    quick = _quick(settings)
    await _channel(database, cipher)
    ring = await _setup(database, cipher, ["ring"] * 40)
    for minute, ok in ((0, True), (1, False), (2, True)):
        async with database.unit_of_work() as session:
            summary = await record(
                session, [_outcome(c.id, CheckKind.REACHABILITY, minute, ok) for c in ring], settings=quick
            )
        assert {c.new for c in summary.status_changes} == {CameraStatus.UP if ok else CameraStatus.DOWN}
        assert len(summary.status_changes) == 40
        if minute == 1:
            assert len(summary.faults.opened) == 41 and len(summary.faults.suppressed) == 40
    async with database.unit_of_work() as session:
        faults = (await session.scalars(select(Fault).order_by(Fault.id))).all()
        tickets = (await session.scalars(select(RepairTicket))).all()
        alerted = (await session.scalars(select(Alert).order_by(Alert.id))).all()
    group = [f for f in faults if f.kind is FaultKind.GROUP_OUTAGE]
    offline = [f for f in faults if f.kind is FaultKind.OFFLINE]
    assert len(group) == 1 and group[0].scope == "poller_group:ring"
    assert group[0].details["cameras"] == sorted(c.name for c in ring)
    assert len(offline) == 40 and all(f.suppressed_by_id == group[0].id for f in offline)
    assert all(f.closed_at == T0 + 2 * MIN for f in faults)
    # One ticket, for the group fault; one alert when it opened and one when it closed, on the one channel.
    assert [t.title for t in tickets] == [group[0].summary]
    assert [(a.fault_id, a.event.value) for a in alerted] == [
        (group[0].id, "fault_opened"),
        (group[0].id, "fault_closed"),
    ]


async def test_many_cameras_faults_tickets_and_alerts_are_written_in_one_statement_each(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    quick = _quick(settings)
    await _channel(database, cipher)
    cameras = await _setup(database, cipher, [f"apart-{n}" for n in range(12)])
    inserts: Counter[str] = Counter()

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if found := re.match(r"\s*INSERT INTO (\w+)", statement):
            inserts[found.group(1)] += 1

    event.listen(database.engine.sync_engine, "before_cursor_execute", seen)
    try:
        for minute in _script(cameras)[:2]:
            inserts.clear()
            async with database.unit_of_work() as session:
                summary = await record(session, minute, settings=quick)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", seen)
    assert len(summary.faults.opened) >= 12
    async with database.unit_of_work() as session:
        assert len((await session.scalars(select(RepairTicket))).all()) == len(summary.faults.opened)
    written = ("faults", "repair_tickets", "ticket_faults", "ticket_events", "audit_log", "alerts")
    assert {table: inserts[table] for table in written} == dict.fromkeys(written, 1)
