"""What every page shares: templates, the signed-in session, role checks, CSRF and security headers."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import RedirectResponse

from api import errors
from api.authz import RULES, Action, may
from api.deps import SessionDep, SettingsDep
from api.pages import i18n
from config.settings import Settings
from config.zone import LOCAL
from fleet.audit.service import Actor
from fleet.errors import DomainError, InvalidInput
from fleet.language import LANGUAGES, N_, Language
from fleet.users import web
from fleet.users.models import User, WebSession
from fleet.users.passwords import WeakPassword

LANGUAGE_COOKIE = "camfleet_lang"
LOGIN_CSRF_COOKIE = "camfleet_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
# What a page sends when it refreshes itself (the dashboard's htmx polling): not a sign the person is still there.
AUTO_REFRESH_HEADER = "X-Camfleet-Refresh"
T = TypeVar("T")


def _local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return "—" if value is None else value.astimezone(LOCAL).strftime(fmt)


@cache
def templates(language: Language) -> Jinja2Templates:
    """The pages' templates in the language, with the local-time filter."""
    found = i18n.templates(language)
    found.env.filters["local"] = _local
    return found


class LoginRequired(Exception):
    """No live session: the browser is sent to the login form (htmx is told to go there itself)."""


async def login_required(request: Request, _exc: Exception) -> Response:
    """Redirect to the login form, keeping where the person wanted to go."""
    target = "/login?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    if request.headers.get("HX-Request"):
        return Response(status_code=status.HTTP_204_NO_CONTENT, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)


def is_https(request: Request) -> bool:
    """Whether the browser reached us over HTTPS (directly, or via a trusted proxy that uvicorn believed)."""
    return request.url.scheme == "https"


def language_of(request: Request, settings: Settings) -> Language:
    """The language cookie if valid, else the configured default."""
    wanted = request.cookies.get(LANGUAGE_COOKIE, "")
    for language in LANGUAGES:
        if wanted == language:
            return language
    return settings.web.language


def set_cookie(response: Response, request: Request, name: str, value: str, *, max_age: int | None = None) -> None:
    """A cookie scripts cannot read, not sent on cross-site requests, Secure over HTTPS."""
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", secure=is_https(request), path="/")


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person of a page request."""

    session: WebSession
    user: User
    language: Language

    @property
    def actor(self) -> Actor:
        """The audit-log actor."""
        return Actor(name=self.user.username, user_id=self.user.id)

    def may(self, action: str) -> bool:
        """Whether the person may do the action (templates hide the buttons of what they may not)."""
        return may(self.user.role, Action(action))


async def _signed_in(request: Request, session: SessionDep, settings: SettingsDep) -> Viewer:
    cookie = request.cookies.get(settings.web.cookie_name)
    if not cookie:
        raise LoginRequired
    by_person = AUTO_REFRESH_HEADER.lower() not in request.headers
    row = await web.current(session, cookie, now=datetime.now(UTC), settings=settings.web, touch=by_person)
    if row is None:
        raise LoginRequired
    language: Language = "en" if row.language == "en" else "nl"
    return Viewer(session=row, user=row.user, language=language)


SignedIn = Annotated[Viewer, Depends(_signed_in)]


async def check_csrf(request: Request, viewer: Viewer) -> None:
    """Refuse a state change whose token (form field or htmx header) is not this session's."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if sent is None or not secrets.compare_digest(sent.encode(), viewer.session.csrf_token.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="missing or wrong CSRF token; reload the page")


def _page_permission(action: Action | None, *, acts: bool) -> Callable[..., Coroutine[Any, Any, Viewer]]:
    async def check(request: Request, viewer: SignedIn) -> Viewer:
        if acts:
            await check_csrf(request, viewer)
        if action is not None and not may(viewer.user.role, action):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=RULES[action].refusal)
        return viewer

    return check


# Pages follow the API's rule for each action (api.authz); acting (POST) also needs the session's CSRF token.
PAGE_PERMISSIONS = {action: _page_permission(action, acts=False) for action in Action}
ACT_PERMISSIONS = {action: _page_permission(action, acts=True) for action in Action}
PageRead = Annotated[Viewer, Depends(PAGE_PERMISSIONS[Action.READ])]
PageAdminister = Annotated[Viewer, Depends(PAGE_PERMISSIONS[Action.ADMINISTER])]
ActSignedIn = Annotated[Viewer, Depends(_page_permission(None, acts=True))]
ActAcknowledgeFaults = Annotated[Viewer, Depends(ACT_PERMISSIONS[Action.ACKNOWLEDGE_FAULTS])]
ActWorkOnTickets = Annotated[Viewer, Depends(ACT_PERMISSIONS[Action.WORK_ON_TICKETS])]
ActPlanMaintenance = Annotated[Viewer, Depends(ACT_PERMISSIONS[Action.PLAN_MAINTENANCE])]
ActAdminister = Annotated[Viewer, Depends(ACT_PERMISSIONS[Action.ADMINISTER])]
ActRegisterIncidents = Annotated[Viewer, Depends(ACT_PERMISSIONS[Action.REGISTER_INCIDENTS])]
ActHoldRecordings = Annotated[Viewer, Depends(ACT_PERMISSIONS[Action.HOLD_RECORDINGS])]


def render(request: Request, viewer: Viewer | None, template: str, status_code: int = 200, **values: Any) -> Response:
    """A page in the viewer's language, with the CSRF token and role checks at hand."""
    settings: Settings = request.app.state.settings
    language = viewer.language if viewer else language_of(request, settings)
    context = {
        "lang": language,
        "viewer": viewer,
        "csrf": viewer.session.csrf_token if viewer else None,
        "web": settings.web,
        "path": request.url.path,
        **values,
    }
    return templates(language).TemplateResponse(request, template, context, status_code=status_code)


def local_time(text: str, field: str) -> datetime:
    """A form's date and time (a datetime-local input: the local time zone unless it names one)."""
    try:
        naive = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(field, "give a date and time, e.g. 2026-03-01T06:00") from exc
    return naive.replace(tzinfo=LOCAL) if naive.tzinfo is None else naive


def safe_next(target: str | None) -> str:
    """A path on this site to go on to; "//evil.example" or "https://…" would make a form an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def redirect(url: str) -> Response:
    """After a successful POST: see the result with a GET (so a reload does not repeat the action)."""
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


def is_page(request: Request) -> bool:
    """Whether the request is for a page or static file rather than the JSON API, metrics or API docs."""
    return not request.url.path.startswith(("/api/", "/metrics", "/docs", "/redoc", "/openapi.json"))


async def page_error(request: Request, exc: Exception) -> Response:
    """A refused or missing page as a page in the person's language; the API keeps its JSON answers."""
    if not is_page(request):
        if isinstance(exc, HTTPException):
            return await http_exception_handler(request, exc)
        return await errors.not_found(request, exc)
    code = exc.status_code if isinstance(exc, HTTPException) else status.HTTP_404_NOT_FOUND
    if code not in (status.HTTP_403_FORBIDDEN, status.HTTP_404_NOT_FOUND):
        assert isinstance(exc, HTTPException)
        return await http_exception_handler(request, exc)
    message = (
        N_("Not allowed (your role, or the form had expired).")
        if code == status.HTTP_403_FORBIDDEN
        else N_("Not found.")
    )
    detail = exc.detail if isinstance(exc, HTTPException) else str(exc)
    return render(request, None, "error.html", status_code=code, message=message, detail=detail)


async def attempt(
    session: AsyncSession, action: Callable[[], Awaitable[T]], *, language: Language = "en"
) -> tuple[T | None, str | None]:
    """Run a change in a savepoint: its result, or (nothing kept and) the reason it was refused, to show."""
    try:
        async with session.begin_nested():
            return await action(), None
    except WeakPassword as exc:
        return None, exc.text(language)
    except DomainError as exc:
        return None, str(exc)
    except ValidationError as exc:
        return None, "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
