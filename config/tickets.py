"""The ticket settings: which faults get a ticket of which priority, and how soon each priority is due."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, model_validator

from config.durations import Duration
from config.section import Section
from config.zone import LOCAL_ZONE_NAME

TicketPriority = Literal["p1", "p2", "p3", "p4"]
FaultSeverity = Literal["info", "warning", "minor", "major", "critical"]


class TicketTarget(Section):
    """How soon a ticket of one priority must be answered and fixed."""

    response: Duration
    resolution: Duration
    # Counted in business hours (when they are set) rather than on the wall clock.
    business_hours: bool = False


class TicketPolicyRule(Section):
    """Faults of these kinds (empty: any kind) at or above a severity get a ticket of this priority."""

    kinds: list[str] = []
    min_severity: FaultSeverity = "info"
    priority: TicketPriority


class BusinessHours(Section):
    """Working hours in local time; weekdays 0 (Monday) to 6 (Sunday). Public holidays are not modelled."""

    days: list[int] = Field(default=[0, 1, 2, 3, 4], min_length=1)
    start: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    end: str = Field(default="17:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: str = LOCAL_ZONE_NAME

    @model_validator(mode="after")
    def _valid(self) -> BusinessHours:
        if any(not 0 <= day <= 6 for day in self.days):
            raise ValueError("days are 0 (Monday) to 6 (Sunday)")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        return self


def _default_targets() -> dict[TicketPriority, TicketTarget]:
    # p1 (a camera or a whole group dark) runs on the wall clock: a gap in the footage is a gap at night too.
    return {
        "p1": TicketTarget(response=timedelta(hours=1), resolution=timedelta(hours=8)),
        "p2": TicketTarget(response=timedelta(hours=4), resolution=timedelta(hours=18), business_hours=True),
        "p3": TicketTarget(response=timedelta(hours=9), resolution=timedelta(hours=45), business_hours=True),
        "p4": TicketTarget(response=timedelta(hours=18), resolution=timedelta(hours=90), business_hours=True),
    }


def _default_policy() -> list[TicketPolicyRule]:
    # First match wins. SNMP unreachable, a single reboot and a firmware change get no ticket: the picture is fine.
    return [
        # A port down or unpowered darkens what hangs on it, as a dead switch does (fleet/faults/causes.py).
        TicketPolicyRule(kinds=["offline", "group_outage", "port_down", "poe_off"], priority="p1"),
        TicketPolicyRule(
            kinds=["storage_failure", "reboot_loop", "onvif_auth_failed", "clock_drift", "temperature_high"],
            priority="p2",
        ),
        # A login that offered Digest now offers only Basic: a swapped or reset camera, or someone in between.
        TicketPolicyRule(kinds=["auth_downgrade"], priority="p2"),
        # No usable picture (black, taped, frozen) or no stream to record: as urgent as a failing disk.
        TicketPolicyRule(
            kinds=["image_black", "image_covered", "image_frozen", "stream_unavailable"],
            priority="p2",
        ),
        TicketPolicyRule(
            kinds=["onvif_error", "identity_changed", "image_moved", "image_blurred", "image_unavailable"],
            priority="p3",
        ),
        # A stream not as registered (resolution or codec): evidence quality, planned work.
        TicketPolicyRule(kinds=["stream_mismatch"], priority="p4"),
        # Cyber hygiene: an ended certificate and a changed configuration are planned work; an ending one waits.
        TicketPolicyRule(kinds=["certificate_expired"], priority="p3"),
        TicketPolicyRule(kinds=["config_drift"], priority="p4"),
        # Firmware to update before the catalogue's due date: planned work with a deadline in the fault.
        TicketPolicyRule(kinds=["vulnerability_exploited"], priority="p3"),
        # No footage when the police ask for it: as urgent as a camera down. Footage kept too long or a gap: soon.
        TicketPolicyRule(kinds=["recording_stopped", "storage_failed"], priority="p1"),
        TicketPolicyRule(kinds=["retention_short", "retention_exceeded", "recording_gap"], priority="p2"),
    ]


class TicketSettings(Section):
    policy: list[TicketPolicyRule] = Field(default_factory=_default_policy)
    targets: dict[TicketPriority, TicketTarget] = Field(default_factory=_default_targets)
    # Null: every target runs on the wall clock.
    business_hours: BusinessHours | None = BusinessHours()
    # The same fault (camera and kind) coming back this soon after its ticket was resolved reopens that ticket.
    reopen_within: Duration = timedelta(days=7)
    # Manual tickets without a priority, and faults linked by hand, get this one.
    default_priority: TicketPriority = "p3"

    @model_validator(mode="after")
    def _every_priority_has_targets(self) -> TicketSettings:
        missing = sorted({"p1", "p2", "p3", "p4"} - set(self.targets))
        if missing:
            raise ValueError(f"targets missing for {', '.join(missing)}")
        return self
