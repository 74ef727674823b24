"""Alerts end to end with real receivers: SMTP (aiosmtpd) and a webhook; grouping, recovery, maintenance,
retries, and a dispatcher killed mid-delivery."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select

from config.checks import CheckKind
from config.settings import Settings
from fleet.alerts import service as alerts
from fleet.alerts.models import Alert, AlertEvent, AlertStatus
from fleet.alerts.schemas import ChannelIn
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.errors import InvalidInput
from fleet.faults.models import Fault
from fleet.health.claims import ensure_check_states
from fleet.health.models import ErrorClass
from fleet.health.recording import Outcome, record
from fleet.maintenance import service as maintenance
from fleet.maintenance.schemas import MaintenanceWindowIn
from notify.delivery import validate_url
from scheduler.dispatcher import Dispatcher
from tests.builders import TEST_ACTOR, make_camera
from tests.conftest import CAMFLEET
from tests.peers.receivers import SmtpReceiver, WebhookReceiver
from tests.waiting import eventually

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


@pytest.fixture
def fast(settings: Settings) -> Settings:
    alerts_settings = settings.alerts.model_copy(
        update={"retry_base": timedelta(seconds=10), "send_timeout": timedelta(seconds=5)}
    )
    return settings.model_copy(update={"alerts": alerts_settings})


@pytest_asyncio.fixture
async def webhook() -> AsyncIterator[WebhookReceiver]:
    async with WebhookReceiver() as receiver:
        yield receiver


async def add_channel(database: Database, cipher: CredentialCipher, url: str, **routing: object) -> int:
    async with database.unit_of_work() as session:
        channel = await alerts.create_channel(
            session,
            actor=TEST_ACTOR,
            data=ChannelIn.model_validate({"name": f"c-{len(url)}-{id(url)}", "url": url, **routing}),
            service=validate_url(url),
            cipher=cipher,
        )
        return channel.id


async def go_offline(database: Database, settings: Settings, camera_ids: list[int], *, start: int = 0) -> None:
    """Feed each camera one good result and then three failures, minute by minute."""
    for minute in range(start, start + 4):
        outcomes = [
            Outcome(
                camera_id=camera_id,
                kind=CheckKind.REACHABILITY,
                at=T0 + minute * MIN,
                ok=minute == start,
                duration_s=0.01,
                next_due_at=T0 + (minute + 1) * MIN,
                error_class=None if minute == start else ErrorClass.UNREACHABLE,
                error=None if minute == start else "connection refused",
            )
            for camera_id in camera_ids
        ]
        async with database.unit_of_work() as session:
            await ensure_check_states(session, now=T0)
            await record(session, outcomes, settings=settings)


async def come_back(database: Database, settings: Settings, camera_ids: list[int], minute: int) -> None:
    for step in (0, 1):
        outcomes = [
            Outcome(camera_id, CheckKind.REACHABILITY, T0 + (minute + step) * MIN, True, 0.01, T0 + (minute + 9) * MIN)
            for camera_id in camera_ids
        ]
        async with database.unit_of_work() as session:
            await record(session, outcomes, settings=settings)


async def test_fault_alert_by_mail_and_webhook_then_recovery(
    database: Database, cipher: CredentialCipher, fast: Settings, webhook: WebhookReceiver
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, name="VL-F012", location="Markt", area="Binnenstad")
    with SmtpReceiver() as smtp:
        await add_channel(database, cipher, smtp.url)
        await add_channel(database, cipher, webhook.url, areas=["Binnenstad"])
        await go_offline(database, fast, [camera.id])
        async with database.unit_of_work() as session:
            written = (await session.scalars(select(Alert))).all()
        assert [a.event for a in written] == [AlertEvent.FAULT_OPENED, AlertEvent.FAULT_OPENED]

        dispatcher = Dispatcher(database, fast, cipher, owner="test")
        early = await dispatcher.run_once(now=T0 + 3 * MIN)
        assert early.messages == 0  # the grouping window is still open
        summary = await dispatcher.run_once(now=T0 + 6 * MIN)
        assert (summary.messages, summary.delivered) == (2, 2)
        [mail] = await eventually(lambda: smtp.mails, timeout=10, what="the mail at the SMTP server")
        assert mail.subject.startswith("[camfleet] Storing: VL-F012: Camera niet bereikbaar")
        assert "VL-F012: offline" in mail.text  # the register's summary, with what was measured
        assert "Markt, Binnenstad" in mail.text and mail.message_id
        # In the technicians' language (alerts.language, Dutch by default): the severity in words too.
        assert "Ernst: " in mail.text
        [post] = webhook.posts
        assert "VL-F012" in post["title"] and webhook.message_ids()

        await come_back(database, fast, [camera.id], 10)
        await dispatcher.run_once(now=T0 + 20 * MIN)
        await eventually(lambda: smtp.mails, lambda seen: len(seen) == 2, timeout=10, what="the recovery mail")
        assert len(smtp.mails) == 2 and "hersteld na " in smtp.mails[1].subject
        assert len(webhook.posts) == 2


async def test_dead_switch_sends_one_message_naming_every_camera(
    database: Database, cipher: CredentialCipher, fast: Settings, webhook: WebhookReceiver
) -> None:
    async with database.unit_of_work() as session:
        ring = [await make_camera(session, cipher, poller_group="ring-a") for _ in range(24)]
    await add_channel(database, cipher, webhook.url)
    await go_offline(database, fast, [c.id for c in ring])
    await Dispatcher(database, fast, cipher, owner="test").run_once(now=T0 + 10 * MIN)
    [post] = webhook.posts
    assert "24 of 24 cameras in poller group ring-a" in post["message"]
    assert all(c.name in post["message"] for c in ring)


async def test_faults_opening_together_are_grouped_per_channel(
    database: Database, cipher: CredentialCipher, fast: Settings, webhook: WebhookReceiver
) -> None:
    async with database.unit_of_work() as session:
        cams = [await make_camera(session, cipher, poller_group=f"g{n}") for n in range(3)]
    await add_channel(database, cipher, webhook.url)
    await go_offline(database, fast, [c.id for c in cams])
    await Dispatcher(database, fast, cipher, owner="test").run_once(now=T0 + 10 * MIN)
    [post] = webhook.posts
    assert post["title"].startswith("[camfleet] Storing (3 meldingen, kritiek)")


async def test_maintenance_holds_alerts_until_the_window_ends(
    database: Database, cipher: CredentialCipher, fast: Settings, webhook: WebhookReceiver
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, area="Blerick")
        await maintenance.create(
            session,
            actor=TEST_ACTOR,
            data=MaintenanceWindowIn(starts_at=T0, ends_at=T0 + 30 * MIN, reason="mast", areas=["Blerick"]),
        )
    await add_channel(database, cipher, webhook.url)
    await go_offline(database, fast, [camera.id])
    dispatcher = Dispatcher(database, fast, cipher, owner="test")
    await dispatcher.run_once(now=T0 + 10 * MIN)
    assert webhook.posts == []  # silent during planned maintenance
    await dispatcher.run_once(now=T0 + 31 * MIN)  # window over, still offline: alerted now
    await dispatcher.run_once(now=T0 + 40 * MIN)
    assert len(webhook.posts) == 1 and "Camera niet bereikbaar" in webhook.posts[0]["title"]


async def test_escalation_of_unacknowledged_faults(
    database: Database, cipher: CredentialCipher, fast: Settings, webhook: WebhookReceiver
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    await add_channel(database, cipher, webhook.url)
    await go_offline(database, fast, [camera.id])
    dispatcher = Dispatcher(database, fast, cipher, owner="test")
    await dispatcher.run_once(now=T0 + 10 * MIN)
    await dispatcher.run_once(now=T0 + 40 * MIN)  # sweep writes the escalation
    await dispatcher.run_once(now=T0 + 45 * MIN)
    assert [p["title"].split(":")[0] for p in webhook.posts] == [
        "[camfleet] Storing",
        "[camfleet] Storing niet bevestigd (escalatie)",
    ]


async def test_unreachable_mail_server_is_retried_with_back_off(
    database: Database, cipher: CredentialCipher, fast: Settings
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    dead = "mailto://127.0.0.1:9?from=camfleet@venlo.test&to=t@venlo.test&mode=insecure"
    await add_channel(database, cipher, dead)
    await go_offline(database, fast, [camera.id])
    dispatcher = Dispatcher(database, fast, cipher, owner="test")
    first = await dispatcher.run_once(now=T0 + 10 * MIN)
    assert first.failed == 1
    async with database.unit_of_work() as session:
        [alert] = (await session.scalars(select(Alert))).all()
    assert alert.status is AlertStatus.PENDING and alert.attempts == 1 and alert.last_error
    assert "9" not in (alert.last_error or "").split("127.0.0.1")[0]
    assert alert.next_attempt_at >= T0 + 10 * MIN + fast.alerts.retry_base
    again = await dispatcher.run_once(now=T0 + 10 * MIN + fast.alerts.retry_base / 2)
    assert again.messages == 0  # backing off
    later = await dispatcher.run_once(now=alert.next_attempt_at + timedelta(seconds=1))
    assert later.failed == 1
    async with database.unit_of_work() as session:
        [alert] = (await session.scalars(select(Alert))).all()
    assert alert.attempts == 2 and alert.next_attempt_at - T0 > 10 * MIN + 2 * fast.alerts.retry_base


async def test_invalid_url_names_the_problem(database: Database, cipher: CredentialCipher) -> None:
    with pytest.raises(InvalidInput, match="url: .*Slack"):
        await add_channel(database, cipher, "slack://not-a-token")
    with pytest.raises(InvalidInput, match="url: an Apprise URL looks like"):
        await add_channel(database, cipher, "tech@venlo.nl")


@pytest.mark.usefixtures("database")
async def test_dispatcher_killed_mid_delivery_redelivers_with_the_same_id(
    database: Database, cipher: CredentialCipher, fast: Settings, database_url: str, tmp_path: Path
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    async with WebhookReceiver(mode="hang") as webhook:
        await add_channel(database, cipher, webhook.url, min_severity="info")
        await go_offline(database, fast, [camera.id])
        async with database.unit_of_work() as session:
            fault = await session.scalar(select(Fault))
            assert fault is not None and fault.alerted_at is not None  # no fault without its alert
            for alert in await session.scalars(select(Alert)):
                alert.not_before = alert.next_attempt_at = datetime.now(UTC) - MIN
        env = {
            **os.environ,
            "CAMFLEET_DATABASE_URL": database_url.replace("+aiosqlite", "").replace("+asyncpg", ""),
            "CAMFLEET_DATA_DIR": str(tmp_path),
            "CAMFLEET_SECRET_KEY": fast.secret_key.get_secret_value() if fast.secret_key else "",
            "CAMFLEET_ALERTS__DISPATCH_INTERVAL": "1s",
            "CAMFLEET_ALERTS__SEND_TIMEOUT": "2s",
            "CAMFLEET_SCHEDULER__TICK": "1h",
            "CAMFLEET_CONFIG": "",
        }

        def start() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [CAMFLEET, "collector"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )

        first = start()
        try:
            await webhook.wait_until_hanging(timeout=60)
            first.send_signal(signal.SIGKILL)  # dies with the delivery in flight
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        webhook.mode = "ok"
        second = start()

        async def statuses_now() -> set[AlertStatus]:
            async with database.unit_of_work() as session:
                return {a.status for a in await session.scalars(select(Alert))}

        try:
            statuses = await eventually(
                statuses_now, lambda seen: seen == {AlertStatus.DELIVERED}, timeout=60, what="the alert redelivered"
            )
        finally:
            second.terminate()
            second.wait(timeout=30)
        assert statuses == {AlertStatus.DELIVERED}
        ids = webhook.message_ids()
        assert len(ids) >= 2 and len(set(ids)) == 1  # delivered at least once; the redelivery is recognisable


async def test_dead_switch_noticed_over_several_batches_still_sends_one_message(
    database: Database, cipher: CredentialCipher, fast: Settings, webhook: WebhookReceiver
) -> None:
    async with database.unit_of_work() as session:
        ring = [await make_camera(session, cipher, poller_group="ring-b", site=f"mast-{n}") for n in range(6)]
    await add_channel(database, cipher, webhook.url)
    await go_offline(database, fast, [c.id for c in ring[:2]])  # two cameras first: not yet a pattern
    async with database.unit_of_work() as session:
        assert len((await session.scalars(select(Alert))).all()) == 2
    await go_offline(database, fast, [c.id for c in ring[2:4]], start=1)  # two more within the window
    await Dispatcher(database, fast, cipher, owner="test").run_once(now=T0 + 10 * MIN)
    [post] = webhook.posts
    assert "4 of 6 cameras in poller group ring-b" in post["message"]
    assert all(c.name in post["message"] for c in ring[:4])


async def test_a_site_going_dark_is_one_group_fault(
    database: Database, cipher: CredentialCipher, fast: Settings
) -> None:
    async with database.unit_of_work() as session:
        site = [await make_camera(session, cipher, poller_group=f"zone-{n}", site="Station") for n in range(4)]
    await go_offline(database, fast, [c.id for c in site])
    async with database.unit_of_work() as session:
        group = (await session.scalars(select(Fault).where(Fault.camera_id.is_(None)))).all()
    assert [g.scope for g in group] == ["site:Station"]


async def test_flapping_is_announced_when_it_starts_and_ends_with_the_current_state(
    database: Database, cipher: CredentialCipher, fast: Settings, webhook: WebhookReceiver
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, name="FLAP-1")
        await ensure_check_states(session, now=T0)
    await add_channel(database, cipher, webhook.url)
    pattern = [minute % 2 == 0 for minute in range(12)] + [True] * 30
    for minute, ok in enumerate(pattern):
        async with database.unit_of_work() as session:
            await record(
                session,
                [Outcome(camera.id, CheckKind.ONVIF_HEALTH, T0 + minute * MIN, ok, 0.01, T0 + (minute + 1) * MIN)],
                settings=fast,
            )
    async with database.unit_of_work() as session:
        events = [a.event for a in await session.scalars(select(Alert).order_by(Alert.id))]
        subjects = [a.subject for a in await session.scalars(select(Alert).order_by(Alert.id))]
    assert events[0] == AlertEvent.FLAPPING_STARTED and events[-1] == AlertEvent.FLAPPING_ENDED
    assert subjects[-1] == "FLAP-1: ONVIF-status weer stabiel; nu goed"


async def test_a_claim_taken_over_mid_delivery_is_recorded_by_its_new_holder_only(
    database: Database, cipher: CredentialCipher, fast: Settings
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    async with WebhookReceiver(mode="hang") as webhook:
        await add_channel(database, cipher, webhook.url)
        await go_offline(database, fast, [camera.id])
        slow = asyncio.create_task(Dispatcher(database, fast, cipher, owner="slow").run_once(now=T0 + 10 * MIN))
        await webhook.wait_until_hanging(timeout=30)
        webhook.mode = "ok"
        # The claim is committed and no transaction waits with the message: another dispatcher gets in at once,
        # and once the lease has lapsed it takes the alert over.
        lapsed = T0 + 10 * MIN + 2 * fast.alerts.send_timeout + MIN
        async with asyncio.timeout(3):
            taken_over = await Dispatcher(database, fast, cipher, owner="quick").run_once(now=lapsed)
        assert (taken_over.messages, taken_over.delivered) == (1, 1)
        timed_out = await slow  # its send times out; the alert is no longer its to record
        assert (timed_out.messages, timed_out.delivered, timed_out.failed) == (1, 0, 0)
    async with database.unit_of_work() as session:
        [alert] = (await session.scalars(select(Alert))).all()
    assert (alert.status, alert.attempts, alert.last_error, alert.claimed_by) == (AlertStatus.DELIVERED, 1, None, None)
    assert len(set(webhook.message_ids())) == 1
