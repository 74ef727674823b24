"""Scheduled polling end to end: simulated cameras over real sockets, the real collectors, both engines."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select

from collectors.base import CheckResult, RecordingObservation, RecordingSeen
from collectors.registry import Collectors
from config.checks import CheckKind
from config.settings import Settings
from fleet.audit.models import AuditEntry
from fleet.cameras.models import Camera, CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health.models import CheckState, StatusInterval
from scheduler.collecting import observation_values
from scheduler.polling import Poller
from simulator.fleet import SimulatedFleet
from tests.builders import register_file

COLUMNS = (
    "name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,username,password,"
    "snmp_version,snmp_community,snmp_user,snmp_auth_key,snmp_priv_key"
)
FLEET = f"""{COLUMNS}
AX-1,127.70.0.1,8080,1161,8554,Axis Communications,root,onvif-pass-1,2c,comm-axis,,,
HK-1,127.70.0.2,8080,1161,8554,Hikvision,admin,onvif-pass-2,2c,comm-hik,,,
DH-1,127.70.0.3,8080,1161,8554,Dahua,admin,onvif-pass-3,3,,ops,auth-pass-3,priv-pass-3
BO-1,127.70.0.4,8080,1161,8554,Bosch Security Systems,service,onvif-pass-4,,,,,
"""


@pytest_asyncio.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimulatedFleet]:
    path = tmp_path / "fleet.csv"
    path.write_text(FLEET)
    async with SimulatedFleet.from_csv(path, snapshot_size=(320, 180)) as simulated:
        yield simulated


@pytest_asyncio.fixture
async def poller(
    settings: Settings, database: Database, cipher: CredentialCipher, tmp_path: Path, fleet: SimulatedFleet
) -> AsyncIterator[Poller]:
    path = tmp_path / "fleet.csv"
    await register_file(database, cipher, path)
    # Short enough to keep offline cameras quick, long enough for a first identity round (WSDL loading included) on
    # a loaded two-core CI machine: at 2 s that round timed out once, and the stream and image checks then had no
    # media profile and failed.
    fast = settings.model_copy(
        update={"scheduler": settings.scheduler.model_copy(update={"device_timeout": timedelta(seconds=5)})}
    )
    async with Collectors(device_timeout=5.0) as collectors:
        yield Poller(database, fast, collectors, cipher, owner="test", rng=random.Random(1))


async def _cameras(database: Database) -> dict[str, Camera]:
    async with database.unit_of_work() as session:
        return {c.name: c for c in await session.scalars(select(Camera))}


async def test_one_round_records_identity_drift_and_status(
    poller: Poller, database: Database, fleet: SimulatedFleet
) -> None:
    await fleet.camera("HK-1").update(clock_offset_s=42.0)
    summary = await poller.tick(everything=True)
    # Reachability, two ONVIF checks, stream, image and security each; SNMP for the three with settings.
    assert summary.checks == 4 * 6 + 3
    found = await _cameras(database)
    assert {c.status for c in found.values()} == {CameraStatus.UP}
    assert found["AX-1"].observed_manufacturer == "AXIS"
    assert found["HK-1"].observed_manufacturer == "HIKVISION"
    assert found["HK-1"].observed_clock_drift_s == pytest.approx(42.0, abs=1.5)
    assert found["AX-1"].observed_snmp_enterprise == 368
    assert found["HK-1"].observed_snmp_enterprise == 39165  # no system group: found in the vendor subtree
    assert found["DH-1"].observed_uptime_s is not None  # SNMPv3 authPriv
    assert found["AX-1"].observed_mac is not None
    assert found["BO-1"].observed_snmp_enterprise is None  # no SNMP settings: not polled over SNMP
    counters = fleet.camera("AX-1").device.counters
    assert counters.snmp >= 1 and counters.onvif["GetSystemDateAndTime"] >= 1

    async with database.unit_of_work() as session:
        use = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "credential.use"))).all()
    assert use and all("onvif-pass" not in str(entry.after) for entry in use)


async def test_offline_camera_goes_down_after_three_failures_then_recovers(
    poller: Poller, database: Database, fleet: SimulatedFleet
) -> None:
    start = datetime.now(UTC)
    await poller.tick(now=start, everything=True)
    assert (await _cameras(database))["AX-1"].status is CameraStatus.UP
    await fleet.camera("AX-1").update(offline=True)
    for minute in (1, 2):
        await poller.tick(now=start + timedelta(minutes=minute), names=["AX-1"], everything=True)
        assert (await _cameras(database))["AX-1"].status is CameraStatus.UP  # soft: not yet
    await poller.tick(now=start + timedelta(minutes=3), names=["AX-1"], everything=True)
    found = await _cameras(database)
    assert found["AX-1"].status is CameraStatus.DOWN
    assert found["HK-1"].status is CameraStatus.UP

    await fleet.camera("AX-1").update(offline=False)
    for minute in (4, 5):
        await poller.tick(now=start + timedelta(minutes=minute), names=["AX-1"], everything=True)
    assert (await _cameras(database))["AX-1"].status is CameraStatus.UP
    async with database.unit_of_work() as session:
        camera_id = (await _cameras(database))["AX-1"].id
        intervals = (
            await session.scalars(
                select(StatusInterval).where(StatusInterval.camera_id == camera_id).order_by(StatusInterval.id)
            )
        ).all()
    assert [i.status for i in intervals] == [CameraStatus.UP, CameraStatus.DOWN, CameraStatus.UP]


async def test_wrong_credentials_degrade_and_due_times_follow_intervals(
    poller: Poller, database: Database, fleet: SimulatedFleet, settings: Settings
) -> None:
    await fleet.camera("DH-1").update(reject_auth=True)
    now = datetime.now(UTC)
    await poller.tick(now=now, everything=True)
    found = await _cameras(database)
    assert found["DH-1"].status is CameraStatus.DEGRADED  # the port answers; ONVIF refuses us
    async with database.unit_of_work() as session:
        states = (await session.scalars(select(CheckState).where(CheckState.camera_id == found["AX-1"].id))).all()
        failed = await session.scalar(
            select(CheckState).where(
                CheckState.camera_id == found["DH-1"].id, CheckState.kind == CheckKind.ONVIF_IDENTITY
            )
        )
    assert failed is not None and failed.last_error_class == "auth_failed"
    due = {s.kind: s.next_due_at - s.last_run_at for s in states if s.last_run_at}
    jitter = settings.scheduler.jitter
    for kind, interval in (
        (CheckKind.REACHABILITY, settings.scheduler.reachability_interval),
        (CheckKind.ONVIF_HEALTH, settings.scheduler.health_interval),
        (CheckKind.ONVIF_IDENTITY, settings.scheduler.identity_interval),
        (CheckKind.STREAM, settings.scheduler.health_interval),
        (CheckKind.IMAGE, settings.scheduler.image_interval),
    ):
        assert interval * (1 - jitter) <= due[kind] <= interval * (1 + jitter)
    # Nothing is due right after a round.
    assert (await poller.tick(now=now + timedelta(seconds=1))).checks == 0


def test_back_off_starts_only_after_the_failure_is_hard(poller: Poller) -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    poller._rng = random.Random(0)
    interval = poller.settings.scheduler.health_interval
    jitter = poller.settings.scheduler.jitter
    for failures_before, factor in ((0, 1), (1, 1), (2, 1), (3, 2), (4, 4)):
        due = poller.next_due(CheckKind.ONVIF_HEALTH, at, False, failures_before) - at
        assert interval * factor * (1 - jitter) <= due <= interval * factor * (1 + jitter)
    capped = poller.next_due(CheckKind.ONVIF_HEALTH, at, False, 40) - at
    assert poller.settings.scheduler.max_backoff * (1 - jitter) <= capped <= poller.settings.scheduler.max_backoff * 1.1


def test_reachability_backs_off_to_a_small_multiple_only(poller: Poller) -> None:
    """The check that decides up and down keeps near its pace however long the outage, so its end is seen soon."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    scheduler = poller.settings.scheduler
    interval, jitter = scheduler.reachability_interval, scheduler.jitter
    assert scheduler.reachability_max_backoff == 2.0
    for failures_before in (0, 2):  # not yet hard: the interval with jitter either way
        due = poller.next_due(CheckKind.REACHABILITY, at, False, failures_before) - at
        assert interval * (1 - jitter) <= due <= interval * (1 + jitter)
    # Hard: twice the interval less a tick and the confirmation of a repair, jittered only earlier, so a repaired
    # camera is up again within two intervals.
    longest = interval * 2 - scheduler.tick - scheduler.recovery_confirm
    assert scheduler.reachability_longest == longest == timedelta(seconds=105)
    for failures_before in (3, 4, 40, 10_000):
        due = poller.next_due(CheckKind.REACHABILITY, at, False, failures_before) - at
        assert longest * (1 - jitter) <= due <= longest
        assert due + scheduler.tick + scheduler.recovery_confirm <= scheduler.outage_edges
    assert scheduler.outage_edges == interval * 2


def test_a_success_ending_a_failure_is_confirmed_soon(poller: Poller) -> None:
    """The first success of a check that failed for real is checked again within scheduler.recovery_confirm; once the
    failure has ended (faults.successes_to_close successes), and while it has not, the usual pace applies."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    scheduler, faults = poller.settings.scheduler, poller.settings.faults
    assert faults.successes_to_close == 2 and scheduler.recovery_confirm < scheduler.reachability_interval
    for kind in (CheckKind.REACHABILITY, CheckKind.ONVIF_HEALTH, CheckKind.IMAGE):
        assert poller.next_due(kind, at, True, 0, recovering=0) - at == scheduler.recovery_confirm
        interval = poller._intervals[kind]
        for ok, recovering in ((True, None), (True, 1), (False, 0), (False, None)):
            due = poller.next_due(kind, at, ok, 0, recovering) - at
            assert interval * (1 - scheduler.jitter) <= due <= interval * (1 + scheduler.jitter)


async def test_metrics_show_statuses_and_poll_durations(poller: Poller, settings: Settings, database: Database) -> None:
    import httpx

    from api.app import create_app

    await poller.tick(everything=True)
    transport = httpx.ASGITransport(app=create_app(settings, database))
    async with httpx.AsyncClient(transport=transport, base_url="http://camfleet.test") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'camfleet_cameras{status="up"} 4.0' in text
    assert 'camfleet_poll_duration_seconds_count{kind="onvif_health"}' in text
    assert "camfleet_scheduler_lag_seconds_bucket" in text
    assert 'camfleet_checks_total{kind="snmp",result="ok"}' in text


async def test_poll_everything_runs_each_check_once_across_batches(
    poller: Poller, database: Database, fleet: SimulatedFleet
) -> None:
    poller.settings = poller.settings.model_copy(
        update={"scheduler": poller.settings.scheduler.model_copy(update={"batch_size": 2})}
    )
    fleet.reset_counters()
    summary = await poller.tick(everything=True)
    assert summary.checks == 27  # 4 cameras × 6 checks + 3 SNMP, in batches of 2, each once
    assert all(fleet.camera(name).device.counters.snmp <= 2 for name in ("AX-1", "HK-1", "DH-1"))


def test_back_off_after_days_of_failures_stays_at_its_cap(poller: Poller) -> None:
    """Thousands of failures in a row (a camera dead for days) must not overflow the doubling."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    scheduler = poller.settings.scheduler
    for kind, cap in (
        (CheckKind.REACHABILITY, scheduler.reachability_longest),
        (CheckKind.ONVIF_IDENTITY, scheduler.identity_interval),
        (CheckKind.ONVIF_HEALTH, scheduler.max_backoff),
    ):
        due = poller.next_due(kind, at, False, 10_000) - at
        assert cap * (1 - scheduler.jitter) <= due <= cap * (1 + scheduler.jitter)


def test_an_observation_is_stored_as_its_fields_json_safe_nested_included() -> None:
    at = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    seen = RecordingSeen("rec-1", "src", None, "10.0.0.1", at, None, "active", ((at, at + timedelta(minutes=5)),))
    result = CheckResult(CheckKind.RECORDING, "CAM-1", True, RecordingObservation(at, (seen,), True), None, at, 0.1)
    assert observation_values(result) == {
        "asked_at": at.isoformat(),
        "recordings": [
            {
                "token": "rec-1",
                "source_id": "src",
                "source_name": None,
                "source_address": "10.0.0.1",
                "earliest": at.isoformat(),
                "latest": None,
                "job_state": "active",
                "gaps": [[at.isoformat(), (at + timedelta(minutes=5)).isoformat()]],
            }
        ],
        "history_searched": True,
    }
