"""The sections of the annual chapter built from two years' figures: composition, availability, maintenance, origin
risk and replacement, firmware; every figure beside last year's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from fleet.faults.models import FaultKind
from fleet.faults.wording import kind_label
from fleet.inventory.replacement import explained
from fleet.inventory.wording import heading, reason_text, term
from fleet.language import Language, gettext, money, number, percent, say
from fleet.reports.annual_figures import YearFigures
from fleet.reports.chapter import Chart, Section, Subheading, Table, Text, beside
from fleet.reports.uptime import hours

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Years:
    """The year and, where there is one, the year before: every figure is written beside last year's."""

    now: YearFigures
    before: YearFigures | None
    language: Language

    def pair(self, of: Callable[[YearFigures], T], shown: Callable[[T], str]) -> str:
        """A figure of this year beside the same figure of last year."""
        return beside(shown(of(self.now)), None if self.before is None else shown(of(self.before)))

    def count(self, of: Callable[[YearFigures], int]) -> str:
        return self.pair(of, self.integer)

    def integer(self, value: int) -> str:
        return number(value, self.language)

    def maybe(self, value: int | None) -> str:
        """A count, or a dash where there is none (an area that had no cameras that year)."""
        return "–" if value is None else number(value, self.language)

    def tally(self, column: str, value: str) -> str:
        """The cameras with this value in an inventory column, this year and last."""
        return self.count(partial(_tally, column, value))

    def area(self, area: str, figure: str, shown: Callable[[Any], str]) -> str:
        """One figure of an area (cameras, availability, outages), this year and last."""
        return self.pair(partial(_area, area, figure), shown)

    def faults(self, kind: FaultKind) -> str:
        """The faults of a kind opened, this year and last."""
        return self.count(partial(_faults, kind))


def _tally(column: str, value: str, year: YearFigures) -> int:
    return year.count(column)[value]


def _area(area: str, figure: str, year: YearFigures) -> Any:
    row = year.areas.get(area)
    return None if row is None else getattr(row, figure)


def _faults(kind: FaultKind, year: YearFigures) -> int:
    return year.faults[kind]


def composition(years: Years) -> Section:
    lang = years.language
    key_figures = [
        [gettext("cameras", lang), years.count(lambda y: len(y.inventory))],
        [gettext("fixed", lang), years.tally("kind", "fixed")],
        [gettext("flexible", lang), years.tally("kind", "flexible")],
    ]
    areas = sorted(set(years.now.areas) | set(years.before.areas if years.before else {}))
    rows = [
        [
            area,
            years.area(area, "cameras", years.maybe),
            years.area(area, "availability", partial(percent, language=lang)),
            years.area(area, "outages", years.maybe),
        ]
        for area in areas
    ]
    return Section(
        "composition",
        gettext("Fleet composition", lang),
        [
            key_table(years, key_figures),
            Table(
                [
                    gettext("By area", lang),
                    gettext("cameras", lang),
                    gettext("Availability", lang),
                    gettext("Outages", lang),
                ],
                rows,
                [40, 18, 24, 18],
                [False, True, True, True],
                empty=gettext("No cameras.", lang),
            ),
        ],
    )


def key_table(years: Years, rows: list[list[str]]) -> Table:
    """Figures of this year beside last year's, one per row."""
    lang = years.language
    header = beside(str(years.now.year), None if years.before is None else str(years.before.year))
    return Table([gettext("Figure", lang), header], rows, [60, 40], [False, True])


def availability(years: Years, precision_note: str) -> Section:
    lang = years.language
    in_hours = partial(hours, language=lang)
    share = partial(percent, language=lang)
    return Section(
        "availability",
        gettext("Availability and outages", lang),
        [
            key_table(
                years,
                [
                    [gettext("Availability", lang), years.pair(lambda y: y.fleet.availability, share)],
                    [gettext("Downtime", lang), years.pair(lambda y: y.fleet.downtime_s, in_hours)],
                    [gettext("Outages", lang), years.count(lambda y: y.fleet.outages)],
                    [gettext("MTTR", lang), years.pair(lambda y: y.fleet.mttr_s, in_hours)],
                    [gettext("Maintenance", lang), years.pair(lambda y: y.fleet.maintenance_s, in_hours)],
                ],
            ),
            Chart("monthly", gettext("Availability per month", lang)),
            Text(
                gettext(
                    "Availability = up time / (period − planned maintenance − unmeasured time). Unmeasured time (no "
                    "measurement, camera not yet installed or already retired) never counts as downtime. MTTR: the "
                    "mean outage length; MTTR (tickets): from creation to resolution, over the tickets resolved in "
                    "the period. Times in Europe/Amsterdam.",
                    lang,
                ),
                note=True,
            ),
            Text(precision_note, note=True),
        ],
    )


def maintenance(years: Years) -> Section:
    lang = years.language
    in_hours = partial(hours, language=lang)
    share = partial(percent, language=lang)
    kinds = sorted(
        set(years.now.faults) | set(years.before.faults if years.before else {}),
        key=lambda k: (-years.now.faults[k], k.value),
    )
    return Section(
        "maintenance",
        gettext("Maintenance", lang),
        [
            key_table(
                years,
                [
                    [gettext("Repair tickets", lang), years.count(lambda y: y.tickets.opened)],
                    [gettext("resolved", lang), years.count(lambda y: y.tickets.resolved)],
                    [
                        gettext("Mean time to resolve", lang),
                        years.pair(lambda y: y.tickets.mean_resolution_s, in_hours),
                    ],
                    [gettext("Responded within target", lang), years.pair(lambda y: y.tickets.response_within, share)],
                    [gettext("Resolved within target", lang), years.pair(lambda y: y.tickets.resolution_within, share)],
                    [
                        gettext("Parts and labour", lang),
                        years.pair(lambda y: y.tickets.cost_cents, partial(money, language=lang)),
                    ],
                ],
            ),
            Table(
                [gettext("Faults by kind", lang), gettext("count", lang)],
                [[kind_label(k, lang), years.faults(k)] for k in kinds],
                [70, 30],
                [False, True],
                empty=gettext("No faults this year.", lang),
            ),
        ],
    )


def _plan(years: Years) -> Table:
    lang = years.language
    ranked = sorted(years.now.inventory, key=lambda r: -float(r.values["replacement_priority"]))[:10]
    keys = ("total", "risk", "age", "end_of_support", "firmware", "faults", "availability", "value")
    rows = [
        [
            str(r.values["name"]),
            *(number(getattr(r.parts, key), lang) for key in keys),
            term("support_states", r.parts.support.state, lang),
            reason_text(r.parts.reasons, lang),
        ]
        for r in ranked
        if r.parts is not None
    ]
    return Table(
        [gettext("cameras", lang), *(heading(key, lang) for key in (*keys, "support_state", "reason"))],
        rows,
        [11, 7, 7, 6, 8, 7, 6, 8, 7, 9, 24],
        [False, *(True,) * len(keys), False, False],
        wide=True,
        empty=gettext("No cameras.", lang),
    )


def origin(years: Years) -> Section:
    lang = years.language
    countries = [c for c, _n in years.now.count("origin_country").most_common()]
    return Section(
        "origin",
        gettext("Origin risk and replacement", lang),
        [
            Text(
                gettext(
                    "Origin from what each camera reports itself (ONVIF, MAC address, SNMP) beside the purchase "
                    "records. High: makers on the US FCC Covered List / NDAA 889 and their OEM products.",
                    lang,
                ),
                note=True,
            ),
            Chart("origin", gettext("By origin", lang)),
            Table(
                [gettext("By origin", lang), gettext("cameras", lang)],
                [[c, years.tally("origin_country", c)] for c in countries],
                [70, 30],
                [False, True],
                empty=gettext("No cameras.", lang),
            ),
            Subheading(gettext("To replace first (highest priority)", lang)),
            _plan(years),
            Text(
                say(
                    "Priority 0–100: {weights}. End of support counts only where a source gives the date; otherwise "
                    "it shows 'unknown' and adds nothing.",
                    lang,
                    weights=explained(lang),
                ),
                note=True,
            ),
        ],
    )


def firmware(years: Years) -> Section:
    lang = years.language
    states = [s for s, _n in years.now.count("firmware_state").most_common()]
    return Section(
        "firmware",
        gettext("Firmware", lang),
        [
            Table(
                [gettext("Firmware", lang), gettext("cameras", lang)],
                [[term("firmware_states", s, lang), years.tally("firmware_state", s)] for s in states],
                [70, 30],
                [False, True],
                empty=gettext("No cameras.", lang),
            ),
            Text(
                say(
                    "Cameras with a known exploited vulnerability (CISA KEV), to be fixed by the catalogue's due "
                    "date (BIO 8.08.01): {count}",
                    lang,
                    count=years.count(lambda y: y.exploited),
                )
            ),
        ],
    )
