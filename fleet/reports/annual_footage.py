"""The annual chapter's section on recorded time: how much of the year the cameras' footage covers, beside last
year's, and per area, with how much of it recording checks saw."""

from __future__ import annotations

from functools import partial

from fleet.language import gettext, percent
from fleet.reports.annual_sections import Years, key_table
from fleet.reports.chapter import Section, Table, Text
from fleet.reports.uptime import hours


def recorded_time(years: Years) -> Section:
    """Recorded time beside availability: the fleet's this year and last, and each area's."""
    lang = years.language
    share = partial(percent, language=lang)
    in_hours = partial(hours, language=lang)
    key_figures = [
        [gettext("Cameras recorded", lang), years.count(lambda y: sum(r.recorded_cameras for r in y.areas.values()))],
        [gettext("Availability", lang), years.pair(lambda y: y.fleet.availability, share)],
        [gettext("Recorded time", lang), years.pair(lambda y: y.footage.recorded, share)],
        [gettext("At most", lang), years.pair(lambda y: y.footage.recorded_max, share)],
        [gettext("Seen", lang), years.pair(lambda y: y.footage.observed, share)],
        [gettext("Without footage", lang), years.pair(lambda y: y.footage.missing_s, in_hours)],
        [gettext("Gaps", lang), years.count(lambda y: y.footage.gaps)],
    ]
    areas = sorted(
        {key for year in (years.now, years.before) if year for key, row in year.areas.items() if row.recorded_cameras}
    )
    rows = [
        [
            area,
            years.area(area, "recorded_cameras", years.maybe),
            years.area(area, "availability", share),
            years.area(area, "recorded", share),
            years.area(area, "footage_observed", share),
            years.area(area, "footage_gaps", years.maybe),
        ]
        for area in areas
    ]
    header = [
        gettext("By area", lang),
        gettext("Cameras recorded", lang),
        gettext("Availability", lang),
        gettext("Recorded time", lang),
        gettext("Seen", lang),
        gettext("Gaps", lang),
    ]
    return Section(
        "recorded_time",
        gettext("Recorded time", lang),
        [
            key_table(years, key_figures),
            Table(header, rows, [30, 14, 14, 14, 14, 14], [False, True, True, True, True, True])
            if rows
            else Text(gettext("No camera's footage is kept.", lang)),
            Text(
                gettext(
                    "Recorded time: the share of the period with footage that a recording check saw (from each "
                    "check's recording history of the last day, merged). Time no check saw is not counted as "
                    "footage: the figure is at least the share shown and at most the share beside it; 'seen' is how "
                    "much of the period recording checks saw. Only cameras whose footage is kept (by a recorder or "
                    "on their own storage) count.",
                    lang,
                ),
                note=True,
            ),
        ],
    )
