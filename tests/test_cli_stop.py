"""`camfleet serve` and `camfleet collector` stopped as systemd and container runtimes stop them (SIGTERM), or
with Ctrl-C: exit status 0 within seconds, and every check and alert the process had claimed given back at once."""

from __future__ import annotations

import asyncio
import signal
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fleet.alerts import service as alerts
from fleet.alerts.models import Alert, AlertEvent, AlertStatus
from fleet.alerts.schemas import ChannelIn
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Severity
from fleet.health.claims import claim_due
from fleet.health.models import CheckState
from tests.builders import TEST_ACTOR, make_camera
from tests.conftest import TEST_SECRET
from tests.peers.processes import CamfleetProcess
from tests.peers.receivers import WebhookReceiver, free_port
from tests.waiting import eventually

STOPS = [
    pytest.param(command, stop_signal, id=f"{command}-{stop_signal.name}")
    for command, stop_signal in [("collector", signal.SIGTERM), ("serve", signal.SIGTERM), ("serve", signal.SIGINT)]
]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes connections and never answers: a check of it runs until the device timeout."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        port: int = listener.getsockname()[1]
        yield port


async def _claimed_by(database: Database, pid: int) -> tuple[int, int]:
    """How many checks and how many alerts the process ``pid`` holds (its owner name is host:pid:group)."""
    owner = f"%:{pid}:%"
    async with database.unit_of_work() as session:
        checks = await session.scalar(select(func.count()).where(CheckState.lease_owner.like(owner)))
        claimed = await session.scalar(select(func.count()).where(Alert.claimed_by.like(owner)))
    return int(checks or 0), int(claimed or 0)


async def _hanging_alert(database: Database, cipher: CredentialCipher, url: str) -> None:
    """A channel whose receiver never answers, and one alert due for it now."""
    now = datetime.now(UTC)
    async with database.unit_of_work() as session:
        channel = await alerts.create_channel(
            session, actor=TEST_ACTOR, data=ChannelIn(name="hanging", url=url), service="json", cipher=cipher
        )
        session.add(
            Alert(
                key=str(uuid.uuid4()),
                channel_id=channel.id,
                event=AlertEvent.TEST,
                severity=Severity.WARNING,
                subject="stop test",
                body="sent while the service stops",
                not_before=now,
                next_attempt_at=now,
            )
        )


@pytest.mark.processes
@pytest.mark.parametrize(("command", "stop_signal"), STOPS)
async def test_a_stopped_service_gives_its_claims_back_and_exits_0(
    command: str,
    stop_signal: signal.Signals,
    database: Database,
    cipher: CredentialCipher,
    env: dict[str, str],
    silent_port: int,
    tmp_path: Path,
) -> None:
    async with database.unit_of_work() as session:
        for _ in range(3):
            await make_camera(session, cipher, host="127.0.0.1", onvif_port=silent_port, rtsp_port=silent_port)
    async with WebhookReceiver(mode="hang") as webhook:
        await _hanging_alert(database, cipher, webhook.url)
        service_env = {
            **env,
            "CAMFLEET_SECRET_KEY": TEST_SECRET,
            "CAMFLEET_SCHEDULER__DEVICE_TIMEOUT": "5m",
            "CAMFLEET_ALERTS__DISPATCH_INTERVAL": "1s",
        }
        args = ["serve", "--port", str(free_port())] if command == "serve" else ["collector"]
        service = CamfleetProcess(service_env, tmp_path / f"{command}.log", *args)
        try:
            pid = service.process.pid

            async def holding() -> bool:
                assert service.running, service.output()[-3000:]
                checks, claimed = await _claimed_by(database, pid)
                return checks > 0 and claimed > 0

            await eventually(holding, timeout=90, what=f"{command} to claim checks and an alert")
            service.process.send_signal(stop_signal)
            returncode = await asyncio.to_thread(service.process.wait, 15)
        finally:
            if service.running:
                service.kill()
    assert returncode == 0, service.output()[-3000:]
    assert "Traceback" not in service.output()
    assert await _claimed_by(database, pid) == (0, 0)
    async with database.unit_of_work() as session:
        [alert] = await session.scalars(select(Alert))
        # Given back, not failed: the attempt that was cut off does not count, and it is due again now.
        assert (alert.status, alert.attempts, alert.last_error) == (AlertStatus.PENDING, 0, None)
        # Another collector takes the checks over at once, without waiting for a lease to lapse.
        taken = await claim_due(session, now=datetime.now(UTC), owner="next", lease=timedelta(seconds=30), limit=100)
    assert taken


@pytest.mark.processes
async def test_an_interrupted_poll_gives_its_claims_back(
    database: Database, cipher: CredentialCipher, env: dict[str, str], silent_port: int, tmp_path: Path
) -> None:
    """Ctrl-C on `camfleet poll` while its checks wait on silent cameras: a one-line message, exit status 130, and
    the checks it claimed are at once free for the scheduler instead of after a lease."""
    async with database.unit_of_work() as session:
        for _ in range(3):
            await make_camera(session, cipher, host="127.0.0.1", onvif_port=silent_port, rtsp_port=silent_port)
    poll_env = {**env, "CAMFLEET_SECRET_KEY": TEST_SECRET, "CAMFLEET_SCHEDULER__DEVICE_TIMEOUT": "5m"}
    poll = CamfleetProcess(poll_env, tmp_path / "poll.log", "poll")
    try:
        pid = poll.process.pid

        async def holding() -> bool:
            assert poll.running, poll.output()[-3000:]
            checks, _alerts = await _claimed_by(database, pid)
            return checks > 0

        await eventually(holding, timeout=90, what="poll to claim checks")
        poll.process.send_signal(signal.SIGINT)
        returncode = await asyncio.to_thread(poll.process.wait, 15)
    finally:
        if poll.running:
            poll.kill()
    assert returncode == 130, poll.output()[-3000:]
    assert "interrupted" in poll.output() and "Traceback" not in poll.output()
    assert await _claimed_by(database, pid) == (0, 0)
