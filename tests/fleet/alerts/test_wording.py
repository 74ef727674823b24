"""Alert texts: every check has a name in each language, and values go in as they are."""

from __future__ import annotations

from config.checks import CheckKind
from fleet.alerts.models import AlertEvent
from fleet.alerts.wording import CHECKS, TITLES, check_label, title_of
from fleet.language import say


def test_every_check_and_event_is_named() -> None:
    assert set(CHECKS) == set(CheckKind) and set(TITLES) == set(AlertEvent)
    assert check_label(CheckKind.STREAM, "nl") == "videostroom"
    assert title_of(AlertEvent.FAULT_CLOSED, "nl") == "Hersteld"


def test_values_go_in_as_they_are() -> None:
    text = say("Ticket #{id} assigned to {user}: {title}", "nl", id=7, user="Ilse", title="VL-F012: offline {0}")
    assert text == "Ticket #7 toegewezen aan Ilse: VL-F012: offline {0}"
