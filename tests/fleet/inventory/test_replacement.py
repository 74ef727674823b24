"""The replacement priority: every part over its range, and the reason in words."""

from __future__ import annotations

import pytest

from fleet.inventory.replacement import Inputs, score


def inputs(**overrides: object) -> Inputs:
    base: dict[str, object] = {
        "risk_level": "low",
        "origin_vendor": "Axis",
        "age_years": 2.0,
        "expected_life_years": 8.0,
        "firmware_state": "ok",
        "faults_12m": 0,
        "availability_12m": 0.999,
    }
    base.update(overrides)
    return Inputs(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "total", "reason"),
    [
        ({}, 6.2, "no reason to replace early"),
        ({"risk_level": "high", "origin_vendor": "Hikvision"}, 46.2, "high origin risk (Hikvision)"),
        ({"risk_level": "medium", "origin_vendor": "Uniview"}, 26.2, "medium origin risk (Uniview)"),
        ({"risk_level": "unknown", "origin_vendor": None}, 16.2, "origin unknown"),
        ({"age_years": 10.0}, 25.0, "10.0 years old, past its expected life of 8"),
        ({"age_years": None}, 0.0, "installation date unknown"),
        ({"firmware_state": "vulnerable"}, 21.2, "firmware vulnerable"),
        ({"firmware_state": "outdated"}, 14.2, "firmware outdated"),
        ({"faults_12m": 6}, 11.2, "6 faults in 12 months"),
        ({"faults_12m": 40}, 16.2, "40 faults in 12 months"),
        ({"availability_12m": 0.945}, 11.2, "availability 94.5%"),
        ({"availability_12m": 0.5}, 16.2, "availability 50.0%"),
        ({"availability_12m": None}, 6.2, "no reason to replace early"),
    ],
)
def test_score_table(overrides: dict[str, object], total: float, reason: str) -> None:
    result = score(inputs(**overrides))
    assert result.total == total
    assert result.reason == reason
    assert result.total == round(result.risk + result.age + result.firmware + result.faults + result.availability, 1)


def test_worst_case_is_100() -> None:
    worst = score(
        inputs(risk_level="high", age_years=20.0, firmware_state="vulnerable", faults_12m=99, availability_12m=0.1)
    )
    assert worst.total == 100.0
