"""Logging in and out, and the language switch."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status

from api.deps import PasswordTurn, SessionDep, SettingsDep, client_address
from api.pages.core import (
    LANGUAGE_COOKIE,
    LOGIN_CSRF_COOKIE,
    ActSignedIn,
    SignedIn,
    Viewer,
    attempt,
    language_of,
    redirect,
    render,
    safe_next,
    set_cookie,
)
from fleet.language import N_, Language, gettext
from fleet.users import web

router = APIRouter(include_in_schema=False)
_YEAR = 365 * 24 * 3600


def _login_form(
    request: Request, *, next_: str, message: str | None, status_code: int = 200, username: str = ""
) -> Response:
    # Login CSRF: the form carries a random value that must match a cookie only this site can set.
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        None,
        "login.html",
        status_code=status_code,
        next=next_,
        message=message,
        login_csrf=token,
        username=username,
    )
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token)
    return response


@router.get("/login")
async def login_page(request: Request, next: str | None = None, lang: Language | None = None) -> Response:
    """The login form."""
    if lang is not None:
        response = redirect(f"/login?next={safe_next(next)}")
        set_cookie(response, request, LANGUAGE_COOKIE, lang, max_age=_YEAR)
        return response
    return _login_form(request, next_=safe_next(next), message=None)


@router.post("/login")
async def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _turn: PasswordTurn,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=500)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password (throttled); on success a session cookie and the page asked for."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected.encode(), csrf_token.encode()):
        return _login_form(
            request,
            next_=safe_next(next),
            message=N_("The form had expired; try again."),
            status_code=status.HTTP_400_BAD_REQUEST,
        )
    result = await web.log_in(
        session,
        username=username,
        password=password,
        address=client_address(request),
        language=language_of(request, settings),
        now=datetime.now(UTC),
        settings=settings.web,
    )
    if result.outcome is web.LoginOutcome.THROTTLED:
        return _login_form(
            request,
            next_=safe_next(next),
            message=N_("Too many failed attempts. Try again in a few minutes."),
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            username=username,
        )
    if result.cookie is None:
        return _login_form(
            request,
            next_=safe_next(next),
            message=N_("Wrong username or password."),
            status_code=status.HTTP_401_UNAUTHORIZED,
            username=username,
        )
    response = redirect(safe_next(next))
    set_cookie(response, request, settings.web.cookie_name, result.cookie)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep, settings: SettingsDep, viewer: ActSignedIn) -> Response:
    """End the session here and in the database."""
    await web.log_out(session, viewer.session)
    response = redirect("/login")
    response.delete_cookie(settings.web.cookie_name, path="/", httponly=True, samesite="lax")
    return response


@router.post("/language")
async def switch_language(
    request: Request,
    viewer: ActSignedIn,
    language: Annotated[Language, Form()],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Switch the pages' language for this session (and remember it in this browser for the login form)."""
    viewer.session.language = language
    response = redirect(safe_next(next))
    set_cookie(response, request, LANGUAGE_COOKIE, language, max_age=_YEAR)
    return response


def _account_page(request: Request, viewer: Viewer, *, error: str | None = None, status_code: int = 200) -> Response:
    return render(request, viewer, "account.html", status_code=status_code, error=error)


@router.get("/account")
async def account_page(request: Request, viewer: SignedIn) -> Response:
    """The signed-in person's own account: who they are, and their password."""
    return _account_page(request, viewer)


@router.post("/account/password")
async def change_own_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ActSignedIn,
    _turn: PasswordTurn,
    current_password: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    """Change one's own password (the current one proven, throttled as logins are); other sessions end."""

    async def change() -> web.LoginOutcome:
        return await web.change_own_password(
            session,
            user=viewer.user,
            current_password=current_password,
            password=password,
            address=client_address(request),
            now=datetime.now(UTC),
            settings=settings.web,
            keep_session=viewer.session.id,
        )

    outcome, error = await attempt(session, change, language=viewer.language)
    if error is not None:
        return _account_page(request, viewer, error=error, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    if outcome is web.LoginOutcome.THROTTLED:
        message = gettext(N_("Too many failed attempts. Try again in a few minutes."), viewer.language)
        return _account_page(request, viewer, error=message, status_code=status.HTTP_429_TOO_MANY_REQUESTS)
    if outcome is web.LoginOutcome.REFUSED:
        message = gettext(N_("The current password is wrong."), viewer.language)
        return _account_page(request, viewer, error=message, status_code=status.HTTP_403_FORBIDDEN)
    return redirect("/account?changed=1")
