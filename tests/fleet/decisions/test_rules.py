"""Register checks as pure functions: printed dates, places, warnings."""

from __future__ import annotations

from datetime import date

import pytest

from fleet.decisions.importer import kinds_of
from fleet.decisions.models import Decision, DecisionKind
from fleet.decisions.rules import printed_dates, same_place, warnings_for


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("19dec22", [date(2022, 12, 19)]),
        ("3jan23/30jan23", [date(2023, 1, 3), date(2023, 1, 30)]),
        ("16/27 februari 2023", [date(2023, 2, 16), date(2023, 2, 27)]),
        ("30 maart/6 april 2023", [date(2023, 3, 30), date(2023, 4, 6)]),
        ("4sept2023", [date(2023, 9, 4)]),
        ("13mrt23", [date(2023, 3, 13)]),
        ("1 mei 2023", [date(2023, 5, 1)]),
        ("soon", None),
        ("31feb23", None),
    ],
)
def test_printed_dates(raw: str, expected: list[date] | None) -> None:
    found = printed_dates(raw)
    assert (None if found is None else [d for _text, d in found]) == expected


def test_one_place_spelled_several_ways() -> None:
    assert same_place("Straalseweg", "Straalseweg tussen Mercatorstraat en Gasthuiskampstraat")
    assert same_place("Kruising Kaldenkerkerweg-Merelweg", "Kaldenkerkerweg from Prinsenstraat to Beckersweg")
    assert not same_place("Kruising Markt", "Kruising Parade")


@pytest.mark.parametrize(
    ("action", "kinds"),
    [
        ("deploy", (DecisionKind.DEPLOYMENT,)),
        ("deploy+designate", (DecisionKind.DESIGNATION, DecisionKind.DEPLOYMENT)),
        ("designate+deploy", (DecisionKind.DESIGNATION, DecisionKind.DEPLOYMENT)),
        ("extend+designate", (DecisionKind.DESIGNATION, DecisionKind.EXTENSION)),
    ],
)
def test_compound_actions_name_their_decisions(action: str, kinds: tuple[DecisionKind, ...]) -> None:
    assert kinds_of(action) == kinds


@pytest.mark.parametrize("action", ["deploy+deploy", "deploy+extend", "frobnicate", "deploy+"])
def test_bad_actions_are_refused(action: str) -> None:
    with pytest.raises(ValueError):
        kinds_of(action)


def _decision(**overrides: object) -> Decision:
    fields: dict[str, object] = {
        "id": 1,
        "kind": DecisionKind.DEPLOYMENT,
        "decision_date": date(2023, 3, 1),
        "registration": "1",
        "location": "Markt",
        "starts_on": date(2023, 3, 10),
        "ends_on": date(2023, 3, 12),
        "days": [],
        "reason": "x",
        "flexible_count": 2,
        "fixed_count": 0,
        "supersedes_id": None,
        "decision_date_raw": None,
        "period_raw": None,
    }
    fields.update(overrides)
    return Decision(**fields)


def test_deployment_inside_a_designation_within_the_fleet_has_no_warnings() -> None:
    designation = _decision(id=1, kind=DecisionKind.DESIGNATION, ends_on=date(2023, 12, 31))
    assert warnings_for(_decision(id=2), [designation], flexible_fleet=2) == []


def test_flexible_cameras_deployed_at_once_are_counted_against_the_fleet() -> None:
    designation = _decision(id=1, kind=DecisionKind.DESIGNATION, ends_on=date(2023, 12, 31))
    running = _decision(id=2, starts_on=date(2023, 3, 1), ends_on=date(2023, 3, 11))
    found = warnings_for(_decision(id=3), [designation, running], flexible_fleet=3)
    assert found == ["4 flexible cameras deployed on 2023-03-10, the registry has 3"]
    ended = _decision(id=4, kind=DecisionKind.WITHDRAWAL, starts_on=date(2023, 3, 5), ends_on=None, supersedes_id=2)
    assert warnings_for(_decision(id=3), [designation, running, ended], flexible_fleet=3) == []
