"""Request dependencies: one transaction per request, the current user, the check of what they may do."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Scope

from api.authz import RULES, Action, may
from config.settings import Settings
from fleet import offload
from fleet.audit.service import Actor
from fleet.crypto import CredentialCipher
from fleet.db import Database, utcnow
from fleet.pagination import Window
from fleet.users import service as users
from fleet.users.models import User

# A NUL character as JSON escapes it; any other spelling of one is not valid JSON.
log = logging.getLogger(__name__)
_JSON_NUL = b"\\u0000"
_NUL_REFUSED = "must not contain a NUL character"


async def refuse_nul(request: Request) -> None:
    """422 for a NUL character in the query or the JSON body: PostgreSQL text and JSONB cannot hold one."""
    problems = [
        {"loc": ("query", name), "msg": _NUL_REFUSED, "type": "value_error"}
        for name, value in request.query_params.multi_items()
        if "\x00" in name or "\x00" in value
    ]
    if _JSON_NUL in await request.body():
        problems.append({"loc": ("body",), "msg": _NUL_REFUSED, "type": "value_error"})
    if problems:
        raise RequestValidationError(problems)


_bearer = HTTPBearer(auto_error=False, description="An API token from `camfleet tokens create`.")


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_cipher(request: Request) -> CredentialCipher:
    cipher: CredentialCipher = request.app.state.cipher
    return cipher


async def get_session(database: Annotated[Database, Depends(get_database)]) -> AsyncIterator[AsyncSession]:
    """The request's unit of work, committed before the response is sent (rolled back if the route raises).

    A route that waits on the network commits first, so no transaction stays open meanwhile.
    """
    async with database.sessions() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


def _turn(kind: str) -> Callable[[AsyncSession], AsyncIterator[None]]:
    async def wait_for_turn(session: SessionDep) -> AsyncIterator[None]:
        # Whatever the request read so far (its token, its session) is committed: it waits holding no connection.
        await session.commit()
        async with offload.turn(kind):
            yield

    return wait_for_turn


# A request that makes a document or a spreadsheet, or checks a password, waits for one of `web.heavy_workers`
# turns first (declare it after the caller's authentication): a burst of them queues instead of holding every
# database connection while the heavy work waits (fleet/offload.py).
DocumentTurn = Annotated[None, Depends(_turn("documents"), scope="function")]
PasswordTurn = Annotated[None, Depends(_turn("passwords"), scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
CipherDep = Annotated[CredentialCipher, Depends(get_cipher)]

UNAUTHORIZED = HTTPException(
    status_code=status.HTTP_401_UNAUTHORIZED,
    detail="missing or invalid bearer token",
    headers={"WWW-Authenticate": "Bearer"},
)


# Where api.limits.TokenBeforeBody leaves the user it found for a request's token (in the ASGI scope's state).
_TOKEN_USER = "camfleet_token_user"


def remember_token_user(scope: Scope, token: str, user: User, use_due: bool) -> None:
    """Keep the user a token was checked for with the request, so the route need not look the token up again."""
    scope.setdefault("state", {})[_TOKEN_USER] = (token, user, use_due)


async def _note_token_use(database: Database, token: str) -> None:
    """Note the token's use in a transaction of its own, after the answer has gone: a database busy with a long
    write (SQLite lets one writer in at a time) must neither delay nor fail a request over this bookkeeping."""
    try:
        async with database.unit_of_work() as session:
            await users.token_used(session, token, now=utcnow())
    except SQLAlchemyError as error:
        log.warning("a token's last use was not noted: %s", str(getattr(error, "orig", None) or error)[:200])


async def get_current_user(
    request: Request,
    session: SessionDep,
    database: Annotated[Database, Depends(get_database)],
    later: BackgroundTasks,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user behind the bearer token; 401 without a valid one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise UNAUTHORIZED
    checked: tuple[str, User, bool] | None = getattr(request.state, _TOKEN_USER, None)
    if checked is not None and checked[0] == credentials.credentials:
        # Checked moments ago, before the body was read: the same row, joined to this request's session unread.
        user, use_due = await session.merge(checked[1], load=False), checked[2]
    else:
        found = await users.token_user(session, credentials.credentials)
        if found is None:
            raise UNAUTHORIZED
        user, use_due = found
    if use_due:  # at most once a minute per token: most requests write nothing
        later.add_task(_note_token_use, database, credentials.credentials)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def _permission(action: Action) -> Callable[[User], Coroutine[Any, Any, User]]:
    async def check(user: CurrentUser) -> User:
        if not may(user.role, action):
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail=RULES[action].refusal)
        return user

    return check


# One check per action (401 without a valid token, 403 when the rule says no): a route's user says its action.
PERMISSIONS = {action: _permission(action) for action in Action}
MayRead = Annotated[User, Depends(PERMISSIONS[Action.READ])]
MayReadAlerts = Annotated[User, Depends(PERMISSIONS[Action.READ_ALERTS])]
MayAcknowledgeFaults = Annotated[User, Depends(PERMISSIONS[Action.ACKNOWLEDGE_FAULTS])]
MayWorkOnTickets = Annotated[User, Depends(PERMISSIONS[Action.WORK_ON_TICKETS])]
MayEditCameras = Annotated[User, Depends(PERMISSIONS[Action.EDIT_CAMERAS])]
MayPlanMaintenance = Annotated[User, Depends(PERMISSIONS[Action.PLAN_MAINTENANCE])]
MayRegisterDecisions = Annotated[User, Depends(PERMISSIONS[Action.REGISTER_DECISIONS])]
MayHoldRecordings = Annotated[User, Depends(PERMISSIONS[Action.HOLD_RECORDINGS])]
MayRegisterIncidents = Annotated[User, Depends(PERMISSIONS[Action.REGISTER_INCIDENTS])]
MayAdminister = Annotated[User, Depends(PERMISSIONS[Action.ADMINISTER])]
MayReadAuditLog = Annotated[User, Depends(PERMISSIONS[Action.READ_AUDIT_LOG])]


def actor_of(user: User) -> Actor:
    """The audit-log actor for a signed-in user."""
    return Actor(name=user.username, user_id=user.id)


class PageParams:
    """``?page=1&size=50``, validated: page from 1, size from 1 to 500."""

    def __init__(
        self,
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        size: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> None:
        self.page = page
        self.size = size


PageDep = Annotated[PageParams, Depends()]


class KeysetParams:
    """``?page=N&size=S`` as on every list, or ``?cursor=…`` from the last answer's ``next_cursor``."""

    def __init__(
        self,
        page: Annotated[int | None, Query(ge=1, le=1_000_000, description="A page by number (1 if none).")] = None,
        size: Annotated[int, Query(ge=1, le=500)] = 50,
        cursor: Annotated[
            str | None,
            Query(
                max_length=2000,
                description="The `next_cursor` of the previous page: the next page, read alone however deep, and "
                "stable when rows are added before it. Not with `page`.",
            ),
        ] = None,
        count: Annotated[
            bool,
            Query(description="With a cursor: count `total` again now, instead of repeating the walk's first count."),
        ] = False,
    ) -> None:
        if cursor is not None and page is not None:
            raise RequestValidationError(
                [{"loc": ("query", "cursor"), "msg": "give a page or a cursor, not both", "type": "value_error"}]
            )
        self.window = Window(size=size, page=page or 1, cursor=cursor, count=count)


KeysetDep = Annotated[KeysetParams, Depends()]


def client_address(request: Request) -> str:
    """The client's address as the server sees it (uvicorn rewrites it only for trusted proxies)."""
    return request.client.host if request.client else "unknown"
