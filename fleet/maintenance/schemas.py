"""Maintenance window shapes for the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from fleet.db import RowId
from fleet.errors import InvalidInput
from fleet.maintenance.rules import RecurrenceError, parse_rule


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give a time zone (e.g. 2026-03-01T06:00:00+01:00 or …Z)")
    return value


Aware = Annotated[datetime, AfterValidator(_aware)]
Names = Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=1000)]


class MaintenanceWindowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: Aware
    ends_at: Aware
    recurrence: Annotated[
        str | None, Field(max_length=500, description="iCalendar RRULE, e.g. FREQ=WEEKLY;BYDAY=TU")
    ] = None
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    camera_ids: Annotated[list[RowId], Field(max_length=100_000)] = []
    areas: Names = []
    sites: Names = []
    poller_groups: Names = []

    @model_validator(mode="after")
    def _consistent(self) -> MaintenanceWindowIn:
        if self.ends_at <= self.starts_at:
            raise InvalidInput("ends_at", "must be after starts_at")
        if self.recurrence:
            # The rule as written; its expansion (how many occurrences, the last end) is checked by the service
            # beside the event loop, since a rule may take a tenth of a second of CPU to expand.
            try:
                parse_rule(self.recurrence, self.starts_at)
            except RecurrenceError as exc:
                raise InvalidInput("recurrence", str(exc)) from exc
        return self


class MaintenanceWindowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    starts_at: datetime
    ends_at: datetime
    recurrence: str | None
    reason: str
    camera_ids: list[int]
    areas: list[str]
    sites: list[str]
    poller_groups: list[str]
    created_by: str
    created_at: datetime
    last_ends_at: datetime | None
    active_now: bool = False
