"""Tickets on both engines: by policy in the fault transaction, maintenance, groups, reopening, alerts, history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from config.checks import CheckKind
from config.settings import Settings
from fleet.alerts import service as alerts
from fleet.alerts.models import Alert, AlertEvent
from fleet.alerts.schemas import ChannelIn
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.errors import InvalidInput, InvalidTransition
from fleet.faults.models import Fault, FaultKind
from fleet.health import recording
from fleet.health.claims import ensure_check_states
from fleet.health.models import ErrorClass
from fleet.maintenance import service as maintenance
from fleet.maintenance.schemas import MaintenanceWindowIn
from fleet.tickets import history, workflow
from fleet.tickets.models import Priority, RepairTicket, TicketEvent, TicketEventKind, TicketFault, TicketStatus
from fleet.users.models import Role
from scheduler.dispatcher import Dispatcher
from tests.builders import TEST_ACTOR, make_camera, make_user

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday
MIN = timedelta(minutes=1)
DAY = timedelta(days=1)


async def record(database: Database, settings: Settings, camera_ids: Sequence[int], minute: float, ok: bool) -> None:
    """One reachability result for each camera, recorded as one poll batch."""
    at = T0 + minute * MIN
    outcomes = [
        recording.Outcome(
            camera_id=camera_id,
            kind=CheckKind.REACHABILITY,
            at=at,
            ok=ok,
            duration_s=0.01,
            next_due_at=at + MIN,
            error_class=None if ok else ErrorClass.UNREACHABLE,
            error=None if ok else "connection refused",
        )
        for camera_id in camera_ids
    ]
    async with database.unit_of_work() as session:
        await ensure_check_states(session, now=T0)
        await recording.record(session, outcomes, settings=settings)


async def go_offline(database: Database, settings: Settings, camera_ids: Sequence[int], start: float = 0) -> None:
    """One good result, then three failures a minute apart: the offline fault opens at ``start + 3``."""
    await record(database, settings, camera_ids, start, True)
    for step in (1, 2, 3):
        await record(database, settings, camera_ids, start + step, False)


async def come_back(database: Database, settings: Settings, camera_ids: Sequence[int], start: float) -> None:
    for step in (0, 1):
        await record(database, settings, camera_ids, start + step, True)


async def all_tickets(database: Database) -> list[RepairTicket]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(RepairTicket).order_by(RepairTicket.id))).all())


async def fault_ids(database: Database, ticket_id: int) -> list[int]:
    async with database.unit_of_work() as session:
        rows = await session.scalars(
            select(TicketFault.fault_id).where(TicketFault.ticket_id == ticket_id).order_by(TicketFault.fault_id)
        )
        return list(rows.all())


async def add_channel(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        await alerts.create_channel(
            session,
            actor=TEST_ACTOR,
            data=ChannelIn.model_validate({"name": "service desk", "url": "json://127.0.0.1:9/hook"}),
            service="json",
            cipher=cipher,
        )


async def alerts_of(database: Database, event: AlertEvent) -> list[Alert]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(Alert).where(Alert.event == event).order_by(Alert.id))).all())


async def test_offline_fault_gets_a_p1_ticket_in_the_fault_transaction(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    await go_offline(database, settings, [camera.id])
    [ticket] = await all_tickets(database)
    opened_at = T0 + 3 * MIN
    assert (ticket.camera_id, ticket.status, ticket.priority) == (camera.id, TicketStatus.NEW, Priority.P1)
    # p1 runs on the wall clock: one hour to respond, eight to fix.
    assert (ticket.response_due_at, ticket.resolution_due_at) == (opened_at + 60 * MIN, opened_at + 480 * MIN)
    assert ticket.created_by == "system:tickets" and "offline" in ticket.title.lower()
    async with database.unit_of_work() as session:
        fault = await session.scalar(select(Fault))
        assert fault is not None
        assert await fault_ids(database, ticket.id) == [fault.id]
        assert await history.ticket_ids_for_faults(session, [fault.id]) == {fault.id: ticket.id}
    # Still offline, back, and offline again while the ticket is open: the same ticket, one more fault.
    await record(database, settings, [camera.id], 4, False)
    await come_back(database, settings, [camera.id], 5)
    await go_offline(database, settings, [camera.id], start=10)
    [same] = await all_tickets(database)
    assert same.id == ticket.id and same.reopened_count == 0
    assert len(await fault_ids(database, ticket.id)) == 2


async def test_no_ticket_during_maintenance_then_one_when_the_window_ends(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, area="Blerick")
        await maintenance.create(
            session,
            actor=TEST_ACTOR,
            data=MaintenanceWindowIn(starts_at=T0, ends_at=T0 + 30 * MIN, reason="mast", areas=["Blerick"]),
        )
    await go_offline(database, settings, [camera.id])
    assert await all_tickets(database) == []
    dispatcher = Dispatcher(database, settings, cipher, owner="test")
    await dispatcher.run_once(now=T0 + 10 * MIN)
    assert await all_tickets(database) == []  # the window still runs
    await dispatcher.run_once(now=T0 + 31 * MIN)
    [ticket] = await all_tickets(database)
    # The SLA clock starts when the window ends: time held back by maintenance is nobody's delay.
    assert ticket.response_due_at == T0 + 91 * MIN
    await dispatcher.run_once(now=T0 + 32 * MIN)
    assert len(await all_tickets(database)) == 1


async def test_a_fault_closed_during_maintenance_gets_no_ticket(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
        await maintenance.create(
            session,
            actor=TEST_ACTOR,
            data=MaintenanceWindowIn(starts_at=T0, ends_at=T0 + 30 * MIN, reason="firmware", camera_ids=[camera.id]),
        )
    await go_offline(database, settings, [camera.id])
    await come_back(database, settings, [camera.id], 10)
    await Dispatcher(database, settings, cipher, owner="test").run_once(now=T0 + 31 * MIN)
    assert await all_tickets(database) == []


async def test_suppressed_camera_faults_get_no_ticket_the_group_fault_does(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        ring = [await make_camera(session, cipher, poller_group="ring-a") for _ in range(6)]
    await go_offline(database, settings, [c.id for c in ring[:4]])
    [ticket] = await all_tickets(database)
    async with database.unit_of_work() as session:
        group = await session.scalar(select(Fault).where(Fault.kind == FaultKind.GROUP_OUTAGE))
        assert group is not None
    assert ticket.camera_id is None and ticket.priority is Priority.P1
    assert await fault_ids(database, ticket.id) == [group.id]
    await Dispatcher(database, settings, cipher, owner="test").run_once(now=T0 + 10 * MIN)
    assert len(await all_tickets(database)) == 1  # the sweep leaves suppressed faults alone too


async def test_reopened_when_the_same_fault_returns_within_the_window_new_ticket_after(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
        anna, _ = await make_user(session, Role.TECHNICIAN)
    await go_offline(database, settings, [camera.id])
    [ticket] = await all_tickets(database)
    async with database.unit_of_work() as session:
        await workflow.assign(
            session, actor=TEST_ACTOR, ticket_id=ticket.id, assignee_id=anna.id, now=T0 + 10 * MIN, settings=settings
        )
        await workflow.transition(
            session,
            actor=TEST_ACTOR,
            ticket_id=ticket.id,
            to=TicketStatus.IN_PROGRESS,
            now=T0 + 20 * MIN,
            settings=settings,
        )
        await workflow.resolve(session, actor=TEST_ACTOR, ticket_id=ticket.id, now=T0 + 60 * MIN, settings=settings)
    await come_back(database, settings, [camera.id], 50)
    two_days = 2 * 24 * 60
    await go_offline(database, settings, [camera.id], start=two_days)
    [reopened] = await all_tickets(database)
    assert reopened.id == ticket.id
    assert (reopened.status, reopened.assignee_id, reopened.reopened_count) == (TicketStatus.ASSIGNED, anna.id, 1)
    assert reopened.resolved_at is None
    # A fresh SLA from the reopening.
    assert reopened.response_due_at == T0 + (two_days + 3 + 60) * MIN
    assert len(await fault_ids(database, ticket.id)) == 2
    async with database.unit_of_work() as session:
        events = await history.history(session, ticket.id)
        assert [e.kind for e in events][-2:] == [TicketEventKind.REOPENED, TicketEventKind.LINKED]
        done = T0 + (two_days + 30) * MIN
        await workflow.transition(
            session, actor=TEST_ACTOR, ticket_id=ticket.id, to=TicketStatus.RESOLVED, now=done, settings=settings
        )
        await workflow.close(session, actor=TEST_ACTOR, ticket_id=ticket.id, now=done, settings=settings)
    await come_back(database, settings, [camera.id], two_days + 20)
    await go_offline(database, settings, [camera.id], start=two_days + 8 * 24 * 60)
    old, new = await all_tickets(database)
    assert old.status is TicketStatus.CLOSED and old.reopened_count == 1
    assert (new.status, new.assignee_id, new.camera_id) == (TicketStatus.NEW, None, camera.id)


async def test_assign_writes_a_ticket_assigned_alert_and_checks_the_assignee(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    await add_channel(database, cipher)
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
        tech, _ = await make_user(session, Role.TECHNICIAN)
        viewer, _ = await make_user(session, Role.VIEWER)
        gone, _ = await make_user(session, Role.TECHNICIAN)
        gone.is_active = False
    await go_offline(database, settings, [camera.id])
    [ticket] = await all_tickets(database)
    for user, reason in ((viewer, "assign a technician"), (gone, "not active")):
        with pytest.raises(InvalidInput, match=reason):
            async with database.unit_of_work() as session:
                await workflow.assign(
                    session, actor=TEST_ACTOR, ticket_id=ticket.id, assignee_id=user.id, now=T0, settings=settings
                )
    async with database.unit_of_work() as session:
        await workflow.assign(
            session, actor=TEST_ACTOR, ticket_id=ticket.id, assignee_id=tech.id, now=T0 + 5 * MIN, settings=settings
        )
    [alert] = await alerts_of(database, AlertEvent.TICKET_ASSIGNED)
    assert tech.username in alert.subject and alert.camera_id == camera.id and alert.fault_id is not None
    [assigned] = await all_tickets(database)
    assert (assigned.status, assigned.responded_at) == (TicketStatus.ASSIGNED, T0 + 5 * MIN)


async def test_sla_breach_writes_one_alert_per_target(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    # In English (alerts.language), where the other alert tests read the Dutch default.
    settings = settings.model_copy(update={"alerts": settings.alerts.model_copy(update={"language": "en"})})
    await add_channel(database, cipher)
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    await go_offline(database, settings, [camera.id])
    [ticket] = await all_tickets(database)
    dispatcher = Dispatcher(database, settings, cipher, owner="test")
    await dispatcher.run_once(now=ticket.response_due_at)
    assert await alerts_of(database, AlertEvent.SLA_BREACHED) == []  # due, not yet late
    for minutes in (1, 2, 30):
        await dispatcher.run_once(now=ticket.response_due_at + minutes * MIN)
    [response] = await alerts_of(database, AlertEvent.SLA_BREACHED)
    assert "response target missed" in response.subject
    # Due times in Amsterdam time, as technicians read them.
    assert "Response due" in response.body and ("CET" in response.body or "CEST" in response.body)
    for minutes in (1, 60):
        await dispatcher.run_once(now=ticket.resolution_due_at + minutes * MIN)
    breached = await alerts_of(database, AlertEvent.SLA_BREACHED)
    assert len(breached) == 2 and "resolution target missed" in breached[1].subject
    async with database.unit_of_work() as session:
        events = [e for e in await history.history(session, ticket.id) if e.kind is TicketEventKind.SLA_BREACHED]
    assert [e.to_value for e in events] == ["response", "resolution"]


async def test_invalid_transition_names_the_allowed_next_states(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    await go_offline(database, settings, [camera.id])
    [ticket] = await all_tickets(database)
    with pytest.raises(InvalidTransition) as raised:
        async with database.unit_of_work() as session:
            await workflow.close(session, actor=TEST_ACTOR, ticket_id=ticket.id, now=T0, settings=settings)
    assert (raised.value.current, raised.value.wanted, raised.value.allowed) == (
        "new",
        "closed",
        ["assigned", "resolved"],
    )
    with pytest.raises(InvalidInput, match="needs an assignee"):
        async with database.unit_of_work() as session:
            await workflow.transition(
                session, actor=TEST_ACTOR, ticket_id=ticket.id, to=TicketStatus.ASSIGNED, now=T0, settings=settings
            )


async def test_history_is_append_only(database: Database, cipher: CredentialCipher, settings: Settings) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    await go_offline(database, settings, [camera.id])
    [ticket] = await all_tickets(database)
    async with database.unit_of_work() as session:
        await workflow.comment(session, actor=TEST_ACTOR, ticket_id=ticket.id, text="mast checked", now=T0 + DAY)
        await workflow.add_part(
            session,
            actor=TEST_ACTOR,
            ticket_id=ticket.id,
            name="PoE injector",
            quantity=2,
            unit_cost_cents=4950,
            now=T0 + DAY,
        )
        await workflow.add_cost(
            session, actor=TEST_ACTOR, ticket_id=ticket.id, amount_cents=12000, text="call-out", now=T0 + DAY
        )
    async with database.unit_of_work() as session:
        before = [(e.id, e.kind, e.text) for e in await history.history(session, ticket.id)]
        stored = await session.get(RepairTicket, ticket.id)
        assert stored is not None and stored.cost_cents == 2 * 4950 + 12000
    assert [kind for _id, kind, _text in before] == [
        TicketEventKind.CREATED,
        TicketEventKind.LINKED,
        TicketEventKind.COMMENT,
        TicketEventKind.PART,
        TicketEventKind.COST,
    ]
    for statement in ("UPDATE ticket_events SET text = 'rewritten'", "DELETE FROM ticket_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.unit_of_work() as session:
                await session.execute(text(statement))
    async with database.unit_of_work() as session:
        await workflow.comment(session, actor=TEST_ACTOR, ticket_id=ticket.id, text="second visit", now=T0 + 2 * DAY)
        after = [(e.id, e.kind, e.text) for e in await history.history(session, ticket.id)]
        count = len((await session.scalars(select(TicketEvent))).all())
    assert after[: len(before)] == before and after[-1][2] == "second visit" and count == len(after)
