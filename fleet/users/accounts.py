"""Managing accounts after they exist: deactivate and reactivate, change a role, set a password.

Each change takes effect on the next request: tokens and page sessions look their user up every time, and ending
an account's sessions deletes their rows (fleet/users/web.py). Each change writes one audit entry, never a secret.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet import offload
from fleet.audit.service import Actor, record
from fleet.errors import Conflict
from fleet.users.models import Role, User, WebSession
from fleet.users.passwords import PasswordPolicy
from fleet.users.service import get_by_username_or_raise, hash_password


async def _ensure_another_admin(session: AsyncSession, user: User) -> None:
    """Refuse to take away the last active admin: nobody could manage accounts in the pages or the API after."""
    if user.role is not Role.ADMIN or not user.is_active:
        return
    others = await session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN, User.is_active.is_(True), User.id != user.id)
    )
    if not others:
        raise Conflict(f"{user.username} is the last active admin; make another admin first")


async def end_sessions(session: AsyncSession, user: User, *, keep: int | None = None) -> int:
    """Sign the user out of every browser (but the session ``keep``); how many sessions ended."""
    query = delete(WebSession).where(WebSession.user_id == user.id)
    if keep is not None:
        query = query.where(WebSession.id != keep)
    # The default synchronisation also forgets the rows this transaction had loaded (a page's own session).
    result = await session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)


async def set_active(session: AsyncSession, *, actor: Actor, username: str, active: bool) -> User:
    """Deactivate (its sessions end, its tokens stop working, it cannot sign in) or reactivate an account."""
    user = await get_by_username_or_raise(session, username)
    if user.is_active == active:
        return user
    if not active:
        await _ensure_another_admin(session, user)
    user.is_active = active
    ended = 0 if active else await end_sessions(session, user)
    await record(
        session,
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        target_type="user",
        target_id=user.id,
        before={"username": user.username, "is_active": not active},
        after={"is_active": active, "sessions_ended": ended},
    )
    return user


async def set_role(session: AsyncSession, *, actor: Actor, username: str, role: Role) -> User:
    """Change an account's role; its next request (token or page) is judged by the new one."""
    user = await get_by_username_or_raise(session, username)
    if user.role is role:
        return user
    if role is not Role.ADMIN:
        await _ensure_another_admin(session, user)
    before = user.role
    user.role = role
    await record(
        session,
        actor=actor,
        action="user.role",
        target_type="user",
        target_id=user.id,
        before={"username": user.username, "role": before},
        after={"role": role},
    )
    return user


async def set_password(
    session: AsyncSession,
    *,
    actor: Actor,
    username: str,
    password: str,
    policy: PasswordPolicy,
    keep_session: int | None = None,
) -> User:
    """Set or reset a password under the policy; the account's other browser sessions end (a reset often follows
    a leak). Its API tokens are separate credentials and stay."""
    user = await get_by_username_or_raise(session, username)
    policy.check(user.username, password)
    # argon2 takes about 0.1 s of CPU: beside the event loop, as create_user does.
    user.password_hash = await offload.blocking(hash_password, password)
    ended = await end_sessions(session, user, keep=keep_session)
    await record(
        session,
        actor=actor,
        action="user.password",
        target_type="user",
        target_id=user.id,
        before={"username": user.username},
        after={"password_set": True, "sessions_ended": ended},
    )
    return user
