"""Event subscriptions shared by two collectors of one poller group (127.121.3.x): one holds each camera's, a
stopping one hands them over, and the other subscribes in its place; both engines."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio
from sqlalchemy import select

from collectors.events import PullPointClient
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.events.models import EventSubscription
from scheduler.events import EventListener
from simulator.fleet import SimulatedFleet
from simulator.spec import CameraSpec
from tests.builders import make_camera
from tests.waiting import eventually

HOSTS = ("127.121.3.1", "127.121.3.2")


@pytest_asyncio.fixture
async def fleet() -> AsyncIterator[SimulatedFleet]:
    specs = [
        CameraSpec(name=f"HO-{n}", host=host, onvif_port=8080, rtsp_port=8554, snmp_port=1161)
        for n, host in enumerate(HOSTS)
    ]
    async with SimulatedFleet(specs, snapshot_size=(64, 36)) as running:
        yield running


def _listener(database: Database, settings: Settings, cipher: CredentialCipher, owner: str) -> EventListener:
    client = PullPointClient(1024 * 1024, timedelta(seconds=5))
    return EventListener(database, settings, cipher, client, owner=owner, poller_group="north")


async def _owners(database: Database) -> dict[int, str | None]:
    async with database.unit_of_work() as session:
        return {s.camera_id: s.lease_owner for s in await session.scalars(select(EventSubscription))}


async def test_one_collector_holds_each_subscription_and_hands_it_over_when_it_stops(
    database: Database, settings: Settings, cipher: CredentialCipher, fleet: SimulatedFleet
) -> None:
    async with database.unit_of_work() as session:
        for n, host in enumerate(HOSTS):
            await make_camera(session, cipher, name=f"HO-{n}", host=host, onvif_port=8080, poller_group="north")
        await make_camera(session, cipher, name="ELSEWHERE", host="127.121.3.9", poller_group="south")
    first, second = _listener(database, settings, cipher, "c-1"), _listener(database, settings, cipher, "c-2")
    try:
        await first.refresh()
        await second.refresh()
        assert len(first.following) == 2 and second.following == frozenset()
        assert set((await _owners(database)).values()) == {"c-1"}  # the other group's camera is not theirs
        await eventually(
            lambda: [c.device.events.created for c in fleet.cameras.values()],
            lambda created: created == [1, 1],
            timeout=30,
            what="one subscription per camera",
        )
        await first.stop()
        await second.refresh()
        assert len(second.following) == 2 and set((await _owners(database)).values()) == {"c-2"}
        await eventually(
            lambda: [c.device.events.created for c in fleet.cameras.values()],
            lambda created: created == [2, 2],
            timeout=30,
            what="the second collector subscribed in the first one's place",
        )
        # The first collector never unsubscribed (some firmwares would cancel every client's subscription).
        assert all(c.device.events.unsubscribed == 0 for c in fleet.cameras.values())
    finally:
        await first.stop()
        await second.stop()
