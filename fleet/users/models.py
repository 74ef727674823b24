"""People and machines that use camfleet: users with roles, and their API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleet.db import Base, UTCDateTime, enum_column, utcnow


class Role(StrEnum):
    """Roles, lowest first. An auditor reads like a viewer and may also read the audit log; an observer (a municipal
    camera observer) reads like a viewer and keeps the incident register."""

    VIEWER = "viewer"
    AUDITOR = "auditor"
    OBSERVER = "observer"
    TECHNICIAN = "technician"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Position in viewer < technician < coordinator < admin (auditor and observer rank as viewer)."""
        return _RANK[self]

    def at_least(self, other: Role) -> bool:
        """Whether this role may do what ``other`` may do."""
        return self.rank >= other.rank


_RANK = {Role.VIEWER: 0, Role.AUDITOR: 0, Role.OBSERVER: 0, Role.TECHNICIAN: 1, Role.COORDINATOR: 2, Role.ADMIN: 3}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    # Null for service accounts that only use API tokens.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2), default="nl")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", lazy="raise")


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens", lazy="joined")


class WebSession(Base):
    """A signed-in browser; only the SHA-256 of the cookie is stored, and deleting the row logs it out."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Sent back with every form and htmx request (CSRF): an attacker's page cannot read it.
    csrf_token: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2), default="nl")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    address: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship(lazy="joined")


class LoginThrottle(Base):
    """Failed sign-ins counted per key (a user name, or a client address) over a window: one row per key.

    One row, updated under its row lock, is what makes the count exact when many attempts arrive at once.
    """

    __tablename__ = "login_throttles"

    # "name:<as typed, lower case>" (names that do not exist too, so the answer never tells which do) or
    # "address:<IPv4, or the IPv6 /64>".
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # A name past its limit waits until then (longer after each further failure); an address is refused outright.
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Throttling is written to the audit log once per key and window, not once per refused attempt.
    audited: Mapped[bool] = mapped_column(Boolean, default=False)
