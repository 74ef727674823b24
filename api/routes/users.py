"""Users and tokens: who am I (everyone), managing users and tokens (admins)."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import CurrentUser, MayAdminister, SessionDep, actor_of
from fleet.users import service
from fleet.users.models import User
from fleet.users.schemas import TokenCreate, TokenCreated, UserCreate, UserOut

router = APIRouter(tags=["users"])


def _out(user: User) -> UserOut:
    return UserOut.model_validate(user)


@router.get("/me", response_model=UserOut)
async def me(user: CurrentUser) -> UserOut:
    """The user behind the token."""
    return _out(user)


@router.get("/users", response_model=list[UserOut])
async def list_users(session: SessionDep, _admin: MayAdminister) -> list[UserOut]:
    """Every user."""
    return [_out(u) for u in await service.list_users(session)]


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
async def create_user(session: SessionDep, admin: MayAdminister, body: UserCreate) -> UserOut:
    """Create a user (without a password: a service account for tokens only)."""
    return _out(await service.create_user(session, actor=actor_of(admin), **body.model_dump()))


@router.post("/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
async def create_token(session: SessionDep, admin: MayAdminister, body: TokenCreate) -> TokenCreated:
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
