"""Notification channel and alert shapes for the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fleet.alerts.models import AlertEvent, AlertStatus
from fleet.errors import InvalidInput
from fleet.faults.models import FaultKind, Severity

Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="local time HH:MM")]
Names = Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=500)]


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=100)]
    url: Annotated[str, Field(min_length=4, max_length=2000, repr=False, description="an Apprise URL")]
    areas: Names = []
    sites: Names = []
    min_severity: Severity = Severity.WARNING
    fault_kinds: list[FaultKind] = []
    quiet_from: Clock | None = None
    quiet_until: Clock | None = None
    enabled: bool = True

    @model_validator(mode="after")
    def _quiet_pair(self) -> ChannelIn:
        if (self.quiet_from is None) != (self.quiet_until is None):
            raise InvalidInput("quiet_until", "quiet hours need both quiet_from and quiet_until")
        return self


class ChannelOut(BaseModel):
    """A channel; its URL is never shown (it often holds a password or token), only its service."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    service: str
    areas: list[str]
    sites: list[str]
    min_severity: Severity
    fault_kinds: list[str]
    quiet_from: str | None
    quiet_until: str | None
    enabled: bool
    created_at: datetime


class TestResult(BaseModel):
    delivered: bool
    error: str | None


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    channel_id: int
    event: AlertEvent
    fault_id: int | None
    camera_id: int | None
    severity: Severity
    subject: str
    status: AlertStatus
    attempts: int
    created_at: datetime
    not_before: datetime
    next_attempt_at: datetime
    last_error: str | None
    delivered_at: datetime | None
    batch_key: str | None
