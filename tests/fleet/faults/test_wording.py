"""Every kind of fault and every severity has words in Dutch and in English, each its own."""

from __future__ import annotations

import pytest

from fleet.faults.models import FaultKind, Severity
from fleet.faults.wording import KIND_LABELS, SEVERITY_LABELS, kind_label, severity_label
from fleet.language import LANGUAGES, Language


def test_every_kind_and_severity_is_worded() -> None:
    assert set(KIND_LABELS) == set(FaultKind) and set(SEVERITY_LABELS) == set(Severity)


@pytest.mark.parametrize("language", LANGUAGES)
def test_labels_are_distinct_within_a_language(language: Language) -> None:
    kinds = [kind_label(kind, language) for kind in FaultKind]
    assert all(kinds) and len(set(kinds)) == len(kinds)
    assert len({severity_label(s, language) for s in Severity}) == len(Severity)


def test_dutch_and_english_differ_where_the_words_do() -> None:
    assert kind_label(FaultKind.OFFLINE, "nl") == "Camera niet bereikbaar"
    assert kind_label(FaultKind.OFFLINE, "en") == "Camera unreachable"
    assert severity_label(Severity.CRITICAL, "nl") == "kritiek"
