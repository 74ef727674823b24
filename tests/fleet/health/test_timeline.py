"""The camera page's status timeline: intervals clipped to the period and placed on a 0–1 scale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fleet.cameras.models import CameraStatus
from fleet.health.timeline import segments

START = datetime(2026, 3, 1, tzinfo=UTC)
END = START + timedelta(days=4)
DAY = timedelta(days=1)


def test_intervals_are_clipped_and_placed() -> None:
    found = segments(
        [
            (CameraStatus.DOWN, START + 2 * DAY, None),  # still open: runs to the end of the period
            (CameraStatus.UP, START - 3 * DAY, START + DAY),  # began before the period
            (CameraStatus.UNKNOWN, START - 5 * DAY, START - 4 * DAY),  # entirely before: left out
        ],
        start=START,
        end=END,
    )
    assert [(s.status, s.start, s.width) for s in found] == [
        (CameraStatus.UP, 0.0, 0.25),
        (CameraStatus.DOWN, 0.5, 0.5),
    ]
    assert found[0].started_at == START and found[1].ended_at == END


@pytest.mark.parametrize(
    ("began", "ended"),
    [(END, None), (END + DAY, END + 2 * DAY), (START - DAY, START), (START + DAY, START + DAY)],
)
def test_nothing_outside_or_empty_is_drawn(began: datetime, ended: datetime | None) -> None:
    assert segments([(CameraStatus.UP, began, ended)], start=START, end=END) == []
