"""Incident register shapes for the API and the page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from fleet.db import RowId

Name = Annotated[str, Field(min_length=1, max_length=300)]
Count = Annotated[int, Field(ge=0, le=100_000)]


class CategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    position: Annotated[int, Field(ge=1, le=100_000)] | None = None


class CategoryPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name | None = None
    position: Annotated[int, Field(ge=1, le=100_000)] | None = None
    active: bool | None = None


class CategoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    position: int
    active: bool


class IncidentIn(BaseModel):
    """One incident: when, what, where (area, and the camera if known) and what followed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    occurred_on: date
    category_id: RowId
    area: Annotated[str, Field(min_length=1, max_length=200)]
    camera_id: RowId | None = None
    checks: Count = 0
    warnings: Count = 0
    fines: Count = 0
    arrests: Count = 0
    ambulance: Count = 0
    note: Annotated[str | None, Field(max_length=4000)] = None


class IncidentOut(IncidentIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_by: str
    created_at: datetime
