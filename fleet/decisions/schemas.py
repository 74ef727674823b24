"""Decision shapes for the API and for the import file."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fleet.db import RowId
from fleet.decisions.models import DecisionKind
from fleet.decisions.registration import Registration
from fleet.errors import InvalidInput

Text = Annotated[str, Field(min_length=1, max_length=4000)]
CameraIds = Annotated[list[RowId], Field(max_length=1000)]
# Fields a PATCH may change: linking cameras and fixing free text; anything else is history.
EDITABLE = frozenset({"camera_ids", "location", "reason", "note"})


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DecisionKind
    decision_date: date
    registration: Registration
    location: Text
    starts_on: date
    ends_on: date | None = None
    days: Annotated[list[date], Field(max_length=366)] = []
    reason: Text
    flexible_count: Annotated[int, Field(ge=0, le=10_000)] = 0
    fixed_count: Annotated[int, Field(ge=0, le=10_000)] = 0
    camera_ids: CameraIds = []
    supersedes_id: RowId | None = None
    note: Annotated[str | None, Field(max_length=4000)] = None

    @model_validator(mode="after")
    def _consistent(self) -> DecisionIn:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise InvalidInput("ends_on", "must not be before starts_on")
        if self.days and self.ends_on is None:
            raise InvalidInput("ends_on", "give the last day when listing single days")
        if self.days and (min(self.days) < self.starts_on or max(self.days) > (self.ends_on or self.starts_on)):
            raise InvalidInput("days", "single days must lie within starts_on and ends_on")
        return self


class DecisionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    camera_ids: CameraIds | None = None
    location: Text | None = None
    reason: Text | None = None
    note: Annotated[str | None, Field(max_length=4000)] = None

    @model_validator(mode="before")
    @classmethod
    def _only_free_text(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for field in data:
                if field not in EDITABLE:
                    raise InvalidInput(
                        str(field),
                        "a decision is history and cannot be changed; register a new decision with supersedes_id",
                    )
        return data


class DecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: DecisionKind
    decision_date: date
    registration: str
    location: str
    starts_on: date
    ends_on: date | None
    days: list[date]
    reason: str
    flexible_count: int
    fixed_count: int
    camera_ids: list[int]
    supersedes_id: int | None
    superseded_by: list[int] = []
    warnings: list[str]
    source_row: int | None
    decision_date_raw: str | None
    cameras_raw: str | None
    period_raw: str | None
    note: str | None
    created_by: str
    created_at: datetime


class OverviewRow(BaseModel):
    """One line of the annual table: a decision as the report prints it, all its parts together."""

    decision_ids: list[int]
    kinds: list[DecisionKind]
    decision_date: str
    cameras: str
    location: str
    period: str
    reason: str
    registration: str
    warnings: list[str]
