"""Killing every collector of a poller group: `camfleet serve` notices, its cameras become `unknown` and one
`collector_silent` fault opens and is delivered, within two leases. Real processes, both engines.

Short settings keep it quick: a 3 s lease, reachability every 2 s; the other checks are leased to nobody (they are
not what is measured). The cameras are TCP listeners on loopback addresses: reachability is a TCP connect.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import select, update

from config.checks import CheckKind
from config.settings import Settings
from fleet.alerts import service as alerts
from fleet.alerts.schemas import ChannelIn
from fleet.cameras.models import Camera, CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind
from fleet.health.claims import ensure_check_states
from fleet.health.models import CheckState, CollectorHeartbeat
from tests.builders import TEST_ACTOR, make_camera
from tests.peers.processes import CamfleetProcess, stop_all
from tests.peers.receivers import WebhookReceiver, free_port
from tests.peers.tcp import TcpListener
from tests.waiting import eventually

pytestmark = pytest.mark.processes

LEASE = timedelta(seconds=3)
HOSTS = ("127.73.0.1", "127.73.0.2")
API_HOST = "127.73.0.10"


@pytest_asyncio.fixture
async def cameras_answering() -> AsyncIterator[int]:
    """Two 'cameras' accepting TCP connections on one port (their ONVIF port)."""
    port = free_port()
    listeners = [TcpListener() for _ in HOSTS]

    async def hang_up(_reader: asyncio.StreamReader, _writer: asyncio.StreamWriter) -> None:
        return None

    for listener, host in zip(listeners, HOSTS, strict=True):
        await listener.start(hang_up, host, port)
    try:
        yield port
    finally:
        for listener in listeners:
            await listener.stop()


async def _zone(database: Database, cipher: CredentialCipher, port: int, receiver: WebhookReceiver) -> None:
    """Two cameras in zone-a polled only for reachability, and a channel that wants every alert."""
    async with database.unit_of_work() as session:
        for index, host in enumerate(HOSTS):
            await make_camera(session, cipher, name=f"Z-{index}", host=host, onvif_port=port, poller_group="zone-a")
        await alerts.create_channel(
            session, actor=TEST_ACTOR, data=ChannelIn(name="ops", url=receiver.url), service="json", cipher=cipher
        )
        now = datetime.now(UTC)
        await ensure_check_states(session, now=now)
        await session.execute(
            update(CheckState)
            .where(CheckState.kind != CheckKind.REACHABILITY)
            .values(lease_owner="test: not measured", lease_expires_at=now + timedelta(days=1))
        )


async def _statuses(database: Database) -> set[CameraStatus]:
    async with database.unit_of_work() as session:
        return set(await session.scalars(select(Camera.status)))


async def _last_beat(database: Database) -> datetime | None:
    async with database.unit_of_work() as session:
        return await session.scalar(select(CollectorHeartbeat.last_seen_at))


async def _silent(database: Database) -> list[Fault]:
    async with database.unit_of_work() as session:
        return list(await session.scalars(select(Fault).where(Fault.kind == FaultKind.COLLECTOR_SILENT)))


async def test_killing_every_collector_of_a_group_makes_it_unknown_and_opens_collector_silent(
    env: dict[str, str], database: Database, cipher: CredentialCipher, settings: Settings, cameras_answering: int
) -> None:
    env = {
        **env,
        "CAMFLEET_SECRET_KEY": settings.secret_key.get_secret_value() if settings.secret_key else "",
        "CAMFLEET_SCHEDULER__LEASE": f"{LEASE.total_seconds():.0f}s",
        "CAMFLEET_SCHEDULER__REACHABILITY_INTERVAL": "2s",
        "CAMFLEET_SCHEDULER__TICK": "1s",
        "CAMFLEET_SCHEDULER__JITTER": "0",
        "CAMFLEET_ALERTS__DISPATCH_INTERVAL": "1s",
        "CAMFLEET_ALERTS__GROUP_WINDOW": "0s",
    }
    processes: list[CamfleetProcess] = []
    async with WebhookReceiver() as receiver:
        await _zone(database, cipher, cameras_answering, receiver)
        tmp = settings.data_dir
        try:
            api = CamfleetProcess(env, tmp / "serve.log", "serve", "--no-scheduler", "--host", API_HOST,
                                  "--port", str(free_port()))  # fmt: skip
            collector = CamfleetProcess(env, tmp / "collector.log", "collector", "--group", "zone-a")
            processes += [api, collector]
            await asyncio.to_thread(collector.wait_for, "collector running", 90)
            await eventually(
                lambda: _statuses(database), lambda seen: seen == {CameraStatus.UP}, timeout=60, what="zone-a up"
            )
            await asyncio.to_thread(api.wait_for, "Uvicorn running", 90)
            watching = datetime.now(UTC)  # serve's watch has begun: it hears the collector's next beat
            await eventually(lambda: _last_beat(database), lambda seen: seen is not None and seen > watching,
                             timeout=30, what="a heartbeat after serve started")  # fmt: skip
            assert not await _silent(database)

            collector.process.send_signal(signal.SIGKILL)
            await asyncio.to_thread(collector.process.wait, 10)
            killed_at = datetime.now(UTC)
            [fault] = await eventually(lambda: _silent(database), timeout=60, what="a collector_silent fault")
            found = await eventually(
                lambda: _statuses(database), lambda seen: seen == {CameraStatus.UNKNOWN}, timeout=60, what="unknown"
            )
            assert found == {CameraStatus.UNKNOWN}
            await eventually(
                lambda: [p for p in receiver.posts if "zone-a" in str(p)], timeout=60, what="the alert, sent by serve"
            )
            assert api.running
        finally:
            stop_all(processes)
    last_beat = await _last_beat(database)
    async with database.unit_of_work() as session:
        since = set(await session.scalars(select(Camera.status_since)))
    assert last_beat is not None and last_beat <= killed_at
    # Within two leases of the last sign of life (which came before the kill): the fault, and the cameras' unknown
    # (dated from when their next check was due).
    assert fault.opened_at == last_beat + 2 * LEASE and fault.scope == "poller_group:zone-a"
    assert all(at is not None and at <= last_beat + 2 * LEASE for at in since)
