"""The replacement plan's priority score: pure, with every part shown and a reason in words.

Parts (0–100 in all): origin risk up to 40, age against the expected life up to 25, firmware up to 15, faults in the
last 12 months up to 10, availability up to 10. The weights put the tender's question first (which cameras must go
because of their origin), then what wears out, then what the cameras themselves tell.
"""

from __future__ import annotations

from dataclasses import dataclass

RISK_POINTS = {"high": 40.0, "medium": 20.0, "unknown": 10.0, "low": 0.0}
FIRMWARE_POINTS = {"vulnerable": 15.0, "outdated": 8.0, "unknown": 4.0, "ok": 0.0}
AGE_POINTS = 25.0
FAULT_POINTS = 10.0
FAULTS_FOR_FULL_POINTS = 12  # a fault a month is as bad as it gets
AVAILABILITY_POINTS = 10.0
AVAILABILITY_TARGET = 0.99  # below this availability points start to count; at 90 % all of them
AVAILABILITY_FLOOR = 0.90


@dataclass(frozen=True, slots=True)
class Inputs:
    risk_level: str
    origin_vendor: str | None
    age_years: float | None
    expected_life_years: float
    firmware_state: str
    faults_12m: int
    availability_12m: float | None


@dataclass(frozen=True, slots=True)
class Score:
    total: float
    risk: float
    age: float
    firmware: float
    faults: float
    availability: float
    reason: str


def score(inputs: Inputs) -> Score:
    """The priority score of one camera and why."""
    risk = RISK_POINTS.get(inputs.risk_level, RISK_POINTS["unknown"])
    age = 0.0
    if inputs.age_years is not None and inputs.expected_life_years > 0:
        age = AGE_POINTS * min(1.0, inputs.age_years / inputs.expected_life_years)
    firmware = FIRMWARE_POINTS.get(inputs.firmware_state, FIRMWARE_POINTS["unknown"])
    faults = FAULT_POINTS * min(1.0, inputs.faults_12m / FAULTS_FOR_FULL_POINTS)
    availability = 0.0
    if inputs.availability_12m is not None and inputs.availability_12m < AVAILABILITY_TARGET:
        shortfall = (AVAILABILITY_TARGET - inputs.availability_12m) / (AVAILABILITY_TARGET - AVAILABILITY_FLOOR)
        availability = AVAILABILITY_POINTS * min(1.0, shortfall)
    reasons = []
    if inputs.risk_level in ("high", "medium"):
        reasons.append(f"{inputs.risk_level} origin risk ({inputs.origin_vendor or 'maker unknown'})")
    elif inputs.risk_level == "unknown":
        reasons.append("origin unknown")
    if inputs.age_years is not None and inputs.age_years >= inputs.expected_life_years:
        reasons.append(f"{inputs.age_years:.1f} years old, past its expected life of {inputs.expected_life_years:g}")
    elif inputs.age_years is None:
        reasons.append("installation date unknown")
    if inputs.firmware_state in ("vulnerable", "outdated"):
        reasons.append(f"firmware {inputs.firmware_state}")
    if inputs.faults_12m:
        reasons.append(f"{inputs.faults_12m} faults in 12 months")
    if availability:
        reasons.append(f"availability {inputs.availability_12m:.1%}")
    risk, age, firmware, faults, availability = (round(p, 1) for p in (risk, age, firmware, faults, availability))
    # The total is the sum of the parts as shown, so the sheet adds up for whoever checks it.
    return Score(
        total=round(risk + age + firmware + faults + availability, 1),
        risk=risk,
        age=age,
        firmware=firmware,
        faults=faults,
        availability=availability,
        reason="; ".join(reasons) or "no reason to replace early",
    )
