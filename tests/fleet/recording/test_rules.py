"""The recording rules over constructed answers: which recording is whose, and each fault's threshold exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config.recording import RecordingSettings
from fleet.faults.models import FaultKind
from fleet.recording.rules import Recorded, judge

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)
SETTINGS = RecordingSettings()  # minimum 7 days, maximum 28 + 1 day, stopped after 30 min, gaps over 10 min


def _camera(name: str = "CAM-1", host: str = "10.0.0.1", **retention: timedelta) -> Recorded:
    return Recorded(
        camera_id=1,
        name=name,
        host=host,
        retention_min=retention.get("minimum", SETTINGS.retention_min),
        retention_max=retention.get("maximum", SETTINGS.retention_max),
    )


def _recording(
    *,
    source: str = "CAM-1",
    address: str = "",
    kept: timedelta = 14 * DAY,
    stale: timedelta = timedelta(0),
    job: str | None = "active",
    gaps: list[tuple[datetime, datetime]] | None = None,
) -> dict[str, Any]:
    return {
        "token": f"REC-{source}",
        "source_id": source,
        "source_name": None,
        "source_address": address,
        "earliest": (NOW - kept).isoformat(),
        "latest": (NOW - stale).isoformat(),
        "job_state": job,
        "gaps": None if gaps is None else [[a.isoformat(), b.isoformat()] for a, b in gaps],
    }


def _faults(*recordings: dict[str, Any], camera: Recorded | None = None, edge: bool = False) -> set[FaultKind]:
    values = {"asked_at": NOW.isoformat(), "recordings": list(recordings), "history_searched": True}
    verdict = judge(values, [camera or _camera()], SETTINGS, edge=edge)
    return {kind for kind, names in verdict.cameras.items() if names}


def test_healthy_footage_has_no_fault() -> None:
    assert _faults(_recording(gaps=[(NOW - 5 * HOUR, NOW - 5 * HOUR + 10 * MINUTE)])) == set()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"stale": 30 * MINUTE}, set()),
        ({"stale": 30 * MINUTE + timedelta(seconds=1)}, {FaultKind.RECORDING_STOPPED}),
        ({"job": "idle"}, {FaultKind.RECORDING_STOPPED}),
        ({"job": "error"}, {FaultKind.RECORDING_STOPPED}),
        ({"job": None}, {FaultKind.RECORDING_STOPPED}),
        ({"job": "partiallyactive"}, set()),
        ({"kept": 7 * DAY}, set()),
        ({"kept": 7 * DAY - MINUTE}, {FaultKind.RETENTION_SHORT}),
        ({"kept": 29 * DAY}, set()),
        ({"kept": 29 * DAY + MINUTE}, {FaultKind.RETENTION_EXCEEDED}),
        ({"gaps": [(NOW - 5 * HOUR, NOW - 5 * HOUR + 10 * MINUTE + timedelta(seconds=1))]}, {FaultKind.RECORDING_GAP}),
        # Missing data after the newest footage is the recording stopping, not a gap.
        ({"stale": 2 * HOUR, "gaps": [(NOW - 2 * HOUR, NOW)]}, {FaultKind.RECORDING_STOPPED}),
    ],
)
def test_each_threshold(change: dict[str, Any], expected: set[FaultKind]) -> None:
    assert _faults(_recording(**change)) == expected


def test_a_camera_without_a_recording_is_not_recorded_and_matching_uses_name_or_address() -> None:
    assert _faults(_recording(source="OTHER")) == {FaultKind.RECORDING_STOPPED}
    by_address = _recording(source="channel 1", address="rtsp://admin@10.0.0.1:554/ch1")
    assert _faults(by_address) == set()
    values = {"asked_at": NOW.isoformat(), "recordings": [by_address], "history_searched": True}
    assert judge(values, [_camera()], SETTINGS, edge=False).mapping == {"CAM-1": ["REC-channel 1"]}
    # On an edge camera every recording of the device is its own, whatever the source says.
    assert _faults(_recording(source="whatever"), edge=True) == set()


def test_a_camera_retention_overrides_the_settings() -> None:
    strict = _camera(minimum=20 * DAY, maximum=20 * DAY)
    assert _faults(_recording(kept=14 * DAY), camera=strict) == {FaultKind.RETENTION_SHORT}
    assert _faults(_recording(kept=22 * DAY), camera=strict) == {FaultKind.RETENTION_EXCEEDED}


def test_a_legal_hold_covering_the_excess_exempts_it_from_the_maximum() -> None:
    old = _recording(kept=40 * DAY)  # footage from 40 days ago; only the last 28 may be kept
    exceeded = {FaultKind.RETENTION_EXCEEDED}

    def held(*periods: tuple[datetime, datetime]) -> Recorded:
        return Recorded(1, "CAM-1", "10.0.0.1", SETTINGS.retention_min, SETTINGS.retention_max, holds=periods)

    assert _faults(old, camera=held((NOW - 41 * DAY, NOW - 27 * DAY))) == set()
    # A hold must cover all the footage older than allowed: from its earliest to 28 days ago.
    assert _faults(old, camera=held((NOW - 35 * DAY, NOW - 27 * DAY))) == exceeded
    assert _faults(old, camera=held((NOW - 41 * DAY, NOW - 30 * DAY))) == exceeded
    assert _faults(old, camera=held()) == exceeded
    # Holds that abut or overlap cover what they cover together (two cases on the same footage, one after another).
    assert _faults(old, camera=held((NOW - 41 * DAY, NOW - 33 * DAY), (NOW - 33 * DAY, NOW - 27 * DAY))) == set()
    assert _faults(old, camera=held((NOW - 30 * DAY, NOW - 27 * DAY), (NOW - 41 * DAY, NOW - 29 * DAY))) == set()
    assert _faults(old, camera=held((NOW - 41 * DAY, NOW - 34 * DAY), (NOW - 33 * DAY, NOW - 27 * DAY))) == exceeded
