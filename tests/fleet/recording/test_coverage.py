"""Footage coverage arithmetic on hand-built spans: what a check saw, merged with what was kept, and the shares."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fleet.recording.coverage import Coverage, Piece, coverage_of, footage_seen, merge, subtract, union
from fleet.recording.rules import Recording

H = timedelta(hours=1)
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + hours * H


def recording(earliest: float | None, latest: float | None, gaps: list[tuple[float, float]] | None) -> Recording:
    return Recording(
        token="R",
        sources=(),
        earliest=None if earliest is None else at(earliest),
        latest=None if latest is None else at(latest),
        job_state="active",
        gaps=None if gaps is None else tuple((at(a), at(b)) for a, b in gaps),
    )


def test_union_and_subtract() -> None:
    assert union([(at(3), at(4)), (at(0), at(1)), (at(1), at(2)), (at(5), at(5))]) == [(at(0), at(2)), (at(3), at(4))]
    assert subtract([(at(0), at(10))], [(at(2), at(3)), (at(2.5), at(4)), (at(9), at(12))]) == [
        (at(0), at(2)),
        (at(4), at(9)),
    ]


def test_footage_seen_is_each_recording_less_its_gaps_within_the_window() -> None:
    window = (at(0), at(24))
    main = recording(-100, 20, [(2, 3), (10, 10.5)])  # stopped at 20 h: nothing after
    sub = recording(9, 24, [])  # a second stream covers 10–10.5 h
    assert footage_seen([main, sub], window) == [(at(0), at(2)), (at(3), at(24))]
    assert footage_seen([main], window) == [(at(0), at(2)), (at(3), at(10)), (at(10.5), at(20))]
    assert footage_seen([recording(None, None, None)], window) == []


def test_merge_keeps_footage_seen_once_and_joins_alike_pieces() -> None:
    kept = [Piece(at(0), at(5), True), Piece(at(5), at(6), False), Piece(at(6), at(10), True)]
    # A later check sees 4–14 h: footage 8–14 h only (4–8 h deleted meanwhile, say): what was seen stays seen.
    merged = merge(kept, (at(4), at(14)), [(at(8), at(14))])
    assert merged == [Piece(at(0), at(5), True), Piece(at(5), at(6), False), Piece(at(6), at(14), True)]
    # A window entirely without footage after a gap no check saw (14–20 h stays unseen).
    merged = merge(merged, (at(20), at(22)), [])
    assert merged[-1] == Piece(at(20), at(22), False)
    assert [(p.start, p.end) for p in merged if p.start >= at(14)] == [(at(20), at(22))]


@pytest.mark.parametrize(
    ("period", "recorded_h", "missing_h", "unobserved_h", "gaps"),
    [
        ((0, 24), 9.0, 1.0, 14.0, 1),  # 0–5 and 6–10 footage, 5–6 without, 10–24 nobody saw
        ((5.5, 7), 1.0, 0.5, 0.0, 1),
        ((10, 20), 0.0, 0.0, 10.0, 0),
    ],
)
def test_coverage_shares_are_exact(
    period: tuple[float, float], recorded_h: float, missing_h: float, unobserved_h: float, gaps: int
) -> None:
    pieces = [Piece(at(0), at(5), True), Piece(at(5), at(6), False), Piece(at(6), at(10), True)]
    found = coverage_of(pieces, (at(period[0]), at(period[1])))
    assert (found.recorded_s, found.missing_s, found.unobserved_s, found.gaps) == (
        recorded_h * 3600,
        missing_h * 3600,
        unobserved_h * 3600,
        gaps,
    )
    length = (period[1] - period[0]) * 3600
    assert found.recorded == recorded_h * 3600 / length
    assert found.recorded_max == (recorded_h + unobserved_h) * 3600 / length
    assert found.observed == (recorded_h + missing_h) * 3600 / length


def test_an_empty_period_has_no_shares() -> None:
    assert Coverage().recorded is None and Coverage().recorded_max is None and Coverage().observed is None
