"""Alert texts: both languages fill in the same values, and every check has a name in each."""

from __future__ import annotations

import string

import pytest

from config.checks import CheckKind
from fleet.alerts.wording import CHECKS, TEXT, check_label, say


def _fields(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(TEXT))
def test_dutch_and_english_take_the_same_values(key: str) -> None:
    dutch, english = TEXT[key]
    assert _fields(dutch) == _fields(english) and dutch != english


def test_every_check_is_named() -> None:
    assert set(CHECKS) == set(CheckKind)
    assert check_label(CheckKind.STREAM, "nl") == "videostroom"


def test_values_go_in_as_they_are() -> None:
    text = say("ticket.assigned", "nl", id=7, user="Ilse", title="VL-F012: offline {0}")
    assert text == "Ticket #7 toegewezen aan Ilse: VL-F012: offline {0}"
