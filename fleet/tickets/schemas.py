"""Ticket shapes for the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from fleet.db import RowId
from fleet.tickets.models import Priority, TicketEvent, TicketEventKind, TicketStatus

Text = Annotated[str, Field(min_length=1, max_length=10_000)]
Title = Annotated[str, Field(min_length=1, max_length=200)]


class TicketIn(BaseModel):
    """A ticket made by hand, for a camera, optionally covering some of its faults."""

    model_config = ConfigDict(extra="forbid")

    camera_id: RowId
    title: Title
    description: Text | None = None
    priority: Priority | None = Field(default=None, description="p1 (most urgent) to p4; default from settings")
    fault_ids: Annotated[list[RowId], Field(max_length=1000)] = []
    assignee_id: RowId | None = None


class TicketPatch(BaseModel):
    """Change status, assignee or priority; ``note`` goes into the history with the change."""

    model_config = ConfigDict(extra="forbid")

    status: TicketStatus | None = None
    assignee_id: RowId | None = None
    priority: Priority | None = None
    note: Text | None = None


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text


class PartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Title
    quantity: Annotated[int, Field(ge=1, le=10_000)] = 1
    unit_cost_cents: Annotated[int, Field(ge=0, le=100_000_000)] = 0


class CostIn(BaseModel):
    """Work, call-out or a correction, in euro cents (negative to correct an earlier entry)."""

    model_config = ConfigDict(extra="forbid")

    amount_cents: Annotated[int, Field(ge=-100_000_000, le=100_000_000)]
    text: Text


class TicketEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    kind: TicketEventKind
    from_value: str | None
    to_value: str | None
    text: str | None
    data: dict[str, Any]

    @classmethod
    def of(cls, event: TicketEvent) -> TicketEventOut:
        """The API shape of a history entry."""
        return cls.model_validate(event)


class TicketOut(BaseModel):
    id: int
    camera_id: int | None
    camera_name: str | None
    fault_ids: list[int]
    status: TicketStatus
    allowed_next: list[TicketStatus]
    priority: Priority
    title: str
    description: str | None
    assignee: str | None
    assignee_id: int | None
    response_due_at: datetime
    resolution_due_at: datetime
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    cost_cents: int
    reopened_count: int
    created_at: datetime
    created_by: str


class TicketDetail(TicketOut):
    history: list[TicketEventOut]
