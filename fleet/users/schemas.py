"""User and API-token shapes for the API and the admin page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from fleet.users.models import ApiToken, Role


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
    # The policy (length, not the name, not a common password) is fleet.users.passwords', one for every way in.
    password: Annotated[str | None, Field(max_length=200, repr=False)] = None
    display_name: Annotated[str | None, Field(max_length=200)] = None
    email: Annotated[str | None, Field(max_length=320)] = None
    language: Annotated[str, Field(pattern="^(nl|en)$")] = "nl"


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Annotated[str, Field(min_length=1, max_length=100)]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    # Without either, the token expires after api.token_lifetime; a service account's may be made never to expire.
    expires_at: datetime | None = None
    no_expiry: bool = False


class TokenOut(BaseModel):
    """A token as listed: never the token or its hash, only its first characters to recognise it by."""

    id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    state: Literal["active", "expired", "revoked"]

    @classmethod
    def of(cls, row: ApiToken, *, now: datetime) -> TokenOut:
        """The listed shape of a token row at the moment ``now``."""
        state: Literal["active", "expired", "revoked"] = "active"
        if row.revoked_at is not None:
            state = "revoked"
        elif row.expires_at is not None and row.expires_at <= now:
            state = "expired"
        return cls(
            id=row.id,
            username=row.user.username,
            name=row.name,
            prefix=row.prefix,
            created_at=row.created_at,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
            state=state,
        )


class UserChange(BaseModel):
    """A change to an account: its role, or whether it is active (deactivating ends its sessions and tokens)."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    is_active: bool | None = None


class PasswordSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Annotated[str, Field(min_length=1, max_length=200, repr=False)]


class PasswordChange(BaseModel):
    """A person's own password change: the current password proves it is them."""

    model_config = ConfigDict(extra="forbid")

    current_password: Annotated[str, Field(min_length=1, max_length=200, repr=False)]
    password: Annotated[str, Field(min_length=1, max_length=200, repr=False)]


class TokenCreated(BaseModel):
    id: int
    username: str
    name: str
    prefix: str
    expires_at: datetime | None
    token: str = Field(description="Shown once; only its hash is stored.")
