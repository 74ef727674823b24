"""The replacement plan's priority score: pure, with every part shown and a reason in words.

Parts (0–100 in all, each up to its weight in `WEIGHTS`): origin risk, age against the expected life, end of the maker's
support, firmware, faults in the last 12 months, availability, and value: the incidents the camera observers saw
through it in the last 12 months (fleet.incidents; a camera that sees much is replaced first). The weights put the
tender's question first (which cameras must go because of their origin), then how far a camera is through its life
(age and end of support together: the maker's end of support is the harder fact, age the one every camera has), then
what the cameras themselves tell and what they are worth to the observers.
Every text that explains the score (the Data dictionary, the annual report) is made from these numbers.

End of support counts only what config/lifecycle.toml states: `unknown` adds nothing, since for most models no dated
source is catalogued and a constant for nearly every camera would only shift the scale; the plan shows it as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from fleet.firmware.lifecycle import SupportState, SupportStatus
from fleet.inventory.wording import Reason, heading, reason_text
from fleet.language import Language, number

# The parts of the score and the most each adds: 100 in all.
WEIGHTS: dict[str, float] = {
    "risk": 30.0,
    "age": 15.0,
    "end_of_support": 10.0,
    "firmware": 15.0,
    "faults": 10.0,
    "availability": 10.0,
    "value": 10.0,
}
RISK_POINTS = {"high": WEIGHTS["risk"], "medium": 20.0, "unknown": 10.0, "low": 0.0}
FIRMWARE_POINTS = {"vulnerable": WEIGHTS["firmware"], "outdated": 8.0, "unknown": 4.0, "ok": 0.0}
SUPPORT_POINTS = {
    SupportState.ENDED: WEIGHTS["end_of_support"],
    SupportState.DISCONTINUED: 5.0,  # no longer sold: spare units and successors are the maker's choice now
    SupportState.CURRENT: 0.0,
    SupportState.UNKNOWN: 0.0,
}
FAULTS_FOR_FULL_POINTS = 12  # a fault a month is as bad as it gets
AVAILABILITY_TARGET = 0.99  # below this availability points start to count; at the floor all of them
AVAILABILITY_FLOOR = 0.90
INCIDENTS_FOR_FULL_POINTS = 52  # an incident a week: as much as a camera is worth to the observers


def explained(language: Language) -> str:
    """The weights in words, in the language: "origin risk 40, age 15, …"."""
    return ", ".join(f"{heading(part, language)} {number(points, language)}" for part, points in WEIGHTS.items())


@dataclass(frozen=True, slots=True)
class Inputs:
    risk_level: str
    origin_vendor: str | None
    age_years: float | None
    expected_life_years: float
    support: SupportStatus
    firmware_state: str
    faults_12m: int
    availability_12m: float | None
    incidents_12m: int = 0


@dataclass(frozen=True, slots=True)
class Score:
    total: float
    risk: float
    age: float
    end_of_support: float
    firmware: float
    faults: float
    availability: float
    value: float
    support: SupportStatus
    reasons: tuple[Reason, ...]

    @property
    def reason(self) -> str:
        """The reasons in English, as the contract's `replacement_reason` column carries them."""
        return reason_text(self.reasons, "en")


def _reasons(inputs: Inputs, availability: float) -> tuple[Reason, ...]:
    reasons = []
    if inputs.risk_level in ("high", "medium"):
        reasons.append(Reason("origin_risk", (inputs.risk_level, inputs.origin_vendor)))
    elif inputs.risk_level == "unknown":
        reasons.append(Reason("origin_unknown"))
    if inputs.age_years is not None and inputs.age_years >= inputs.expected_life_years:
        reasons.append(Reason("past_life", (inputs.age_years, inputs.expected_life_years)))
    elif inputs.age_years is None:
        reasons.append(Reason("installed_unknown"))
    if inputs.support.state is SupportState.ENDED:
        reasons.append(Reason("support_ended", (inputs.support.ends,)))
    elif inputs.support.state is SupportState.DISCONTINUED:
        reasons.append(Reason("discontinued", (inputs.support.discontinued, inputs.support.ends)))
    if inputs.firmware_state in ("vulnerable", "outdated"):
        reasons.append(Reason("firmware", (inputs.firmware_state,)))
    if inputs.faults_12m:
        reasons.append(Reason("faults", (inputs.faults_12m,)))
    if availability:
        reasons.append(Reason("availability", (inputs.availability_12m,)))
    if inputs.incidents_12m:
        reasons.append(Reason("value", (inputs.incidents_12m,)))
    return tuple(reasons)


def score(inputs: Inputs) -> Score:
    """The priority score of one camera and why."""
    risk = RISK_POINTS.get(inputs.risk_level, RISK_POINTS["unknown"])
    age = 0.0
    if inputs.age_years is not None and inputs.expected_life_years > 0:
        age = WEIGHTS["age"] * min(1.0, inputs.age_years / inputs.expected_life_years)
    support = SUPPORT_POINTS[inputs.support.state]
    firmware = FIRMWARE_POINTS.get(inputs.firmware_state, FIRMWARE_POINTS["unknown"])
    faults = WEIGHTS["faults"] * min(1.0, inputs.faults_12m / FAULTS_FOR_FULL_POINTS)
    availability = 0.0
    if inputs.availability_12m is not None and inputs.availability_12m < AVAILABILITY_TARGET:
        shortfall = (AVAILABILITY_TARGET - inputs.availability_12m) / (AVAILABILITY_TARGET - AVAILABILITY_FLOOR)
        availability = WEIGHTS["availability"] * min(1.0, shortfall)
    value = WEIGHTS["value"] * min(1.0, inputs.incidents_12m / INCIDENTS_FOR_FULL_POINTS)
    risk, age, support, firmware, faults, availability, value = (
        round(p, 1) for p in (risk, age, support, firmware, faults, availability, value)
    )
    # The total is the sum of the parts as shown, so the sheet adds up for whoever checks it.
    return Score(
        total=round(risk + age + support + firmware + faults + availability + value, 1),
        risk=risk,
        age=age,
        end_of_support=support,
        firmware=firmware,
        faults=faults,
        availability=availability,
        value=value,
        support=inputs.support,
        reasons=_reasons(inputs, availability),
    )
