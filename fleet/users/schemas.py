"""User and API-token shapes for the API and the admin page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from fleet.users.models import Role


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str | None
    email: str | None
    role: Role
    language: str
    is_active: bool
    created_at: datetime


class UserCreate(BaseModel):
    """A new user; its fields are `fleet.users.service.create_user`'s keywords."""

    model_config = ConfigDict(extra="forbid")

    username: Annotated[str, Field(min_length=1, max_length=100)]
    role: Role
    password: Annotated[str | None, Field(min_length=10, max_length=200, repr=False)] = None
    display_name: Annotated[str | None, Field(max_length=200)] = None
    email: Annotated[str | None, Field(max_length=320)] = None
    language: Annotated[str, Field(pattern="^(nl|en)$")] = "nl"


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Annotated[str, Field(min_length=1, max_length=100)]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    expires_at: datetime | None = None


class TokenCreated(BaseModel):
    id: int
    username: str
    name: str
    prefix: str
    expires_at: datetime | None
    token: str = Field(description="Shown once; only its hash is stored.")
