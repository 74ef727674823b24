"""How often a collector pulls a quiet camera's PullPoint (simulated cameras on 127.144.250.x): one long poll per
Timeout, never a burst of pulls before a renewal, never faster than once a second from a camera that answers at
once; and how many subscriptions it makes at once (cameras on 127.145.0.x); both engines."""

from __future__ import annotations

import asyncio
import resource
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from sqlalchemy import select

from collectors.events import PullPointClient
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.events.models import EventSubscription, SubscriptionStatus
from scheduler import events as events_module
from scheduler.events import EventListener
from simulator.camera import SimulatedCamera
from simulator.fleet import SimulatedFleet
from simulator.spec import CameraSpec
from tests.builders import make_camera
from tests.waiting import eventually

HOST = "127.144.250.1"


@pytest_asyncio.fixture
async def camera(database: Database, cipher: CredentialCipher) -> AsyncIterator[SimulatedCamera]:
    spec = CameraSpec(name="PULL-1", host=HOST, onvif_port=8080, rtsp_port=8554, snmp_port=1161)
    async with SimulatedFleet([spec], snapshot_size=(64, 36)) as running:
        async with database.unit_of_work() as session:
            await make_camera(session, cipher, name="PULL-1", host=HOST, onvif_port=8080)
        yield running.camera("PULL-1")


@pytest_asyncio.fixture
async def following(
    database: Database, settings: Settings, cipher: CredentialCipher, camera: SimulatedCamera
) -> AsyncIterator[EventListener]:
    """A listener following the camera, with a short subscription (renewed every 6 s) and 4 s pulls."""
    events = settings.events.model_copy(
        update={"subscription_time": timedelta(seconds=12), "pull_timeout": timedelta(seconds=4)}
    )
    client = PullPointClient(1024 * 1024, timedelta(seconds=5))
    listener = EventListener(
        database, settings.model_copy(update={"events": events}), cipher, client, owner="c-1", poller_group=None
    )
    try:
        await listener.refresh()
        yield listener
    finally:
        await listener.stop()


async def test_a_quiet_camera_is_pulled_once_per_timeout_and_renewed_without_a_burst_of_pulls(
    following: EventListener, camera: SimulatedCamera
) -> None:
    counters = camera.device.counters.onvif
    await eventually(lambda: counters["Renew"] >= 2, timeout=60, what="two renewals (every 6 s)")
    # Per 6-second renewal period: a 4 s pull and one for the second left before the renewal. The Timeout goes in
    # whole seconds: with under a second left, a pull would be PT0S, answered at once, again and again.
    assert counters["PullMessages"] <= 3 * (counters["Renew"] + 1)


async def test_a_camera_that_answers_every_pull_at_once_is_pulled_once_a_second(
    following: EventListener, camera: SimulatedCamera
) -> None:
    await camera.update(events_pull_cap_s=0)
    counters = camera.device.counters.onvif
    await eventually(lambda: counters["PullMessages"] >= 1, timeout=30, what="the first pull")
    before = counters["PullMessages"]
    await asyncio.sleep(3)
    assert 1 <= counters["PullMessages"] - before <= 5


async def test_a_camera_that_supports_shorter_pulls_is_pulled_as_long_as_it_says(
    database: Database, settings: Settings, cipher: CredentialCipher, camera: SimulatedCamera
) -> None:
    # Refused with its maximum (a PullMessagesFaultResponse): the same subscription is pulled that long from then on,
    # never subscribed again, and each pull is held for the maximum.
    await camera.update(events_pull_max_s=1)
    events = settings.events.model_copy(update={"pull_timeout": timedelta(seconds=30)})
    client = PullPointClient(1024 * 1024, timedelta(seconds=5))
    listener = EventListener(
        database, settings.model_copy(update={"events": events}), cipher, client, owner="c-1", poller_group=None
    )
    counters = camera.device.counters.onvif
    try:
        await listener.refresh()
        await eventually(lambda: counters["PullMessages"] >= 2, timeout=30, what="pulls after the refusal")
        before = counters["PullMessages"]
        await asyncio.sleep(3)
        held = counters["PullMessages"] - before
        following = listener.following
    finally:
        await listener.stop()
    assert camera.device.events.created == 1 and len(following) == 1
    assert 2 <= held <= 4  # each held for the camera's maximum, 1 s


@pytest.mark.parametrize(
    ("concurrency", "backing_off", "most"),
    [(2, False, 2), (10, True, 1)],
    ids=["first-subscriptions", "cameras-in-back-off-take-a-tenth"],
)
async def test_a_collector_makes_no_more_subscriptions_at_once_than_its_setting_and_the_wait_is_no_timeout(
    database: Database, settings: Settings, cipher: CredentialCipher, concurrency: int, backing_off: bool, most: int
) -> None:
    # Ten cameras answering CreatePullPointSubscription a second late, a device timeout of 2 s: the last cameras
    # wait several seconds for their turn, and none of that wait may count as a timeout. Cameras that failed twice
    # in a row (in back-off) take their turns from a tenth of the setting, so a dark group holds up no other.
    specs = [
        CameraSpec(name=f"SUB-{n}", host=f"127.145.0.{n}", onvif_port=8080, rtsp_port=8554, snmp_port=1161)
        for n in range(1, 11)
    ]
    events = settings.events.model_copy(update={"subscribe_concurrency": concurrency})
    client = PullPointClient(1024 * 1024, timedelta(seconds=2))
    async with SimulatedFleet(specs, snapshot_size=(64, 36)) as fleet:
        async with database.unit_of_work() as session:
            ids = [(await make_camera(session, cipher, name=s.name, host=s.host, onvif_port=8080)).id for s in specs]
        for spec in specs:
            await fleet.camera(spec.name).update(events_subscribe_delay_s=1)
        listener = EventListener(
            database, settings.model_copy(update={"events": events}), cipher, client, owner="c-1", poller_group=None
        )
        if backing_off:
            listener._failures.update(dict.fromkeys(ids, 2))
        try:
            await listener.refresh()
            brokers = [camera.device.events for camera in fleet.cameras.values()]
            await eventually(
                lambda: all(broker.created for broker in brokers), timeout=30, what="every camera subscribed"
            )
            await listener.flush()
        finally:
            await listener.stop()
    assert fleet.subscribing.most == most
    # Each camera subscribed once: a wait for a turn that counted against the device timeout would have failed
    # the last ones and subscribed them again.
    assert [broker.created for broker in brokers] == [1] * 10
    async with database.unit_of_work() as session:
        statuses = [row.status for row in await session.scalars(select(EventSubscription))]
    assert statuses == [SubscriptionStatus.SUBSCRIBED] * 10


async def test_a_collector_follows_no_more_cameras_than_its_limit_on_open_files_leaves(
    database: Database, settings: Settings, cipher: CredentialCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each followed camera holds a connection through its long poll: with room for three beside the checks' sockets
    # and the files kept for the rest, three of five cameras are followed and two left for another collector.
    room = 2 * settings.scheduler.concurrency + events_module._FILES_KEPT + 3
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (room, room))
    async with database.unit_of_work() as session:
        for n in range(1, 6):
            await make_camera(session, cipher, name=f"FILES-{n}", host=f"127.145.1.{n}", onvif_port=8080)
    client = PullPointClient(1024 * 1024, timedelta(seconds=2))
    listener = EventListener(database, settings, cipher, client, owner="c-1", poller_group=None)
    other = EventListener(database, settings, cipher, client, owner="c-2", poller_group=None)
    try:
        await listener.refresh()
        await other.refresh()
        first, second = listener.following, other.following
    finally:
        await listener.stop()
        await other.stop()
    assert len(first) == 3 and len(second) == 2 and not first & second
