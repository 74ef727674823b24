"""Footage coverage kept over time on both engines: recording checks' answers built by hand, merged, reported as
recorded time beside availability (per camera, per area, in the annual chapter's figures) and pruned."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from config.recording import RecordingSettings
from fleet.cameras import service as registry
from fleet.cameras.models import Camera
from fleet.cameras.schemas import RecorderCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.recording import footage
from fleet.recording.models import FootageSpan
from fleet.reports.uptime import uptime_document
from fleet.uptime import export
from fleet.uptime.service import GroupBy, uptime_report
from tests.builders import TEST_ACTOR, make_camera

H = 3600.0
T0 = datetime(2026, 3, 2, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def answer(
    device: Camera, asked: float, recordings: Sequence[tuple[str, float, float, list[tuple[float, float]]]]
) -> footage.Answer:
    """A recording check's stored values: per recording its source, earliest and latest data and gaps (hours)."""
    values = {
        "asked_at": at(asked).isoformat(),
        "history_searched": True,
        "recordings": [
            {
                "token": f"R-{source}",
                "source_id": source,
                "earliest": at(earliest).isoformat(),
                "latest": at(latest).isoformat(),
                "job_state": "active",
                "gaps": [[at(a).isoformat(), at(b).isoformat()] for a, b in gaps],
            }
            for source, earliest, latest, gaps in recordings
        ],
    }
    return footage.Answer(device.id, at(asked), values)


async def _fleet(session, cipher: CredentialCipher) -> dict[str, Camera]:  # type: ignore[no-untyped-def]
    nvr = await registry.create(
        session, actor=TEST_ACTOR, data=RecorderCreate(name="NVR-1", host="127.130.0.1"), cipher=cipher
    )
    found = {"NVR-1": nvr}
    for name, area, recorder in (("A", "North", "NVR-1"), ("B", "North", "NVR-1"), ("E", "South", "edge")):
        found[name] = await make_camera(
            session, cipher, name=name, area=area, recorder=recorder, host=f"127.130.0.{len(found) + 10}"
        )
    found["N"] = await make_camera(session, cipher, name="N", area="South", recorder="none", host="127.130.0.20")
    return found


async def test_recorded_time_per_camera_and_area_is_exact(database: Database, cipher: CredentialCipher) -> None:
    settings = RecordingSettings()
    async with database.unit_of_work() as session:
        cams = await _fleet(session, cipher)
        nvr, edge = cams["NVR-1"], cams["E"]
        devices = {nvr.id: nvr, edge.id: edge}
        first = answer(nvr, 24, [("A", -240, 24, [(2, 3)]), ("B", 12, 24, [])])
        # An answer without the history searched shows no gaps: nothing of it counts as seen.
        blind = footage.Answer(edge.id, at(24), {**answer(edge, 24, [("E", -120, 24, [])]).values})
        blind.values["history_searched"] = False  # type: ignore[index]
        second = answer(nvr, 48, [("A", -216, 48, [(30, 31)]), ("B", 12, 40, [])])
        edge_seen = answer(edge, 36, [("E", -100, 36, [])])
        assert await footage.observe(session, devices, [first, blind, second, edge_seen], settings) == 5
        # The same answer again changes nothing.
        await footage.observe(session, devices, [second], settings)
    async with database.unit_of_work() as session:
        period, now = (at(0), at(96)), at(72)  # the last day is still to come: no part of the period
        rows = {r.key: r for r in await uptime_report(session, period=period, by=GroupBy.CAMERA, now=now)}
        areas = {
            r.key: r for r in await uptime_report(session, period=period, by=GroupBy.AREA, now=now, recording=settings)
        }
    a, b, e, n = rows["A"], rows["B"], rows["E"], rows["N"]
    assert (a.recorded_s, a.footage_missing_s, a.footage_unobserved_s, a.footage_gaps) == (46 * H, 2 * H, 24 * H, 2)
    assert (b.recorded_s, b.footage_missing_s, b.footage_unobserved_s, b.footage_gaps) == (28 * H, 20 * H, 24 * H, 2)
    assert (e.recorded_s, e.footage_missing_s, e.footage_unobserved_s, e.footage_gaps) == (24 * H, 0.0, 48 * H, 0)
    assert (a.recorded, a.recorded_max, a.footage_observed) == (46 / 72, 70 / 72, 48 / 72)
    assert (e.recorded, e.recorded_max, e.footage_observed) == (24 / 72, 1.0, 24 / 72)
    # Not recorded at all: no footage figures, and it counts in no group's.
    assert (n.recorded_cameras, n.recorded, n.recorded_s) == (0, None, None)
    north, south = areas["North"], areas["South"]
    assert (north.recorded_cameras, north.recorded_s, north.footage_missing_s, north.footage_gaps) == (
        2,
        74 * H,
        22 * H,
        4,
    )
    assert north.recorded == 74 / 144 and north.footage_observed == 96 / 144
    assert (south.recorded_cameras, south.recorded) == (1, 24 / 72)
    # With the recording settings, the state the last recording check left (none stored here: not checked yet).
    assert north.recording_state == "unchecked: 2" and rows["A"].recording_state is None
    header = export.to_csv(list(areas.values())).decode("utf-8-sig").splitlines()[0]
    assert "recorded,recorded_max,footage_observed" in header


async def test_the_document_shows_recorded_time_and_the_longest_gaps(
    database: Database, cipher: CredentialCipher
) -> None:
    async with database.unit_of_work() as session:
        cams = await _fleet(session, cipher)
        nvr = cams["NVR-1"]
        await footage.observe(
            session, {nvr.id: nvr}, [answer(nvr, 24, [("A", -1, 24, [(5, 8)]), ("B", 0, 24, [])])], RecordingSettings()
        )
        document = await uptime_document(session, period=(at(0), at(24)), by=GroupBy.AREA, now=at(24), language="en")
    assert "Recorded time" in document.html and "The longest gaps in the footage" in document.html
    assert "Availability by network type" in document.html
    assert "93.75%" in document.html  # North: 45 of 48 hours with footage


async def test_coverage_is_pruned_after_its_retention(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        cams = await _fleet(session, cipher)
        nvr = cams["NVR-1"]
        devices = {nvr.id: nvr}
        await footage.observe(session, devices, [answer(nvr, 24, [("A", -1, 24, [])])], RecordingSettings())
        await footage.observe(session, devices, [answer(nvr, 72, [("A", -1, 72, [])])], RecordingSettings())
        # A's footage and B's span without (B has no recording), each of 0–24 h and 48–72 h.
        assert await footage.prune(session, before=at(30)) == 2
        left = await session.scalars(select(FootageSpan.starts_at).order_by(FootageSpan.id))
        assert [s.astimezone(UTC) for s in left] == [at(48), at(48)]
