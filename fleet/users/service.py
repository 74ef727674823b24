"""Users, password hashing (argon2) and API tokens (stored as SHA-256)."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fleet import offload
from fleet.audit.service import Actor, record
from fleet.db import utcnow
from fleet.errors import Conflict, InvalidInput, NotFound
from fleet.language import LANGUAGES
from fleet.users.models import ApiToken, Role, User
from fleet.users.passwords import PasswordPolicy

TOKEN_PREFIX = "cf_"
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$"
USERNAME = re.compile(USERNAME_PATTERN)
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An argon2id hash of the password (the policy is checked before: PasswordPolicy.check)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; False for service accounts without a password."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _verify_or_pretend(password_hash: str | None, password: str) -> bool:
    """Whether the password matches the hash; without a hash, the same work against a dummy hash, and False."""
    if password_hash is None:
        verify_password(_dummy_hash(), password)
        return False
    return verify_password(password_hash, password)


def _token_hash(token: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(token.encode()).hexdigest()


async def get_by_username(session: AsyncSession, username: str) -> User | None:
    """The user with that name, or None."""
    found: User | None = await session.scalar(select(User).where(User.username == username))
    return found


async def get_by_username_or_raise(session: AsyncSession, username: str) -> User:
    """The user with that name; NotFound otherwise."""
    user = await get_by_username(session, username)
    if user is None:
        raise NotFound("user", username)
    return user


async def list_users(session: AsyncSession) -> Sequence[User]:
    """Every user, by name."""
    return (await session.scalars(select(User).order_by(User.username))).all()


async def create_user(
    session: AsyncSession,
    *,
    actor: Actor,
    username: str,
    role: Role,
    policy: PasswordPolicy,
    password: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
    language: str = "nl",
) -> User:
    """Create a user; without a password it is a service account that only uses tokens."""
    if not USERNAME.fullmatch(username):
        raise InvalidInput("username", "use letters, digits and . _ @ - (at most 100, starting alphanumeric)")
    if language not in LANGUAGES:
        raise InvalidInput("language", f"must be {' or '.join(LANGUAGES)}")
    if await get_by_username(session, username) is not None:
        raise Conflict(f"user {username} already exists")
    if password is not None:
        policy.check(username, password)
    user = User(
        username=username,
        role=role,
        # argon2 takes about 0.1 s of CPU, in C without the GIL: beside the event loop, a few at a time.
        password_hash=await offload.blocking(hash_password, password) if password is not None else None,
        display_name=display_name,
        email=email,
        language=language,
    )
    session.add(user)
    await session.flush()
    await record(
        session,
        actor=actor,
        action="user.create",
        target_type="user",
        target_id=user.id,
        after={"username": username, "role": role, "password": password, "email": email},
    )
    return user


def token_expiry(
    lifetime: timedelta, *, now: datetime, expires_at: datetime | None = None, no_expiry: bool = False
) -> datetime | None:
    """When a new token expires: the moment asked for, never (only when asked for explicitly), else after lifetime."""
    if no_expiry and expires_at is not None:
        raise InvalidInput("expires_at", "give an expiry or ask for none, not both")
    if no_expiry:
        return None
    if expires_at is None:
        return now + lifetime
    if expires_at.tzinfo is None:
        raise InvalidInput("expires_at", "must carry a time zone, e.g. 2027-01-31T12:00:00Z")
    if expires_at <= now:
        raise InvalidInput("expires_at", "must be in the future")
    return expires_at


async def create_token(
    session: AsyncSession, *, actor: Actor, user: User, name: str, expires_at: datetime | None
) -> tuple[ApiToken, str]:
    """Create an API token for the user (expires_at None: never); returns the row and the token text, never stored."""
    if not user.is_active:
        raise Conflict(f"user {user.username} is deactivated; activate it first")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=_token_hash(token), prefix=token[:10], expires_at=expires_at)
    session.add(row)
    await session.flush()
    await record(
        session,
        actor=actor,
        action="token.create",
        target_type="api_token",
        target_id=row.id,
        after={"user": user.username, "name": name, "prefix": row.prefix, "expires_at": expires_at},
    )
    return row, token


# A token's use is noted at most this often: a busy client must not turn every read into a write.
_NOTE_USE_EVERY = timedelta(seconds=60)


async def token_user(session: AsyncSession, token: str) -> tuple[User, bool] | None:
    """The active user a valid, unexpired, unrevoked token belongs to, and whether its use is due to be noted
    (``token_used``); a read only."""
    row: ApiToken | None = await session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    now = utcnow()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    if not row.user.is_active:
        return None
    return row.user, row.last_used_at is None or row.last_used_at < now - _NOTE_USE_EVERY


async def user_for_token(session: AsyncSession, token: str) -> User | None:
    """The active user a valid, unexpired, unrevoked token belongs to."""
    found = await token_user(session, token)
    return None if found is None else found[0]


async def token_used(session: AsyncSession, token: str, *, now: datetime) -> None:
    """Note a token's use (unless another request noted it within the last minute)."""
    await session.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == _token_hash(token))
        .where(or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - _NOTE_USE_EVERY))
        .values(last_used_at=now)
    )


async def authenticate(session: AsyncSession, username: str, password: str) -> User | None:
    """The active user whose password matches, or None."""
    user = await get_by_username(session, username)
    # An unknown name, or a token-only account with no password, costs the same one argon2 check as a known
    # name with a wrong password: the time taken does not tell which names exist or how they sign in.
    stored = user.password_hash if user is not None and user.password_hash else None
    matches = await offload.blocking(_verify_or_pretend, stored, password)
    if user is None or not user.is_active or not matches:
        return None
    return user


async def list_tokens(session: AsyncSession, username: str | None = None) -> Sequence[ApiToken]:
    """Every API token (never the token itself), or one user's (NotFound for an unknown name), newest first."""
    query = select(ApiToken).order_by(ApiToken.id.desc())
    if username is not None:
        user = await get_by_username_or_raise(session, username)
        query = query.where(ApiToken.user_id == user.id)
    return (await session.scalars(query)).all()


async def revoke_token(session: AsyncSession, *, actor: Actor, token_id: int, now: datetime) -> ApiToken:
    """Revoke a token at once (its next request is refused); revoking it again changes nothing."""
    row = await session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("token", token_id)
    if row.revoked_at is None:
        row.revoked_at = now
        await record(
            session,
            actor=actor,
            action="token.revoke",
            target_type="api_token",
            target_id=row.id,
            after={"user": row.user.username, "name": row.name, "prefix": row.prefix},
        )
    return row
