"""The replacement priority: every part over its range, and the reason in words in English and Dutch."""

from __future__ import annotations

from datetime import date

import pytest

from fleet.firmware.lifecycle import UNKNOWN, SupportState, SupportStatus
from fleet.inventory.replacement import WEIGHTS, Inputs, explained, score
from fleet.inventory.wording import PARTS, SUPPORT_STATES, reason_text, term

ENDED = SupportStatus(SupportState.ENDED, date(2018, 3, 1), date(2024, 3, 1))
DISCONTINUED = SupportStatus(SupportState.DISCONTINUED, date(2022, 3, 1), date(2028, 3, 1))
CURRENT = SupportStatus(SupportState.CURRENT, date(2027, 3, 1), None)


def inputs(**overrides: object) -> Inputs:
    base: dict[str, object] = {
        "risk_level": "low",
        "origin_vendor": "Axis",
        "age_years": 2.0,
        "expected_life_years": 8.0,
        "support": UNKNOWN,
        "firmware_state": "ok",
        "faults_12m": 0,
        "availability_12m": 0.999,
    }
    base.update(overrides)
    return Inputs(**base)  # type: ignore[arg-type]


# The base camera: low risk, 2 of 8 years (15 × 0.25 = 3.75 → 3.8), support unknown (0), nothing else.
@pytest.mark.parametrize(
    ("overrides", "total", "support_points", "reason"),
    [
        ({}, 3.8, 0.0, "no reason to replace early"),
        ({"risk_level": "high", "origin_vendor": "Hikvision"}, 33.8, 0.0, "high origin risk (Hikvision)"),
        ({"risk_level": "high", "origin_vendor": None}, 33.8, 0.0, "high origin risk (maker unknown)"),
        ({"risk_level": "medium", "origin_vendor": "Uniview"}, 23.8, 0.0, "medium origin risk (Uniview)"),
        ({"risk_level": "unknown", "origin_vendor": None}, 13.8, 0.0, "origin unknown"),
        ({"age_years": 10.0}, 15.0, 0.0, "10.0 years old, past its expected life of 8"),
        ({"age_years": 8.0}, 15.0, 0.0, "8.0 years old, past its expected life of 8"),
        ({"age_years": None}, 0.0, 0.0, "installation date unknown"),
        ({"support": ENDED}, 13.8, 10.0, "maker's support ended 2024-03-01"),
        ({"support": DISCONTINUED}, 8.8, 5.0, "discontinued 2022-03-01, supported until 2028-03-01"),
        ({"support": CURRENT}, 3.8, 0.0, "no reason to replace early"),
        ({"firmware_state": "vulnerable"}, 18.8, 0.0, "firmware vulnerable"),
        ({"firmware_state": "outdated"}, 11.8, 0.0, "firmware outdated"),
        ({"firmware_state": "unknown"}, 7.8, 0.0, "no reason to replace early"),
        ({"faults_12m": 1}, 4.6, 0.0, "1 fault in 12 months"),
        ({"faults_12m": 6}, 8.8, 0.0, "6 faults in 12 months"),
        ({"faults_12m": 40}, 13.8, 0.0, "40 faults in 12 months"),
        ({"availability_12m": 0.945}, 8.8, 0.0, "availability 94.5%"),
        ({"availability_12m": 0.5}, 13.8, 0.0, "availability 50.0%"),
        ({"availability_12m": None}, 3.8, 0.0, "no reason to replace early"),
        ({"incidents_12m": 1}, 4.0, 0.0, "1 incident seen in 12 months"),
        ({"incidents_12m": 26}, 8.8, 0.0, "26 incidents seen in 12 months"),
        ({"incidents_12m": 400}, 13.8, 0.0, "400 incidents seen in 12 months"),
    ],
)
def test_score_table(overrides: dict[str, object], total: float, support_points: float, reason: str) -> None:
    result = score(inputs(**overrides))
    assert (result.total, result.end_of_support, result.reason) == (total, support_points, reason)
    parts = (result.risk, result.age, result.end_of_support, result.firmware, result.faults, result.availability)
    assert result.total == round(sum(parts) + result.value, 1)


def test_worst_case_is_100() -> None:
    worst = score(
        inputs(
            risk_level="high",
            age_years=20.0,
            support=ENDED,
            firmware_state="vulnerable",
            faults_12m=99,
            availability_12m=0.1,
            incidents_12m=999,
        )
    )
    parts = (worst.risk, worst.age, worst.end_of_support, worst.firmware, worst.faults, worst.availability, worst.value)
    assert parts == (30.0, 15.0, 10.0, 15.0, 10.0, 10.0, 10.0)
    assert worst.total == 100.0


def test_reasons_in_dutch_and_english() -> None:
    result = score(
        inputs(
            risk_level="high",
            origin_vendor="Hikvision",
            age_years=10.0,
            support=DISCONTINUED,
            firmware_state="vulnerable",
            faults_12m=1,
            availability_12m=0.945,
        )
    )
    assert result.total == 70.8
    assert reason_text(result.reasons, "nl") == (
        "hoog herkomstrisico (Hikvision); 10,0 jaar oud, ouder dan de verwachte levensduur van 8 jaar; "
        "uit productie sinds 2022-03-01, ondersteuning tot 2028-03-01; firmware kwetsbaar; 1 storing in 12 maanden; "
        "beschikbaarheid 94,5\u00a0%"
    )
    assert reason_text(result.reasons, "en") == result.reason
    assert reason_text(score(inputs(support=ENDED)).reasons, "nl") == (
        "ondersteuning door de fabrikant beëindigd op 2024-03-01"
    )
    assert reason_text((), "nl") == "geen reden om eerder te vervangen"


def test_every_code_is_worded() -> None:
    assert set(SUPPORT_STATES) == {s.value for s in SupportState}
    assert set(PARTS) >= set(WEIGHTS) and sum(WEIGHTS.values()) == 100
    assert {term("support_states", s.value, "nl") for s in SupportState} == {
        "ondersteuning beëindigd",
        "uit productie",
        "leverbaar",
        "onbekend",
    }


def test_the_weights_are_explained_from_the_weights() -> None:
    assert explained("nl") == (
        "herkomstrisico 30, leeftijd 15, einde ondersteuning 10, firmware 15, storingen 10, beschikbaarheid 10, "
        "waargenomen incidenten 10"
    )
    assert explained("en") == (
        "origin risk 30, age 15, end of support 10, firmware 15, faults 10, availability 10, incidents seen 10"
    )
