"""Admin: users, API tokens and notification channels (with "send test")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status

from api.deps import CipherDep, SessionDep, SettingsDep
from api.pages.core import ActAdmin, PageAdmin, Viewer, attempt, redirect, render
from api.routes import alerts as alert_routes
from api.routes import users as user_routes
from fleet.alerts.schemas import ChannelIn, TestResult
from fleet.faults.models import Severity
from fleet.users.models import Role
from fleet.users.service import list_tokens

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
        users=await user_routes.list_users(session, viewer.user),
        tokens=await list_tokens(session),
        channels=await alert_routes.list_channels(session, viewer.user),
        roles=list(Role),
        severities=list(Severity),
        error=error,
        token=token,
        test=test,
    )


@router.get("/admin")
async def admin_page(request: Request, session: SessionDep, viewer: PageAdmin) -> Response:
    """Users, tokens and channels."""
    return await _admin_page(request, session, viewer)


@router.post("/admin/users")
async def create_user(
    request: Request,
    session: SessionDep,
    viewer: ActAdmin,
    username: Short,
    role: Annotated[Role, Form()],
    password: Annotated[str, Form(max_length=200)] = "",
    language: Annotated[str, Form(max_length=2)] = "nl",
) -> Response:
    """Create a user (the API's create; an empty password makes a token-only account)."""

    async def create() -> object:
        body = user_routes.UserCreate(username=username, role=role, password=password or None, language=language)
        return await user_routes.create_user(session, viewer.user, body)

    _user, error = await attempt(session, create)
    if error:
        return await _admin_page(request, session, viewer, error=error)
    return redirect("/admin")


@router.post("/admin/tokens")
async def create_token(
    request: Request, session: SessionDep, viewer: ActAdmin, username: Short, name: Short
) -> Response:
    """Create an API token; it is shown on this answer only (never stored, so never shown again)."""

    async def create() -> user_routes.TokenCreated:
        body = user_routes.TokenCreate(username=username, name=name)
        return await user_routes.create_token(session, viewer.user, body)

    created, error = await attempt(session, create)
    return await _admin_page(request, session, viewer, error=error, token=created.token if created else None)


@router.post("/admin/channels")
async def create_channel(
    request: Request,
    session: SessionDep,
    viewer: ActAdmin,
    cipher: CipherDep,
    name: Short,
    url: Annotated[str, Form(max_length=2000)],
    min_severity: Annotated[Severity, Form()] = Severity.WARNING,
) -> Response:
    """Add a channel (an Apprise URL that Apprise cannot use is refused with the reason)."""

    async def create() -> object:
        body = ChannelIn(name=name, url=url, min_severity=min_severity)
        return await alert_routes.create_channel(session, viewer.user, cipher, body)

    _channel, error = await attempt(session, create)
    if error:
        return await _admin_page(request, session, viewer, error=error)
    return redirect("/admin")


@router.post("/admin/channels/{channel_id}/test")
async def test_channel(
    request: Request,
    session: SessionDep,
    viewer: ActAdmin,
    cipher: CipherDep,
    settings: SettingsDep,
    channel_id: int,
) -> Response:
    """Send a test message now and show whether the service took it."""
    result = await alert_routes.send_test(session, viewer.user, cipher, settings, channel_id)
    return await _admin_page(request, session, viewer, test=result)


@router.post("/admin/channels/{channel_id}/delete")
async def delete_channel(session: SessionDep, viewer: ActAdmin, channel_id: int) -> Response:
    """Remove a channel."""
    await alert_routes.delete_channel(session, viewer.user, channel_id)
    return redirect("/admin")
