"""The words of the replacement plan (English msgids of the catalogue, translated per language).

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

from fleet.language import N_, Language, gettext, number, percent, say, translations

RISK_LEVELS: dict[str, str] = {"high": N_("high"), "medium": N_("medium"), "low": N_("low"), "unknown": N_("unknown")}
FIRMWARE_STATES: dict[str, str] = {
    "vulnerable": N_("vulnerable"),
    "outdated": N_("outdated"),
    "ok": N_("ok"),
    "unknown": N_("unknown"),
}
# Whether a known exploited vulnerability (CISA KEV) is matched to the camera.
EXPLOITED: dict[str, str] = {"yes": N_("yes"), "no": N_("no")}
SUPPORT_STATES: dict[str, str] = {
    "ended": N_("support ended"),
    "discontinued": N_("discontinued"),
    "current": N_("on sale"),
    "unknown": N_("unknown"),
}
# The headings of the plan: the score's parts (keys of replacement.WEIGHTS) and the columns beside them.
PARTS: dict[str, str] = {
    "total": N_("priority"),
    "risk": N_("origin risk"),
    "age": N_("age"),
    "end_of_support": N_("end of support"),
    "firmware": N_("firmware"),
    "faults": N_("faults"),
    "availability": N_("availability"),
    "value": N_("incidents seen"),
    "reason": N_("reason"),
    "support_state": N_("support"),
    "support_ends": N_("support ends"),
}
# The other headings of the spreadsheet's Summary and Replacement plan sheets.
LABELS: dict[str, str] = {
    "rank": N_("rank"),
    "name": N_("name"),
    "area": N_("area"),
    "manufacturer": N_("manufacturer"),
    "model": N_("model"),
    "counted_by": N_("counted by"),
    "value": N_("value"),
    "cameras": N_("cameras"),
    "maker": N_("manufacturer (reported, else declared)"),
    "model_counted": N_("model (reported, else declared)"),
    "origin_country": N_("origin country"),
    "origin_vendor": N_("origin vendor"),
    "risk_level": N_("risk level"),
    "firmware_state": N_("firmware state"),
    "exploited": N_("known exploited vulnerability (CISA KEV)"),
    "kind": N_("kind"),
    "network": N_("network"),
    "unknown": N_("(unknown)"),
}


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason to replace a camera early: a key of `REASONS` and the values its sentence needs."""

    key: str
    args: tuple[Any, ...] = ()


def _day(value: date | None) -> str:
    # ISO dates: the English reason is the CSV's `replacement_reason`, and the Dutch one reads the same dates.
    return "?" if value is None else value.isoformat()


def _origin_risk(language: Language, level: str, vendor: str | None) -> str:
    maker = vendor or gettext("maker unknown", language)
    return say("{level} origin risk ({vendor})", language, level=term("risk_levels", level, language), vendor=maker)


def _past_life(language: Language, age: float, life: float) -> str:
    return say(
        "{age} years old, past its expected life of {life}",
        language,
        age=number(age, language, decimals=1),
        life=number(life, language),
    )


def _faults(language: Language, count: int) -> str:
    words = translations(language).ngettext("{count} fault in 12 months", "{count} faults in 12 months", count)
    return words.format(count=count)


def _seen(language: Language, count: int) -> str:
    words = translations(language).ngettext(
        "{count} incident seen in 12 months", "{count} incidents seen in 12 months", count
    )
    return words.format(count=count)


def _availability(language: Language, share: float) -> str:
    return say("availability {share}", language, share=percent(share, language, decimals=1))


REASONS: dict[str, Callable[..., str]] = {
    "origin_risk": _origin_risk,
    "origin_unknown": lambda language: gettext("origin unknown", language),
    "past_life": _past_life,
    "installed_unknown": lambda language: gettext("installation date unknown", language),
    "support_ended": lambda language, ends: say("maker's support ended {ends}", language, ends=_day(ends)),
    "discontinued": lambda language, since, ends: say(
        "discontinued {since}, supported until {ends}", language, since=_day(since), ends=_day(ends)
    ),
    "firmware": lambda language, state: say(
        "firmware {state}", language, state=term("firmware_states", state, language)
    ),
    "faults": _faults,
    "availability": _availability,
    "value": _seen,
}


def reason_text(reasons: Sequence[Reason], language: Language) -> str:
    """The reasons as one sentence in the language."""
    return "; ".join(REASONS[r.key](language, *r.args) for r in reasons) or gettext(
        "no reason to replace early", language
    )


Kind = Literal["risk_levels", "firmware_states", "support_states", "exploited"]
_TERMS: dict[Kind, dict[str, str]] = {
    "exploited": EXPLOITED,
    "risk_levels": RISK_LEVELS,
    "firmware_states": FIRMWARE_STATES,
    "support_states": SUPPORT_STATES,
}


def term(kind: Kind, code: str | None, language: Language) -> str:
    """A risk level, firmware state or support state in the language; a code the table lacks as it is."""
    words = _TERMS[kind].get(code or "unknown")
    return code or "unknown" if words is None else gettext(words, language)


def heading(key: str, language: Language) -> str:
    """A heading of the plan or the summary (a key of `PARTS` or `LABELS`) in the language."""
    return gettext(PARTS.get(key) or LABELS[key], language)
