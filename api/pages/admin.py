"""Admin: users, API tokens and notification channels (with "send test")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status

from api import channels
from api.deps import CipherDep, SessionDep, SettingsDep
from api.pages.core import ActAdminister, PageAdminister, Viewer, attempt, redirect, render
from fleet.alerts import service as alerts
from fleet.alerts.schemas import ChannelIn, TestResult
from fleet.db import RowId
from fleet.faults.models import Severity
from fleet.users import service as users
from fleet.users.models import Role
from fleet.users.schemas import TokenCreate, UserCreate

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Form(max_length=200)]


async def _admin_page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    *,
    error: str | None = None,
    token: str | None = None,
    test: TestResult | None = None,
) -> Response:
    return render(
        request,
        viewer,
        "admin.html",
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if error else status.HTTP_200_OK,
        users=await users.list_users(session),
        tokens=await users.list_tokens(session),
        channels=await alerts.list_channels(session),
        roles=list(Role),
        severities=list(Severity),
        error=error,
        token=token,
        test=test,
    )


@router.get("/admin")
async def admin_page(request: Request, session: SessionDep, viewer: PageAdminister) -> Response:
    """Users, tokens and channels."""
    return await _admin_page(request, session, viewer)


@router.post("/admin/users")
async def create_user(
    request: Request,
    session: SessionDep,
    viewer: ActAdminister,
    username: Short,
    role: Annotated[Role, Form()],
    password: Annotated[str, Form(max_length=200)] = "",
    language: Annotated[str, Form(max_length=2)] = "nl",
) -> Response:
    """Create a user (the API's create; an empty password makes a token-only account)."""

    async def create() -> object:
        body = UserCreate(username=username, role=role, password=password or None, language=language)
        return await users.create_user(session, actor=viewer.actor, **body.model_dump())

    _user, error = await attempt(session, create)
    if error:
        return await _admin_page(request, session, viewer, error=error)
    return redirect("/admin")


@router.post("/admin/tokens")
async def create_token(
    request: Request, session: SessionDep, viewer: ActAdminister, username: Short, name: Short
) -> Response:
    """Create an API token; it is shown on this answer only (never stored, so never shown again)."""

    async def create() -> str:
        body = TokenCreate(username=username, name=name)
        user = await users.get_by_username_or_raise(session, body.username)
        _row, token = await users.create_token(session, actor=viewer.actor, user=user, name=body.name)
        return token

    token, error = await attempt(session, create)
    return await _admin_page(request, session, viewer, error=error, token=token)


@router.post("/admin/channels")
async def create_channel(
    request: Request,
    session: SessionDep,
    viewer: ActAdminister,
    cipher: CipherDep,
    name: Short,
    url: Annotated[str, Form(max_length=2000)],
    min_severity: Annotated[Severity, Form()] = Severity.WARNING,
) -> Response:
    """Add a channel (an Apprise URL that Apprise cannot use is refused with the reason)."""

    async def create() -> object:
        body = ChannelIn(name=name, url=url, min_severity=min_severity)
        return await channels.create(session, actor=viewer.actor, data=body, cipher=cipher)

    _channel, error = await attempt(session, create)
    if error:
        return await _admin_page(request, session, viewer, error=error)
    return redirect("/admin")


@router.post("/admin/channels/{channel_id}/test")
async def test_channel(
    request: Request,
    session: SessionDep,
    viewer: ActAdminister,
    cipher: CipherDep,
    settings: SettingsDep,
    channel_id: RowId,
) -> Response:
    """Send a test message now and show whether the service took it."""
    result = await channels.send_test(
        session, actor=viewer.actor, cipher=cipher, settings=settings, channel_id=channel_id
    )
    return await _admin_page(request, session, viewer, test=result)


@router.post("/admin/channels/{channel_id}/delete")
async def delete_channel(session: SessionDep, viewer: ActAdminister, channel_id: RowId) -> Response:
    """Remove a channel."""
    await alerts.delete_channel(session, actor=viewer.actor, channel_id=channel_id)
    return redirect("/admin")
