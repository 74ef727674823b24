"""Legal hold shapes for the API and the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from fleet.recording.models import LegalHold


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give a time zone (e.g. Z or +01:00)")
    return value


Moment = Annotated[datetime, AfterValidator(_aware)]


class LegalHoldIn(BaseModel):
    """A hold to place: the camera's footage from ``starts_at`` to ``ends_at`` for a case."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    camera_id: int = Field(ge=1, le=2**31 - 1)
    starts_at: Moment = Field(alias="from")
    ends_at: Moment = Field(alias="to")
    case_ref: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(alias="case")
    reason: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class LegalHoldOut(BaseModel):
    id: int
    camera_id: int
    camera_name: str
    starts_at: datetime
    ends_at: datetime
    case_ref: str
    reason: str
    placed_by: str
    placed_at: datetime
    released_by: str | None
    released_at: datetime | None

    @classmethod
    def of(cls, hold: LegalHold, camera_name: str) -> LegalHoldOut:
        """The shape of a stored hold."""
        return cls(
            id=hold.id,
            camera_id=hold.camera_id,
            camera_name=camera_name,
            starts_at=hold.starts_at,
            ends_at=hold.ends_at,
            case_ref=hold.case_ref,
            reason=hold.reason,
            placed_by=hold.placed_by,
            placed_at=hold.placed_at,
            released_by=hold.released_by,
            released_at=hold.released_at,
        )
