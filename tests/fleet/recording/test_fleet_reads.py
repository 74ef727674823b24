"""The footage reads over a whole fleet on both engines: the uptime report's recorded time and recording state and
the inventory's footage columns for more cameras than one IN list holds (``fleet.db.IN_CHUNK``), with no statement
binding more parameters than one list (PostgreSQL's asyncpg refuses more than 32,767; a fleet of 50,000 would)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, insert, select

from config.checks import CheckKind
from config.settings import Settings
from fleet.cameras.models import Camera, RecordedBy
from fleet.db import IN_CHUNK, Database
from fleet.health.models import CheckResult
from fleet.inventory.service import build_inventory
from fleet.recording.models import FootageSpan, LegalHold
from fleet.uptime.service import GroupBy, uptime_report

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
# More edge-recording cameras (each its own recording device) than one IN list holds.
CAMERAS = IN_CHUNK + 40


@contextmanager
def widest_statement(database: Database) -> Iterator[list[int]]:
    """Collects the number of parameters each statement binds while the block runs."""
    counts: list[int] = []

    def executed(_conn: object, _cursor: object, _statement: str, parameters: Any, *_rest: object) -> None:
        counts.append(len(parameters or ()))

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", executed)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", executed)


def _values(name: str, kept_days: float) -> dict[str, Any]:
    recording = {
        "token": f"REC-{name}",
        "source_id": name,
        "earliest": (NOW - kept_days * DAY).isoformat(),
        "latest": NOW.isoformat(),
        "job_state": "active",
        "gaps": [],
    }
    return {"asked_at": NOW.isoformat(), "recordings": [recording], "history_searched": True}


async def _fleet(database: Database) -> None:
    """CAMERAS edge cameras with an answer each (every tenth keeping 40 days, under two holds that abut for the
    first of them), and an hour of footage then an hour without for each."""
    names = [f"CAM-{n:04d}" for n in range(CAMERAS)]
    async with database.unit_of_work() as session:
        await session.execute(
            insert(Camera),
            [
                {"name": name, "host": f"10.9.{n // 250}.{n % 250 + 1}", "recorded_by": RecordedBy.EDGE}
                for n, name in enumerate(names)
            ],
        )
        ids = dict((await session.execute(select(Camera.name, Camera.id))).all())
        results = [
            {
                "camera_id": ids[name],
                "kind": CheckKind.RECORDING,
                "at": NOW,
                "ok": True,
                "duration_ms": 5.0,
                "values": _values(name, 40 if n % 10 == 0 else 14),
            }
            for n, name in enumerate(names)
        ]
        await session.execute(insert(CheckResult), results)
        spans = [
            {"camera_id": ids[name], "starts_at": NOW - (2 - hour) * timedelta(hours=1), "footage": hour == 0}
            for name in names
            for hour in (0, 1)
        ]
        await session.execute(
            insert(FootageSpan), [{**span, "ends_at": span["starts_at"] + timedelta(hours=1)} for span in spans]
        )
        holds = {"case_ref": "PL2300-2026000001", "reason": "investigation", "placed_by": "test"}
        await session.execute(
            insert(LegalHold),
            [
                {**holds, "camera_id": ids[names[0]], "starts_at": NOW - 45 * DAY, "ends_at": NOW - 30 * DAY},
                {**holds, "camera_id": ids[names[0]], "starts_at": NOW - 30 * DAY, "ends_at": NOW - 20 * DAY},
            ],
        )


async def test_the_uptime_report_reads_any_number_of_cameras_footage_in_bounded_statements(
    database: Database, settings: Settings
) -> None:
    await _fleet(database)
    with widest_statement(database) as counts:
        async with database.unit_of_work() as session:
            rows = await uptime_report(
                session, period=(NOW - DAY, NOW), by=GroupBy.CAMERA, now=NOW, recording=settings.recording
            )
    assert max(counts) <= IN_CHUNK + 20
    assert len(rows) == CAMERAS
    assert {(r.recorded_cameras, r.recorded_s, r.footage_missing_s, r.footage_gaps) for r in rows} == {
        (1, 3600.0, 3600.0, 1)
    }
    states = {r.key: r.recording_state for r in rows}
    # Held by two holds that abut: kept 40 days, but not beyond the maximum retention.
    assert states["CAM-0000"] == "recording"
    assert states["CAM-0010"] == "retention_exceeded"
    assert sum(state == "retention_exceeded" for state in states.values()) == CAMERAS // 10 - 1
    assert sum(state == "recording" for state in states.values()) == CAMERAS - CAMERAS // 10 + 1


async def test_the_inventory_reads_any_number_of_cameras_footage_in_bounded_statements(
    database: Database, settings: Settings
) -> None:
    await _fleet(database)
    with widest_statement(database) as counts:
        async with database.unit_of_work() as session:
            rows = await build_inventory(session, settings=settings, as_of=NOW.date())
    assert max(counts) <= IN_CHUNK + 20
    found = {r.values["name"]: (r.values["recorder"], r.values["recording_state"]) for r in rows}
    assert len(found) == CAMERAS
    assert found["CAM-0000"] == ("edge", "recording") and found["CAM-0010"] == ("edge", "retention_exceeded")
    assert {r.values["retention_days"] for r in rows} == {14.0, 40.0}
