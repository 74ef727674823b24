"""Section 5 of the council's report: the mayor's decisions on flexible cameras of the year, one line per decision in
the register's order, laid out as the report has them (decision, cameras, location, period, reason and number)."""

from __future__ import annotations

from fleet.decisions.models import DecisionKind
from fleet.decisions.schemas import OverviewRow
from fleet.language import N_, Language, gettext
from fleet.reports.chapter import Section, Table

# Decisions that change an earlier one say so in front of their reason, as the report writes "Intrekking besluit …".
CHANGES: dict[DecisionKind, str] = {
    DecisionKind.WITHDRAWAL: N_("Withdrawal"),
    DecisionKind.EXTENSION: N_("Extension"),
    DecisionKind.REPLACEMENT: N_("Replacement"),
}


def _reason(row: OverviewRow, language: Language) -> str:
    changes = [gettext(CHANGES[kind], language) for kind in dict.fromkeys(row.kinds) if kind in CHANGES]
    said = f"{', '.join(changes)}: {row.reason}" if changes else row.reason
    return f"{said} ({row.registration})" if row.registration else said


def decisions_section(rows: list[OverviewRow], language: Language) -> Section:
    """The year's decisions as a table in the layout of the report's section 5."""
    return Section(
        "decisions",
        gettext("Flexible camera decisions (art. 151c Gemeentewet)", language),
        [
            Table(
                [
                    gettext("Mayor's decision", language),
                    gettext("Cameras deployed", language),
                    gettext("Location", language),
                    gettext("Period", language),
                    gettext("Reason; (registration number)", language),
                ],
                [[row.decision_date, row.cameras, row.location, row.period, _reason(row, language)] for row in rows],
                [13, 12, 30, 15, 30],
                [False] * 5,
                empty=gettext("No decisions this year.", language),
            )
        ],
    )
