"""Uptime arithmetic on constructed histories, with exact expected figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from config.zone import LOCAL as AMS
from fleet.uptime.calc import Figures, Interval, camera_figures, days, merge, subtract

H = 3600.0


def t(day: int, hour: float = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC) + timedelta(hours=hour)


PERIOD = (t(1), t(11))  # ten days of March 2026
NOW = t(20)


def test_up_all_period() -> None:
    figures = camera_figures([Interval("up", t(1), None)], period=PERIOD, now=NOW)
    assert (figures.availability, figures.downtime_s, figures.outages, figures.unknown_s) == (1.0, 0, 0, 0)
    assert figures.mttr_s is None and figures.mtbf_s is None


def test_outage_across_the_period_start_and_end() -> None:
    history = [
        Interval("down", t(28, month=2), t(1, 6)),  # began before the period: only 6 h count
        Interval("up", t(1, 6), t(10, 20)),
        Interval("down", t(10, 20), None),  # still down after the period ends: 4 h count
    ]
    figures = camera_figures(history, period=PERIOD, now=NOW)
    assert figures.downtime_s == 10 * H and figures.outages == 2
    assert figures.longest_outage_s == 6 * H
    assert figures.up_s == 230 * H and figures.availability == pytest.approx(230 / 240)
    assert figures.mttr_s == 5 * H and figures.mtbf_s == 115 * H


def test_overlapping_maintenance_windows_count_once_and_are_never_downtime() -> None:
    history = [Interval("up", t(1), t(3)), Interval("down", t(3), t(4)), Interval("up", t(4), None)]
    windows = [(t(2, 20), t(3, 12)), (t(3, 6), t(3, 18)), (t(9), t(9, 1))]
    figures = camera_figures(history, period=PERIOD, now=NOW, maintenance=windows)
    # Maintenance: 2nd 20:00 – 3rd 18:00 (22 h) + 1 h. The outage keeps 3rd 18:00 – 4th 00:00 (6 h).
    assert figures.maintenance_s == 23 * H
    assert figures.downtime_s == 6 * H and figures.outages == 1
    assert figures.availability == pytest.approx((240 - 23 - 6) / (240 - 23))


def test_maintenance_cutting_an_outage_in_two_counts_two_pieces() -> None:
    history = [Interval("up", t(1), t(5)), Interval("down", t(5), t(5, 10)), Interval("up", t(5, 10), None)]
    figures = camera_figures(history, period=PERIOD, now=NOW, maintenance=[(t(5, 4), t(5, 6))])
    assert (figures.outages, figures.downtime_s, figures.longest_outage_s) == (2, 8 * H, 4 * H)


def test_monitoring_gaps_are_unknown_never_downtime() -> None:
    history = [Interval("up", t(1), t(2)), Interval("up", t(3), t(4)), Interval("down", t(4), t(4, 12))]
    figures = camera_figures(history, period=PERIOD, now=t(4, 12))  # nothing known after 4th noon either
    assert figures.unknown_s == 24 * H + (240 - 84) * H
    assert figures.downtime_s == 12 * H
    assert figures.availability == pytest.approx(48 / 60)


def test_camera_installed_and_one_retired_mid_period() -> None:
    installed = camera_figures(
        [Interval("up", t(6), None)], period=PERIOD, now=NOW, in_service=(t(6), datetime.max.replace(tzinfo=UTC))
    )
    assert (installed.unknown_s, installed.up_s, installed.availability) == (120 * H, 120 * H, 1.0)
    retired = camera_figures(
        [Interval("up", t(1), t(3)), Interval("down", t(3), None)], period=PERIOD, now=NOW, in_service=(t(1), t(4))
    )
    # Retired on the 4th: its "down" after that is not an outage of a camera in service.
    assert (retired.up_s, retired.downtime_s, retired.unknown_s) == (48 * H, 24 * H, 168 * H)


def test_nothing_measured_is_null_not_zero() -> None:
    figures = camera_figures([], period=PERIOD, now=NOW)
    assert figures.availability is None and figures.unknown_s == 240 * H


def test_flapping_camera() -> None:
    history: list[Interval] = []
    for hour in range(0, 48, 2):  # one hour down, one hour up, for two days
        history.append(Interval("down", t(1, hour), t(1, hour + 1)))
        history.append(Interval("up", t(1, hour + 1), t(1, hour + 2)))
    history.append(Interval("up", t(3), None))
    figures = camera_figures(history, period=PERIOD, now=NOW)
    assert (figures.outages, figures.downtime_s, figures.mttr_s) == (24, 24 * H, H)
    assert figures.mtbf_s == pytest.approx(216 * H / 24)


def test_degraded_counts_as_available() -> None:
    figures = camera_figures([Interval("degraded", t(1), None)], period=PERIOD, now=NOW)
    assert figures.availability == 1.0


def test_dst_days_are_23_and_25_hours() -> None:
    # From 28 March 01:00 CET (00:00 UTC): the rest of the 28th, the 23-hour 29th, the 30th, the start of the 31st.
    spring = days((t(28), t(31)), AMS)
    assert [round((end - start).total_seconds() / H) for start, end in spring] == [23, 23, 24, 2]
    autumn = days((datetime(2026, 10, 24, 22, tzinfo=UTC), datetime(2026, 10, 26, 23, tzinfo=UTC)), AMS)
    assert [round((end - start).total_seconds() / H) for start, end in autumn] == [25, 24]


def test_an_outage_over_the_dst_change_is_its_real_length() -> None:
    # 01:30 to 03:30 local on 29 March 2026 is one hour of real time (02:00 jumps to 03:00).
    start = datetime(2026, 3, 29, 1, 30, tzinfo=AMS)
    end = datetime(2026, 3, 29, 3, 30, tzinfo=AMS)
    history = [Interval("up", t(28), start), Interval("down", start, end), Interval("up", end, None)]
    figures = camera_figures(history, period=(t(28), t(30)), now=NOW)
    assert figures.downtime_s == H


def test_groups_add_up() -> None:
    group = Figures()
    for figures in (
        camera_figures([Interval("up", t(1), None)], period=PERIOD, now=NOW),
        camera_figures(
            [Interval("up", t(1), t(2)), Interval("down", t(2), t(3)), Interval("up", t(3), None)],
            period=PERIOD,
            now=NOW,
        ),
    ):
        group.add(figures)
    assert (group.period_s, group.downtime_s, group.outages) == (480 * H, 24 * H, 1)
    assert group.availability == pytest.approx(456 / 480)


def test_span_helpers() -> None:
    assert merge([(t(3), t(4)), (t(1), t(2)), (t(2), t(3))]) == [(t(1), t(4))]
    assert subtract([(t(1), t(10))], [(t(2), t(3)), (t(2, 12), t(4)), (t(9), t(11))]) == [(t(1), t(2)), (t(4), t(9))]
