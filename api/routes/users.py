"""Users and tokens: who am I (everyone), managing users and tokens (admins)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse

from api.deps import CurrentUser, MayAdminister, PasswordTurn, SessionDep, SettingsDep, actor_of, client_address
from fleet.db import RowId, utcnow
from fleet.users import accounts, service, web
from fleet.users.models import User
from fleet.users.passwords import PasswordPolicy
from fleet.users.schemas import (
    PasswordChange,
    PasswordSet,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserChange,
    UserCreate,
    UserOut,
)

router = APIRouter(tags=["users"])
# A user name as camfleet allows them: anything else names no user and is refused (422) before any lookup.
Username = Annotated[str, Path(max_length=100, pattern=service.USERNAME_PATTERN)]


def _out(user: User) -> UserOut:
    return UserOut.model_validate(user)


@router.get("/me", response_model=UserOut)
async def me(user: CurrentUser) -> UserOut:
    """The user behind the token."""
    return _out(user)


@router.put("/me/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_own_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    _turn: PasswordTurn,
    body: PasswordChange,
) -> Response:
    """Change your own password, giving the current one (throttled as logins are); your browser sessions end."""
    outcome = await web.change_own_password(
        session,
        user=user,
        current_password=body.current_password,
        password=body.password,
        address=client_address(request),
        now=datetime.now(UTC),
        settings=settings.web,
    )
    # Answered, not raised: the failure counted and its audit entry must commit with the request.
    if outcome is web.LoginOutcome.THROTTLED:
        detail, code = "too many failed attempts; try again later", status.HTTP_429_TOO_MANY_REQUESTS
    elif outcome is web.LoginOutcome.REFUSED:
        detail, code = "the current password is wrong", status.HTTP_403_FORBIDDEN
    else:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return JSONResponse({"detail": detail}, status_code=code)


@router.get("/users", response_model=list[UserOut])
async def list_users(session: SessionDep, _admin: MayAdminister) -> list[UserOut]:
    """Every user."""
    return [_out(u) for u in await service.list_users(session)]


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
async def create_user(session: SessionDep, settings: SettingsDep, admin: MayAdminister, body: UserCreate) -> UserOut:
    """Create a user (without a password: a service account for tokens only); the password policy applies."""
    policy = PasswordPolicy.of(settings.web)
    return _out(await service.create_user(session, actor=actor_of(admin), policy=policy, **body.model_dump()))


@router.patch("/users/{username}", response_model=UserOut)
async def change_user(session: SessionDep, admin: MayAdminister, username: Username, body: UserChange) -> UserOut:
    """Change a role, or deactivate (sessions end, tokens refused at once) or reactivate a user."""
    user = await service.get_by_username_or_raise(session, username)
    if body.role is not None:
        user = await accounts.set_role(session, actor=actor_of(admin), username=username, role=body.role)
    if body.is_active is not None:
        user = await accounts.set_active(session, actor=actor_of(admin), username=username, active=body.is_active)
    return _out(user)


@router.put("/users/{username}/password", status_code=status.HTTP_204_NO_CONTENT)
async def set_password(
    session: SessionDep, settings: SettingsDep, admin: MayAdminister, username: Username, body: PasswordSet
) -> Response:
    """Set or reset a user's password (the password policy applies); their browser sessions end."""
    policy = PasswordPolicy.of(settings.web)
    await accounts.set_password(
        session, actor=actor_of(admin), username=username, password=body.password, policy=policy
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/tokens", response_model=list[TokenOut])
async def list_tokens(
    session: SessionDep,
    _admin: MayAdminister,
    username: Annotated[str | None, Query(max_length=100, pattern=service.USERNAME_PATTERN)] = None,
) -> list[TokenOut]:
    """Every API token, or one user's: never the token or its hash; expiry, last use and whether revoked."""
    now = utcnow()
    return [TokenOut.of(row, now=now) for row in await service.list_tokens(session, username)]


@router.post("/tokens/{token_id}/revoke", response_model=TokenOut)
async def revoke_token(session: SessionDep, admin: MayAdminister, token_id: RowId) -> TokenOut:
    """Revoke a token: its next request is refused (401). Revoking it again changes nothing."""
    now = utcnow()
    return TokenOut.of(await service.revoke_token(session, actor=actor_of(admin), token_id=token_id, now=now), now=now)


@router.post("/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
async def create_token(
    session: SessionDep, settings: SettingsDep, admin: MayAdminister, body: TokenCreate
) -> TokenCreated:
    """Create an API token for a user; the token is in this response only. It expires after api.token_lifetime
    unless the body gives another expiry or asks for none ("no_expiry", for service accounts)."""
    user = await service.get_by_username_or_raise(session, body.username)
    expires_at = service.token_expiry(
        settings.api.token_lifetime, now=utcnow(), expires_at=body.expires_at, no_expiry=body.no_expiry
    )
    row, token = await service.create_token(
        session, actor=actor_of(admin), user=user, name=body.name, expires_at=expires_at
    )
    return TokenCreated(
        id=row.id,
        username=user.username,
        name=row.name,
        prefix=row.prefix,
        expires_at=row.expires_at,
        token=token,
    )
