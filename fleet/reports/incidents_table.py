"""Section 7 of the council's report: the incidents the municipal camera observers saw, per category with last
year's count in brackets and what followed, then per area and per camera (where the cameras matter most)."""

from __future__ import annotations

from collections import Counter

from fleet.incidents.models import OUTCOMES
from fleet.incidents.service import YearLine
from fleet.language import N_, Language, gettext, number, say
from fleet.reports.chapter import Section, Table, beside

# Each of fleet.incidents.models.OUTCOMES in words.
OUTCOME_WORDS: dict[str, str] = {
    "checks": N_("checks"),
    "warnings": N_("warnings"),
    "fines": N_("fines"),
    "arrests": N_("arrests"),
    "ambulance": N_("taken by ambulance"),
}


def _count(count: int | None, previous: int | None, language: Language) -> str:
    """As the observers write it: "392 (300)", "135" without last year, "(53)" without this year."""
    parts = [] if count is None else [number(count, language)]
    if previous is not None:
        parts.append(f"({number(previous, language)})")
    return " ".join(parts)


def _followed(line: YearLine, outcomes: dict[str, int], language: Language) -> str:
    counted = ", ".join(
        f"{number(outcomes[o], language)} {gettext(OUTCOME_WORDS[o], language)}" for o in OUTCOMES if outcomes.get(o)
    )
    return "; ".join(text for text in (line.followed, counted) if text)


def _seen(title: str, now: Counter[str], before: Counter[str] | None, language: Language) -> Table:
    keys = sorted(set(now) | set(before or {}), key=lambda k: (-now[k], k))
    return Table(
        [title, gettext("incidents", language)],
        [
            [key, beside(number(now[key], language), None if before is None else number(before[key], language))]
            for key in keys
        ],
        [70, 30],
        [False, True],
        empty=gettext("No incidents registered.", language),
    )


def incidents_section(
    year: int,
    table: list[tuple[YearLine, dict[str, int]]],
    areas: tuple[Counter[str], Counter[str] | None],
    cameras: tuple[Counter[str], Counter[str] | None],
    language: Language,
) -> Section:
    """The observers' register of the year in the layout of the report's section 7."""
    return Section(
        "incidents",
        gettext("Incidents seen by the camera observers", language),
        [
            Table(
                [
                    gettext("Incident", language),
                    say("Total {year} ({previous})", language, year=year, previous=year - 1),
                    gettext("Of which", language),
                    gettext("Remark", language),
                ],
                [
                    [
                        line.category,
                        _count(line.count, line.previous, language),
                        _followed(line, outcomes, language),
                        line.remark,
                    ]
                    for line, outcomes in table
                ],
                [38, 14, 30, 18],
                [False, True, False, False],
                empty=gettext("No incidents registered.", language),
            ),
            _seen(gettext("By area", language), *areas, language),
            _seen(gettext("By camera", language), *cameras, language),
        ],
    )
