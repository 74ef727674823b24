"""Admin: users (create, deactivate, role, password), API tokens (create, revoke) and notification channels."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request, Response, status

from api import channels
from api.deps import CipherDep, SessionDep, SettingsDep
from api.pages.core import ActAdminister, PageAdminister, Viewer, attempt, redirect, render
from config.durations import format_duration
from config.settings import Settings
from fleet.alerts import service as alerts
from fleet.alerts.schemas import ChannelIn, TestResult
from fleet.db import RowId, utcnow
from fleet.faults.models import Severity
from fleet.users import accounts
from fleet.users import service as users
from fleet.users.models import Role
from fleet.users.passwords import PasswordPolicy
from fleet.users.schemas import TokenCreate, TokenOut, UserCreate

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Form(max_length=200)]
Username = Annotated[str, Path(max_length=100, pattern=users.USERNAME_PATTERN)]


async def _admin_page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    *,
    error: str | None = None,
    token: str | None = None,
    test: TestResult | None = None,
) -> Response:
    now = utcnow()
    settings: Settings = request.app.state.settings
    return render(
        request,
        viewer,
        "admin.html",
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if error else status.HTTP_200_OK,
        users=await users.list_users(session),
        tokens=[TokenOut.of(row, now=now) for row in await users.list_tokens(session)],
        channels=await alerts.list_channels(session),
        roles=list(Role),
        token_lifetime=format_duration(settings.api.token_lifetime),
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
    settings: SettingsDep,
    viewer: ActAdminister,
    username: Short,
    role: Annotated[Role, Form()],
    password: Annotated[str, Form(max_length=200)] = "",
    language: Annotated[str, Form(max_length=2)] = "nl",
) -> Response:
    """Create a user (the API's create; an empty password makes a token-only account)."""

    async def create() -> object:
        body = UserCreate(username=username, role=role, password=password or None, language=language)
        policy = PasswordPolicy.of(settings.web)
        return await users.create_user(session, actor=viewer.actor, policy=policy, **body.model_dump())

    _user, error = await attempt(session, create, language=viewer.language)
    if error:
        return await _admin_page(request, session, viewer, error=error)
    return redirect("/admin")


@router.post("/admin/users/{username}/deactivate")
async def deactivate_user(request: Request, session: SessionDep, viewer: ActAdminister, username: Username) -> Response:
    """Deactivate an account: its sessions end and its tokens stop working at once."""

    async def change() -> object:
        return await accounts.set_active(session, actor=viewer.actor, username=username, active=False)

    return await _after(request, session, viewer, change)


@router.post("/admin/users/{username}/activate")
async def activate_user(request: Request, session: SessionDep, viewer: ActAdminister, username: Username) -> Response:
    """Reactivate an account."""

    async def change() -> object:
        return await accounts.set_active(session, actor=viewer.actor, username=username, active=True)

    return await _after(request, session, viewer, change)


@router.post("/admin/users/{username}/role")
async def change_role(
    request: Request, session: SessionDep, viewer: ActAdminister, username: Username, role: Annotated[Role, Form()]
) -> Response:
    """Change an account's role; its next request is judged by the new one."""

    async def change() -> object:
        return await accounts.set_role(session, actor=viewer.actor, username=username, role=role)

    return await _after(request, session, viewer, change)


@router.post("/admin/users/{username}/password")
async def set_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ActAdminister,
    username: Username,
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    """Set or reset a password under the policy; the account's other sessions end (this one stays)."""

    async def change() -> object:
        return await accounts.set_password(
            session,
            actor=viewer.actor,
            username=username,
            password=password,
            policy=PasswordPolicy.of(settings.web),
            keep_session=viewer.session.id,
        )

    return await _after(request, session, viewer, change)


@router.post("/admin/tokens")
async def create_token(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ActAdminister,
    username: Short,
    name: Short,
    no_expiry: Annotated[bool, Form()] = False,
) -> Response:
    """Create an API token; it is shown on this answer only (never stored, so never shown again)."""

    async def create() -> str:
        body = TokenCreate(username=username, name=name, no_expiry=no_expiry)
        user = await users.get_by_username_or_raise(session, body.username)
        expires_at = users.token_expiry(settings.api.token_lifetime, now=utcnow(), no_expiry=body.no_expiry)
        _row, token = await users.create_token(
            session, actor=viewer.actor, user=user, name=body.name, expires_at=expires_at
        )
        return token

    token, error = await attempt(session, create, language=viewer.language)
    return await _admin_page(request, session, viewer, error=error, token=token)


@router.post("/admin/tokens/{token_id}/revoke")
async def revoke_token(request: Request, session: SessionDep, viewer: ActAdminister, token_id: RowId) -> Response:
    """Revoke a token: its next request is refused."""

    async def change() -> object:
        return await users.revoke_token(session, actor=viewer.actor, token_id=token_id, now=utcnow())

    return await _after(request, session, viewer, change)


async def _after(
    request: Request, session: SessionDep, viewer: Viewer, change: Callable[[], Awaitable[object]]
) -> Response:
    """Run an account change: back to the admin page, or the page again with the reason it was refused."""
    _done, error = await attempt(session, change, language=viewer.language)
    if error:
        return await _admin_page(request, session, viewer, error=error)
    return redirect("/admin")


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
