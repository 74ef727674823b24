"""Sign-in for the pages: server-side sessions with idle and absolute expiry, and login throttling."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import WebSettings
from fleet.audit.service import Actor, record
from fleet.users import accounts, throttle
from fleet.users.models import User, WebSession
from fleet.users.passwords import PasswordPolicy
from fleet.users.service import authenticate

# Sessions are touched at most this often (or a quarter of the idle time, if that is shorter), so reading pages does
# not turn every request into a write.
_TOUCH_EVERY = timedelta(seconds=60)


def _hash(token: str) -> str:
    # The cookie carries 256 bits of randomness: a fast hash is enough (nothing to guess from a dictionary).
    return hashlib.sha256(token.encode()).hexdigest()


class LoginOutcome(StrEnum):
    OK = "ok"
    REFUSED = "refused"  # wrong name or password: the page says only that
    THROTTLED = "throttled"  # too many failures for the name or the address


@dataclass(frozen=True, slots=True)
class Login:
    outcome: LoginOutcome
    cookie: str | None = None
    session: WebSession | None = None


async def log_in(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    address: str,
    language: str,
    now: datetime,
    settings: WebSettings,
) -> Login:
    """Check the password unless throttled; on success a new session (its cookie value returned once).

    The password is checked (argon2, beside the event loop) before the attempt's counters are locked: on SQLite that
    lock is the database's one write lock, and polling must not wait for a password check. The locked counters then
    decide: an attempt that a block reached meanwhile is refused as throttled, whatever its password, so parallel
    attempts learn no more than attempts one after another.
    """
    user = None
    refused = await throttle.refused_as_they_stand(
        session, username=username, address=address, now=now, settings=settings
    )
    if not refused:
        user = await authenticate(session, username.strip(), password)
    await _prune_sessions(session, now=now, settings=settings)
    rows = await throttle.counters(session, username=username, address=address, now=now, settings=settings)
    actor = Actor(name=f"login:{address}")
    refusing = rows.throttled(now, settings)
    if refusing or refused:
        await throttle.audit_throttled(session, refusing, actor=actor)
        return Login(LoginOutcome.THROTTLED)
    if user is None:
        rows.failed(now, settings)
        target = throttle.name_key(username).removeprefix("name:")
        await record(session, actor=actor, action="login.failed", target_type="user", target_id=target)
        return Login(LoginOutcome.REFUSED)
    rows.succeeded()
    cookie = secrets.token_urlsafe(32)
    row = WebSession(
        user_id=user.id,
        token_hash=_hash(cookie),
        csrf_token=secrets.token_urlsafe(32),
        language=language,
        created_at=now,
        last_seen_at=now,
        address=address[:64],
    )
    session.add(row)
    await session.flush()
    row.user = user
    await record(
        session,
        actor=Actor(name=user.username, user_id=user.id),
        action="login",
        target_type="user",
        target_id=user.id,
        after={"address": address},
    )
    return Login(LoginOutcome.OK, cookie=cookie, session=row)


async def change_own_password(
    session: AsyncSession,
    *,
    user: User,
    current_password: str,
    password: str,
    address: str,
    now: datetime,
    settings: WebSettings,
    keep_session: int | None = None,
) -> LoginOutcome:
    """A person changes their own password, proving the current one first.

    The new one must meet the policy (WeakPassword, before anything is counted). The current password is checked as a
    login is, under the same throttle for the name and the address: this door is no faster for guessing than the
    login form. On success the person's other browser sessions end (``keep_session`` stays).
    """
    PasswordPolicy.of(settings).check(user.username, password)
    refused = await throttle.refused_as_they_stand(
        session, username=user.username, address=address, now=now, settings=settings
    )
    proven = not refused and await authenticate(session, user.username, current_password) is not None
    rows = await throttle.counters(session, username=user.username, address=address, now=now, settings=settings)
    actor = Actor(name=user.username, user_id=user.id)
    refusing = rows.throttled(now, settings)
    if refusing or refused:
        await throttle.audit_throttled(session, refusing, actor=actor)
        return LoginOutcome.THROTTLED
    if not proven:
        rows.failed(now, settings)
        await record(session, actor=actor, action="user.password_refused", target_type="user", target_id=user.id)
        return LoginOutcome.REFUSED
    rows.succeeded()
    await accounts.set_password(
        session,
        actor=actor,
        username=user.username,
        password=password,
        policy=PasswordPolicy.of(settings),
        keep_session=keep_session,
    )
    return LoginOutcome.OK


async def current(
    session: AsyncSession, cookie: str, *, now: datetime, settings: WebSettings, touch: bool = True
) -> WebSession | None:
    """The live session behind a cookie; None (and the row removed) once expired or its user inactive.

    ``touch`` (a person's own request) slides its idle expiry; a page refreshing itself does not, so a screen left
    open still ends its session after ``session_idle``.
    """
    row: WebSession | None = await session.scalar(select(WebSession).where(WebSession.token_hash == _hash(cookie)))
    if row is None:
        return None
    expired = now - row.last_seen_at > settings.session_idle or now - row.created_at > settings.session_absolute
    if expired or not row.user.is_active:
        await session.delete(row)
        return None
    if touch and now - row.last_seen_at > min(_TOUCH_EVERY, settings.session_idle / 4):
        row.last_seen_at = now
    return row


async def log_out(session: AsyncSession, row: WebSession) -> None:
    """End a session."""
    await record(
        session,
        actor=Actor(name=row.user.username, user_id=row.user_id),
        action="logout",
        target_type="user",
        target_id=row.user_id,
    )
    await session.delete(row)


async def _prune_sessions(session: AsyncSession, *, now: datetime, settings: WebSettings) -> None:
    await session.execute(
        delete(WebSession).where(
            or_(
                WebSession.last_seen_at < now - settings.session_idle,
                WebSession.created_at < now - settings.session_absolute,
            )
        )
    )
