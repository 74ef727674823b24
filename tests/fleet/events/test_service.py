"""Events recorded as evidence, on both engines: checks hurried, alarm and door faults, counts, the camera page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from config.checks import CheckKind
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.events.models import CameraEvent, EventCount
from fleet.events.service import Batch, Received, prune, record
from fleet.faults.models import Fault, FaultKind
from fleet.health.claims import ensure_check_states
from fleet.health.models import CheckState
from fleet.maintenance import service as maintenance
from fleet.maintenance.schemas import MaintenanceWindowIn
from tests.api import web
from tests.builders import TEST_ACTOR, make_camera

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DOOR = "tns1:Device/Trigger/DigitalInput"
STORAGE = "tns1:Device/HardwareFailure/StorageFailure"
SCENE = "tns1:VideoSource/GlobalSceneChange/ImagingService"


def _event(camera_id: int, topic: str, state: bool | None, source: str | None = None, at: datetime = NOW) -> Received:
    return Received(camera_id, topic, source, state, at, at - timedelta(hours=1))


async def _open(database: Database, camera_id: int) -> dict[FaultKind, Fault]:
    async with database.unit_of_work() as session:
        faults = await session.scalars(select(Fault).where(Fault.camera_id == camera_id, Fault.closed_at.is_(None)))
        return {f.kind: f for f in faults}


async def test_tamper_hurries_the_image_check_and_a_flood_of_it_hurries_once(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
        await ensure_check_states(session, now=NOW - timedelta(hours=2))
        for state in await session.scalars(select(CheckState).where(CheckState.camera_id == camera.id)):
            state.next_due_at = NOW + timedelta(hours=1)
    async with database.unit_of_work() as session:
        batch = Batch(kept=[_event(camera.id, SCENE, True)] * 50)
        await record(session, batch, now=NOW, settings=settings)
    async with database.unit_of_work() as session:
        states = {s.kind: s for s in await session.scalars(select(CheckState))}
    assert states[CheckKind.IMAGE].next_due_at == NOW and states[CheckKind.IMAGE].hurry_runs == 3
    # Only the check the event is about: the others keep their time.
    assert states[CheckKind.STREAM].next_due_at == NOW + timedelta(hours=1) and states[CheckKind.STREAM].hurry_runs == 0
    assert await _open(database, camera.id) == {}  # evidence, not a fault by itself


async def test_a_hardware_alarm_opens_with_its_topic_and_closes_when_the_camera_says_so(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    async with database.unit_of_work() as session:
        await record(session, Batch(kept=[_event(camera.id, STORAGE, True, "SD_DISK")]), now=NOW, settings=settings)
    fault = (await _open(database, camera.id))[FaultKind.HARDWARE_ALARM]
    assert fault.details == {"topic": STORAGE, "source": "SD_DISK"} and STORAGE in fault.summary
    # Another alarm's end does not close it; its own does.
    later = NOW + timedelta(minutes=5)
    async with database.unit_of_work() as session:
        fan = _event(camera.id, "tns1:Device/HardwareFailure/FanFailure", False, at=later)
        await record(session, Batch(kept=[fan]), now=later, settings=settings)
    assert FaultKind.HARDWARE_ALARM in await _open(database, camera.id)
    async with database.unit_of_work() as session:
        await record(session, Batch(kept=[_event(camera.id, STORAGE, False, at=later)]), now=later, settings=settings)
    assert await _open(database, camera.id) == {}


async def test_the_cabinet_door_opens_cabinet_open_outside_maintenance_only(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        wired = await make_camera(session, cipher, cabinet_door_input="DI_0")
        serviced = await make_camera(session, cipher, cabinet_door_input="DI_0")
        await maintenance.create(
            session,
            actor=TEST_ACTOR,
            data=MaintenanceWindowIn(
                starts_at=NOW - timedelta(hours=1),
                ends_at=NOW + timedelta(hours=1),
                reason="cabinet work",
                camera_ids=[serviced.id],
            ),
        )
    async with database.unit_of_work() as session:
        batch = Batch(
            kept=[
                _event(wired.id, DOOR, True, "DI_1"),  # not the door
                _event(wired.id, DOOR, True, "DI_0"),
                _event(serviced.id, DOOR, True, "DI_0"),
            ]
        )
        await record(session, batch, now=NOW, settings=settings)
    opened = (await _open(database, wired.id))[FaultKind.CABINET_OPEN]
    assert opened.severity.value == "info" and opened.details["source"] == "DI_0"
    assert await _open(database, serviced.id) == {}
    async with database.unit_of_work() as session:
        await record(session, Batch(kept=[_event(wired.id, DOOR, False, "DI_0")]), now=NOW, settings=settings)
    assert await _open(database, wired.id) == {}


async def test_events_are_counted_per_camera_and_topic_kept_then_pruned_and_shown(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    batch = Batch(kept=[_event(camera.id, DOOR, True, "DI_3"), _event(camera.id, DOOR, False, "DI_3")])
    batch.dropped[(camera.id, "tns1:RuleEngine/CellMotionDetector/Motion")] += 40
    async with database.unit_of_work() as session:
        await record(session, batch, now=NOW, settings=settings)
        await record(session, Batch(kept=[_event(camera.id, DOOR, True, "DI_3")]), now=NOW, settings=settings)
    async with database.unit_of_work() as session:
        counts = {c.topic: (c.received, c.dropped) for c in await session.scalars(select(EventCount))}
    assert counts == {DOOR: (3, 0), "tns1:RuleEngine/CellMotionDetector/Motion": (40, 40)}

    await web.people(database)
    async with web.client(settings, database) as pages:
        await web.login(pages, "viewer")
        page = await pages.get(f"/cameras/{camera.id}")
    assert page.status_code == 200 and "Gebeurtenissen" in page.text and "DI_3" in page.text

    async with database.unit_of_work() as session:
        assert await prune(session, before=NOW + timedelta(seconds=1)) == 3
        assert (await session.scalars(select(CameraEvent))).all() == []
        assert len((await session.scalars(select(EventCount))).all()) == 2  # the counts stay
