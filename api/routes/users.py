"""Users and tokens: who am I (everyone), managing users and tokens (admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from api.deps import Admin, CurrentUser, SessionDep, actor_of
from fleet.users import service
from fleet.users.models import Role, User

router = APIRouter(tags=["users"])


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


def _out(user: User) -> UserOut:
    return UserOut.model_validate(user)


@router.get("/me", response_model=UserOut)
async def me(user: CurrentUser) -> UserOut:
    """The user behind the token."""
    return _out(user)


@router.get("/users", response_model=list[UserOut])
async def list_users(session: SessionDep, _admin: Admin) -> list[UserOut]:
    """Every user."""
    return [_out(u) for u in await service.list_users(session)]


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
async def create_user(session: SessionDep, admin: Admin, body: UserCreate) -> UserOut:
    """Create a user (without a password: a service account for tokens only)."""
    user = await service.create_user(
        session,
        actor=actor_of(admin),
        username=body.username,
        role=body.role,
        password=body.password,
        display_name=body.display_name,
        email=body.email,
        language=body.language,
    )
    return _out(user)


@router.post("/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
async def create_token(session: SessionDep, admin: Admin, body: TokenCreate) -> TokenCreated:
    """Create an API token for a user; the token is in this response only."""
    user = await service.get_by_username_or_raise(session, body.username)
    row, token = await service.create_token(
        session, actor=actor_of(admin), user=user, name=body.name, expires_at=body.expires_at
    )
    return TokenCreated(
        id=row.id,
        username=user.username,
        name=row.name,
        prefix=row.prefix,
        expires_at=row.expires_at,
        token=token,
    )
