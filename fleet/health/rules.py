"""Pure rules: when a check's result becomes a hard state, and what a camera's status is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from config.checks import CheckKind
from fleet.cameras.models import CameraStatus


@dataclass(frozen=True, slots=True)
class SoftHard:
    """The soft/hard state of one check (as Nagios and Icinga count it)."""

    hard_ok: bool | None = None  # None: no result yet
    hard_since: datetime | None = None
    streak: int = 0  # results in a row that disagree with the hard state
    streak_ok: bool | None = None
    streak_started_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    """A hard state change, dated from the first result of the streak that caused it."""

    ok: bool
    at: datetime


def apply_result(
    state: SoftHard, ok: bool, at: datetime, *, failures_to_open: int, successes_to_close: int
) -> tuple[SoftHard, Transition | None]:
    """The next soft/hard state after one result, and the hard transition it causes, if any.

    A failure becomes hard after ``failures_to_open`` failures in a row, a recovery after ``successes_to_close``
    successes in a row; a single lost packet changes nothing. The very first result settles the state at once:
    there is nothing yet to protect from a blip, and a one-off ``camfleet poll`` must show what it saw.
    """
    if state.hard_ok is None:
        return SoftHard(hard_ok=ok, hard_since=at), Transition(ok=ok, at=at)
    if ok == state.hard_ok:
        return replace(state, streak=0, streak_ok=None, streak_started_at=None), None
    if state.streak_ok is ok:
        streak, started = state.streak + 1, state.streak_started_at or at
    else:
        streak, started = 1, at
    needed = successes_to_close if ok else failures_to_open
    if streak >= needed:
        return SoftHard(hard_ok=ok, hard_since=started), Transition(ok=ok, at=started)
    return replace(state, streak=streak, streak_ok=ok, streak_started_at=started), None


# A camera whose network port does not answer is down; one that answers but fails a protocol is degraded.
_DOWN_KINDS = frozenset({CheckKind.REACHABILITY})
# Checks that say nothing about whether the camera records: their failure leaves the status alone.
_NOT_STATUS_KINDS = frozenset({CheckKind.SECURITY})


def camera_status(hard: Mapping[CheckKind, bool | None], *, impaired: bool = False) -> CameraStatus:
    """The camera's status from the hard state of each of its checks (None: not settled yet).

    ``impaired``: every check may pass while the picture is unusable (an open image fault): degraded, not down.
    """
    if any(hard.get(kind) is False for kind in _DOWN_KINDS):
        return CameraStatus.DOWN
    counted = [ok for kind, ok in hard.items() if kind not in _NOT_STATUS_KINDS]
    if impaired or any(ok is False for ok in counted):
        return CameraStatus.DEGRADED
    if any(ok is True for ok in counted):
        return CameraStatus.UP
    return CameraStatus.UNKNOWN
