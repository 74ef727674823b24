"""The fleet of fleet_day.py: cameras, the recorders that keep their footage and legal holds, bulk-inserted, and each
simulated hour's check outcomes shaped as the collectors and the poller shape them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text

from collectors.base import CheckResult, RecordingObservation, RecordingSeen
from config.checks import CheckKind
from config.recording import HISTORY
from config.settings import Settings
from fleet.cameras.models import Camera, CameraStatus, DeviceType, RecordedBy
from fleet.db import Database
from fleet.health.claims import ensure_check_states
from fleet.health.models import ErrorClass
from fleet.health.recording import Outcome
from fleet.recording.models import LegalHold
from scheduler.polling import observation_values

KINDS = (CheckKind.REACHABILITY, CheckKind.ONVIF_HEALTH)
MAKERS = (("Axis Communications", "AXIS"), ("Hikvision", "HIKVISION"), ("Bosch Security Systems", "Bosch"))
# Each recorder keeps the footage of this many cameras (the last one fewer).
CAMERAS_PER_RECORDER = 50
# One recorder in this many loses footage for a stretch of the day: gaps in the coverage, recording faults.
LOSING_EVERY = 20
# One camera in this many has footage kept past the maximum retention under two legal holds that abut.
HELD_EVERY = 500


@dataclass(frozen=True, slots=True)
class Recorder:
    """A recorder of the benchmark's fleet and the cameras (name, host) whose footage it keeps, in name order."""

    id: int
    index: int
    cameras: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Fleet:
    """Every polled device's id (recorders too), and the recorders."""

    device_ids: list[int]
    recorders: list[Recorder]


def _device(n: int, name: str, host: str) -> dict[str, Any]:
    return {
        "name": name,
        "host": host,
        "area": f"Wijk {n % 25:02d}",
        "site": f"Locatie {n % 400}",
        "poller_group": f"zone-{n % 4}",
        "declared_manufacturer": MAKERS[n % len(MAKERS)][0],
        "observed_manufacturer": MAKERS[n % len(MAKERS)][1],
        "latitude": 51.3 + (n % 1000) / 10000,
        "longitude": 6.1 + (n // 1000) / 10000,
        "installed_on": date(2015 + n % 10, 1 + n % 12, 1),
        "status": CameraStatus.UNKNOWN,
    }


async def register(database: Database, cameras: int, at: datetime) -> Fleet:
    """N in-service cameras and their recorders, bulk-inserted, with their check states and the legal holds."""
    recorders = [
        {**_device(r, f"NVR-{r:04d}", f"10.250.{r // 250}.{r % 250 + 1}"), "device_type": DeviceType.RECORDER}
        for r in range(-(-cameras // CAMERAS_PER_RECORDER))
    ]
    async with database.unit_of_work() as session:
        await session.execute(insert(Camera), recorders)
        ids = dict((await session.execute(select(Camera.name, Camera.id))).all())
    rows = [
        {
            **_device(n, f"DAY-{n:05d}", f"10.{n // 62500}.{n // 250 % 250}.{n % 250 + 1}"),
            "recorded_by": RecordedBy.RECORDER,
            "recorder_id": ids[f"NVR-{n // CAMERAS_PER_RECORDER:04d}"],
        }
        for n in range(cameras)
    ]
    async with database.unit_of_work() as session:
        for start in range(0, len(rows), 5000):
            await session.execute(insert(Camera), rows[start : start + 5000])
        held = [row["name"] for row in rows[::HELD_EVERY]]
        named = dict((await session.execute(select(Camera.name, Camera.id).where(Camera.name.in_(held)))).all())
        holds = [
            {
                "camera_id": named[name],
                "starts_at": at - timedelta(days=days[0]),
                "ends_at": at - timedelta(days=days[1]),
                "case_ref": f"PL2300-{n:010d}",
                "reason": "footage kept for an investigation",
                "placed_by": "benchmark",
            }
            for n, name in enumerate(held)
            for days in ((60, 30), (30, 5))
        ]
        if holds:
            await session.execute(insert(LegalHold), holds)
    if database.engine.dialect.name == "postgresql":
        # What autovacuum does after a bulk load. In the bulk insert's own transaction, without statistics, the
        # planner's anti-join for dropping check states no camera should have took longer than the statement time
        # limit at 50,000 cameras.
        async with database.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
            await connection.execute(text("ANALYZE cameras"))
    async with database.unit_of_work() as session:
        await ensure_check_states(session, now=at)
        device_ids = list((await session.scalars(select(Camera.id).order_by(Camera.id))).all())
    kept: dict[int, list[tuple[str, str]]] = {}
    for row in sorted(rows, key=lambda r: r["name"]):
        kept.setdefault(row["recorder_id"], []).append((row["name"], row["host"]))
    found = [Recorder(ids[r["name"]], n, tuple(kept[ids[r["name"]]])) for n, r in enumerate(recorders)]
    return Fleet(device_ids, found)


def recording_values(recorder: Recorder, at: datetime, loss: tuple[datetime, datetime] | None) -> dict[str, Any]:
    """The recorder's recording check as the poller stores it: one recording per camera (its channel as source
    token, the camera's name, its RTSP address), 14 to 27 days of footage, 45 under a legal hold; a recorder
    losing footage reports the recordings stopped since the loss began, then the loss as a gap in its history."""
    seen = []
    for name, host in recorder.cameras:
        number = int(name.rsplit("-", 1)[1])
        kept = 45 if number % HELD_EVERY == 0 else 14 + number % 14
        latest, job, gaps = at - timedelta(seconds=4), "active", ()
        if loss is not None and loss[0] < at:
            if at < loss[1]:
                latest, job, gaps = loss[0], "error", ((loss[0], at),)
            elif at - HISTORY < loss[1]:
                gaps = ((max(loss[0], at - HISTORY), loss[1]),)
        seen.append(
            RecordingSeen(
                token=f"REC-{name}",
                source_id=f"VideoSource_{number % CAMERAS_PER_RECORDER + 1}",
                source_name=name,
                source_address=f"rtsp://{host}:554/Streaming/Channels/101",
                earliest=at - timedelta(days=kept),
                latest=latest,
                job_state=job,
                gaps=gaps,
            )
        )
    observation = RecordingObservation(asked_at=at, recordings=tuple(seen), history_searched=True)
    result = CheckResult(CheckKind.RECORDING, f"NVR-{recorder.index:04d}", True, observation, None, at, 1.5)
    return observation_values(result)


def outcomes_of_hour(fleet: Fleet, hour: int, start: datetime, hours: int, settings: Settings) -> list[Outcome]:
    """Every device's reachability and ONVIF health result of one hour and every recorder's recording check, spread
    over that hour, in time order. One recorder in ``LOSING_EVERY`` loses footage from a quarter to half the day."""
    found = []
    intervals = {
        CheckKind.REACHABILITY: settings.scheduler.reachability_interval,
        CheckKind.ONVIF_HEALTH: settings.scheduler.health_interval,
    }
    for n, device_id in enumerate(fleet.device_ids):
        at = start + timedelta(hours=hour, seconds=n % 3600)
        down = n % 50 == 7 and 3 <= hour <= 6
        for kind in KINDS:
            found.append(
                Outcome(
                    camera_id=device_id,
                    kind=kind,
                    at=at,
                    ok=not down,
                    duration_s=0.05,
                    next_due_at=at + intervals[kind],
                    error_class=ErrorClass.UNREACHABLE if down else None,
                    error="connect: no route to host" if down else None,
                    values={"clock_drift_s": 0.4} if kind is CheckKind.ONVIF_HEALTH and not down else {},
                )
            )
    loss = start + timedelta(hours=hours / 4), start + timedelta(hours=hours / 2)
    for recorder in fleet.recorders:
        at = start + timedelta(hours=hour, seconds=(recorder.index * 97) % 3600)
        values = recording_values(recorder, at, loss if recorder.index % LOSING_EVERY == 3 else None)
        interval = settings.scheduler.recording_interval
        found.append(Outcome(recorder.id, CheckKind.RECORDING, at, True, 1.5, at + interval, values=values))
    return sorted(found, key=lambda o: o.at)
