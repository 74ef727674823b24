"""ONVIF events end to end: simulated cameras on 127.121.1.x, a collector's real jobs, both engines.

Default intervals throughout (the image check hourly): what happens within the deadlines below happens because an
event made it happen, not because a check fell due.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from onvif import ONVIFCamera
from sqlalchemy import select

from config.checks import CheckKind
from config.settings import Settings
from fleet.cameras.models import Camera
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.events.models import CameraEvent, EventCount, EventSubscription, SubscriptionStatus
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.health.models import CheckState
from scheduler.jobs import running_scheduler
from simulator.events import Topic
from simulator.fleet import SimulatedFleet
from simulator.state import ImageState
from tests.builders import register_file
from tests.waiting import eventually

PASSWORD = "gebeurtenis-7-Venlo"
FLEET = (
    "name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,username,password,cabinet_door_input\n"
    f"EV-TAMPER,127.121.1.1,8080,1161,8554,Axis Communications,admin,{PASSWORD},\n"
    f"EV-DOOR,127.121.1.2,8080,1161,8554,Hikvision,admin,{PASSWORD},DI_0\n"
    f"EV-NONE,127.121.1.3,8080,1161,8554,Dahua,admin,{PASSWORD},\n"
)
# Generous, for a machine loaded several times over; the image check alone would take an hour.
DEADLINE = 120.0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Reachability every 15 s instead of 60: the flood test waits for every other camera's next check, and a
    shorter interval only makes "on time" stricter."""
    scheduler = settings.scheduler.model_copy(update={"reachability_interval": timedelta(seconds=15)})
    return settings.model_copy(update={"scheduler": scheduler})


@pytest_asyncio.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimulatedFleet]:
    path = tmp_path / "fleet.csv"
    path.write_text(FLEET)
    async with SimulatedFleet.from_csv(path) as simulated:  # full-size pictures, as the image thresholds assume
        for camera in simulated.cameras.values():
            for state in (ImageState.NORMAL, ImageState.MOVED):
                simulated.scenes.base(camera.device.snapshotter.seed, state)
        await simulated.camera("EV-NONE").update(events=False)
        yield simulated


@pytest_asyncio.fixture
async def collector(
    settings: Settings, database: Database, cipher: CredentialCipher, tmp_path: Path, fleet: SimulatedFleet
) -> AsyncIterator[None]:
    await register_file(database, cipher, tmp_path / "fleet.csv")
    async with running_scheduler(settings, database, cipher, poller_group=None):
        await eventually(
            lambda: _first_round_done(database),
            timeout=DEADLINE,
            what="every check run once and the subscriptions settled",
        )
        yield


async def _first_round_done(database: Database) -> bool:
    async with database.unit_of_work() as session:
        states = (await session.scalars(select(CheckState))).all()
        subscriptions = {s.camera_id: s.status for s in await session.scalars(select(EventSubscription))}
    settled = {SubscriptionStatus.SUBSCRIBED, SubscriptionStatus.UNSUPPORTED}
    return bool(states) and all(s.last_run_at is not None for s in states) and set(subscriptions.values()) <= settled


async def _rows(database: Database, model: Any) -> list[Any]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(model))).all())


async def _open_faults(database: Database) -> dict[tuple[str, FaultKind], Fault]:
    async with database.unit_of_work() as session:
        names = {c.id: c.name for c in await session.scalars(select(Camera))}
        faults = await session.scalars(select(Fault).where(Fault.closed_at.is_(None)))
        return {(names[f.camera_id], f.kind): f for f in faults if f.camera_id is not None}


async def _subscriptions(database: Database) -> dict[str, EventSubscription]:
    async with database.unit_of_work() as session:
        names = {c.id: c.name for c in await session.scalars(select(Camera))}
        return {names[s.camera_id]: s for s in await session.scalars(select(EventSubscription))}


async def test_events_make_checks_run_now_and_open_their_faults(
    collector: None, database: Database, fleet: SimulatedFleet
) -> None:
    subscriptions = await _subscriptions(database)
    assert subscriptions["EV-TAMPER"].status is SubscriptionStatus.SUBSCRIBED
    # A camera without an events service is polled alone, asked again only after a day.
    assert subscriptions["EV-NONE"].status is SubscriptionStatus.UNSUPPORTED
    assert subscriptions["EV-NONE"].retry_at is not None and subscriptions["EV-NONE"].lease_owner is None

    # Turned away: the camera says so (GlobalSceneChange), the image check runs at once, and again, until the
    # fault opens on its results; the hourly interval would have taken an hour.
    tamper = fleet.camera("EV-TAMPER")
    snapshots = tamper.device.counters.snapshot
    await tamper.update(image="moved")
    await eventually(
        lambda: _open_faults(database),
        lambda faults: ("EV-TAMPER", FaultKind.IMAGE_MOVED) in faults,
        timeout=DEADLINE,
        what="image_moved opened by the event's image checks",
    )
    assert tamper.device.counters.snapshot >= snapshots + 3  # failures_to_open pictures, taken at once

    # The cabinet door: its mapped input opens cabinet_open (info) and closes it; another input is only counted.
    door = fleet.camera("EV-DOOR")
    door.raise_event(Topic.DIGITAL_INPUT, True, "DI_1")
    door.raise_event(Topic.DIGITAL_INPUT, True, "DI_0")
    faults = await eventually(
        lambda: _open_faults(database),
        lambda found: ("EV-DOOR", FaultKind.CABINET_OPEN) in found,
        timeout=DEADLINE,
        what="cabinet_open",
    )
    assert faults[("EV-DOOR", FaultKind.CABINET_OPEN)].severity is Severity.INFO
    door.raise_event(Topic.DIGITAL_INPUT, False, "DI_0")
    await eventually(
        lambda: _open_faults(database),
        lambda found: ("EV-DOOR", FaultKind.CABINET_OPEN) not in found,
        timeout=DEADLINE,
        what="cabinet_open closed with the door",
    )

    # A storage alarm is a fault of its own, naming the topic.
    await door.update(storage_failed=True)
    faults = await eventually(
        lambda: _open_faults(database),
        lambda found: ("EV-DOOR", FaultKind.HARDWARE_ALARM) in found,
        timeout=DEADLINE,
        what="hardware_alarm",
    )
    assert faults[("EV-DOOR", FaultKind.HARDWARE_ALARM)].details["topic"] == Topic.STORAGE_FAILURE.value

    counts = {(c.topic, c.camera_id) for c in await _rows(database, EventCount)}
    assert {topic for topic, _ in counts} >= {
        Topic.GLOBAL_SCENE_CHANGE.value,
        Topic.DIGITAL_INPUT.value,
        Topic.STORAGE_FAILURE.value,
    }
    events = await _rows(database, CameraEvent)
    assert {e.source for e in events if e.topic == Topic.DIGITAL_INPUT.value} == {"DI_0", "DI_1"}


async def test_a_camera_that_cancels_every_subscription_is_subscribed_again(
    collector: None, database: Database, fleet: SimulatedFleet, settings: Settings
) -> None:
    tamper = fleet.camera("EV-TAMPER")
    await tamper.update(events_cancel_all=True)
    created = tamper.device.events.created
    # Another client (a VMS) subscribes and unsubscribes: this firmware cancels ours with it.
    other = ONVIFCamera("127.121.1.1", 8080, "admin", PASSWORD, no_cache=True)
    try:
        await other.update_xaddrs()
        events = await other.create_events_service()
        answer = await events.CreatePullPointSubscription({"InitialTerminationTime": "PT60S"})
        other.xaddrs["http://www.onvif.org/ver10/events/wsdl/PullPointSubscription"] = (
            answer.SubscriptionReference.Address._value_1
        )
        await (await other.create_subscription_service("PullPointSubscription")).Unsubscribe()
    finally:
        await other.close()
    assert tamper.device.events.as_dict()["subscriptions"] == 0
    renewal = settings.events.subscription_time.total_seconds() * settings.events.renew_at
    await eventually(
        lambda: tamper.device.events.as_dict()["subscriptions"],
        timeout=renewal,
        what="a new subscription within one renewal period",
    )
    assert tamper.device.events.created == created + 2  # theirs, and ours again
    # And it works: an event is heard through the new subscription.
    tamper.raise_event(Topic.FAN_FAILURE, True)
    await eventually(
        lambda: _open_faults(database),
        lambda found: ("EV-TAMPER", FaultKind.HARDWARE_ALARM) in found,
        timeout=DEADLINE,
        what="hardware_alarm through the new subscription",
    )


async def test_a_flooding_camera_is_rate_limited_and_the_others_are_checked_on_time(
    collector: None, database: Database, fleet: SimulatedFleet, settings: Settings
) -> None:
    flood_started = datetime.now(UTC)
    await fleet.camera("EV-TAMPER").update(event_flood=1000)
    try:
        # Every other camera's reachability check runs again, twice, while the flood goes on.
        def ran_twice(states: list[CheckState]) -> bool:
            others = [s for s in states if s.kind is CheckKind.REACHABILITY and s.camera_id != tamper_id]
            return all(s.last_run_at is not None and s.last_run_at > flood_started for s in others)

        tamper_id = next(c.id for c in await _rows(database, Camera) if c.name == "EV-TAMPER")
        await eventually(
            lambda: _rows(database, CheckState),
            ran_twice,
            timeout=settings.scheduler.reachability_interval.total_seconds() * 3,
            what="the other cameras' reachability checks while one camera floods",
        )
        counts = await eventually(
            lambda: _rows(database, EventCount),
            lambda rows: any(c.camera_id == tamper_id and c.dropped > 0 for c in rows),
            timeout=DEADLINE,
            what="the flood counted, and its excess dropped",
        )
    finally:
        await fleet.camera("EV-TAMPER").update(event_flood=0)
    motion = next(c for c in counts if c.camera_id == tamper_id and c.topic == Topic.MOTION.value)
    assert motion.received > motion.dropped > 0
    kept = [e for e in await _rows(database, CameraEvent) if e.topic == Topic.MOTION.value]
    # No more kept than the rate limit allows since the subscription began (burst plus rate × time).
    elapsed = (datetime.now(UTC) - flood_started).total_seconds() + DEADLINE
    assert len(kept) <= settings.events.rate_burst + settings.events.rate_limit * elapsed
