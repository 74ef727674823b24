"""The words of the replacement plan in Dutch and English: one table per language.

Risk levels, firmware states, end-of-support states, the parts of the priority score and the reasons in words all
come from here, for the annual report and the spreadsheet alike. The CSV, JSON and the `Cameras` sheet keep the
contract's codes (`high`, `vulnerable`, ...) and the English reason, so that they stay machine-readable and the same
whatever the language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from fleet.language import N_, Language, gettext


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason to replace a camera early: a key of `Words.reasons` and the values its sentence needs."""

    key: str
    args: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class Words:
    risk_levels: dict[str, str]
    firmware_states: dict[str, str]
    support_states: dict[str, str]
    parts: dict[str, str]
    labels: dict[str, str]  # the other headings of the spreadsheet's Summary and Replacement plan sheets
    reasons: dict[str, Callable[..., str]]
    no_reason: str


def _day(value: date | None) -> str:
    return "?" if value is None else value.isoformat()


RISK_LEVELS: dict[str, str] = {"high": N_("high"), "medium": N_("medium"), "low": N_("low"), "unknown": N_("unknown")}
_RISK_NL = {level: gettext(words, "nl") for level, words in RISK_LEVELS.items()}
_FIRMWARE_NL = {"vulnerable": "kwetsbaar", "outdated": "verouderd", "ok": "in orde", "unknown": "onbekend"}

WORDS: dict[Language, Words] = {
    "nl": Words(
        risk_levels=_RISK_NL,
        firmware_states=_FIRMWARE_NL,
        support_states={
            "ended": "ondersteuning beëindigd",
            "discontinued": "uit productie",
            "current": "leverbaar",
            "unknown": "onbekend",
        },
        parts={
            "total": "prioriteit",
            "risk": "herkomstrisico",
            "age": "leeftijd",
            "end_of_support": "einde ondersteuning",
            "firmware": "firmware",
            "faults": "storingen",
            "availability": "beschikbaarheid",
            "reason": "reden",
            "support_state": "ondersteuning",
            "support_ends": "ondersteuning tot",
        },
        labels={
            "rank": "rang",
            "name": "naam",
            "area": "gebied",
            "manufacturer": "fabrikant",
            "model": "model",
            "counted_by": "geteld naar",
            "value": "waarde",
            "cameras": "camera's",
            "maker": "fabrikant (gemeld, anders opgegeven)",
            "model_counted": "model (gemeld, anders opgegeven)",
            "origin_country": "land van herkomst",
            "origin_vendor": "fabrikant van herkomst",
            "risk_level": "risiconiveau",
            "firmware_state": "firmwarestatus",
            "kind": "soort",
            "network": "netwerk",
            "unknown": "(onbekend)",
        },
        reasons={
            "origin_risk": lambda level, vendor: f"{_RISK_NL[level]} herkomstrisico ({vendor or 'fabrikant onbekend'})",
            "origin_unknown": lambda: "herkomst onbekend",
            "past_life": lambda age, life: f"{age:.1f} jaar oud, ouder dan de verwachte levensduur van {life:g} jaar",
            "installed_unknown": lambda: "installatiedatum onbekend",
            "support_ended": lambda ends: f"ondersteuning door de fabrikant beëindigd op {_day(ends)}",
            "discontinued": lambda since, ends: f"uit productie sinds {_day(since)}, ondersteuning tot {_day(ends)}",
            "firmware": lambda state: f"firmware {_FIRMWARE_NL[state]}",
            "faults": lambda count: f"{count} {'storing' if count == 1 else 'storingen'} in 12 maanden",
            "availability": lambda share: f"beschikbaarheid {share:.1%}",
        },
        no_reason="geen reden om eerder te vervangen",
    ),
    "en": Words(
        risk_levels={level: gettext(words, "en") for level, words in RISK_LEVELS.items()},
        firmware_states={"vulnerable": "vulnerable", "outdated": "outdated", "ok": "ok", "unknown": "unknown"},
        support_states={
            "ended": "support ended",
            "discontinued": "discontinued",
            "current": "on sale",
            "unknown": "unknown",
        },
        parts={
            "total": "priority",
            "risk": "origin risk",
            "age": "age",
            "end_of_support": "end of support",
            "firmware": "firmware",
            "faults": "faults",
            "availability": "availability",
            "reason": "reason",
            "support_state": "support",
            "support_ends": "support ends",
        },
        labels={
            "rank": "rank",
            "name": "name",
            "area": "area",
            "manufacturer": "manufacturer",
            "model": "model",
            "counted_by": "counted by",
            "value": "value",
            "cameras": "cameras",
            "maker": "manufacturer (reported, else declared)",
            "model_counted": "model (reported, else declared)",
            "origin_country": "origin country",
            "origin_vendor": "origin vendor",
            "risk_level": "risk level",
            "firmware_state": "firmware state",
            "kind": "kind",
            "network": "network",
            "unknown": "(unknown)",
        },
        reasons={
            "origin_risk": lambda level, vendor: f"{level} origin risk ({vendor or 'maker unknown'})",
            "origin_unknown": lambda: "origin unknown",
            "past_life": lambda age, life: f"{age:.1f} years old, past its expected life of {life:g}",
            "installed_unknown": lambda: "installation date unknown",
            "support_ended": lambda ends: f"maker's support ended {_day(ends)}",
            "discontinued": lambda since, ends: f"discontinued {_day(since)}, supported until {_day(ends)}",
            "firmware": lambda state: f"firmware {state}",
            "faults": lambda count: f"{count} {'fault' if count == 1 else 'faults'} in 12 months",
            "availability": lambda share: f"availability {share:.1%}",
        },
        no_reason="no reason to replace early",
    ),
}


def reason_text(reasons: Sequence[Reason], language: Language) -> str:
    """The reasons as one sentence in the language."""
    words = WORDS[language]
    return "; ".join(words.reasons[r.key](*r.args) for r in reasons) or words.no_reason


Kind = Literal["risk_levels", "firmware_states", "support_states"]


def term(kind: Kind, code: str | None, language: Language) -> str:
    """A risk level, firmware state or support state in the language; a code the table lacks as it is."""
    table: dict[str, str] = getattr(WORDS[language], kind)
    return table.get(code or "unknown", code or "unknown")
