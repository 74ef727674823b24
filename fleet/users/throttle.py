"""Login throttling: exact when many attempts arrive at once, never a long lock-out of the real user.

Failures are counted in one row per key (a user name, a client address), read under its row lock, so parallel
attempts queue on the row instead of all reading "no failures yet". A name past its limit waits (30 s, then twice as
long after each further failure, up to the window); an address past its limit (spraying many names) is refused
for the rest of the window. IPv6 clients are counted per /64, the block one subscriber gets.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import WebSettings
from fleet.audit.service import Actor, record
from fleet.users.models import LoginThrottle


def address_key(address: str) -> str:
    """The key a client address is counted under: IPv4 as it is, IPv6 by its /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return f"address:{address[:100]}"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return f"address:{ip.ipv4_mapped}"
        return f"address:{ipaddress.IPv6Network((ip, 64), strict=False)}"
    return f"address:{ip}"


def name_key(username: str) -> str:
    """The key a user name is counted under: as typed, lower case, known or not."""
    return f"name:{username.strip().lower()[:100]}"


@dataclass(slots=True)
class Counters:
    """The two locked rows of one attempt."""

    name: LoginThrottle
    address: LoginThrottle

    def throttled(self, now: datetime, settings: WebSettings) -> list[LoginThrottle]:
        """The rows that refuse this attempt before its password is checked."""
        refusing = []
        if self.name.blocked_until is not None and now < self.name.blocked_until:
            refusing.append(self.name)
        if self.address.failures >= settings.login_max_failures_per_address:
            refusing.append(self.address)
        return refusing

    def failed(self, now: datetime, settings: WebSettings) -> None:
        """Count a wrong password; past the name's limit it waits, longer after each further failure."""
        self.address.failures += 1
        self.name.failures += 1
        beyond = self.name.failures - settings.login_max_failures_per_user
        if beyond >= 0:
            self.name.blocked_until = now + min(settings.login_delay * 2**beyond, settings.login_window)

    def succeeded(self) -> None:
        """The real user got in: the name starts from nothing again (the address keeps its count)."""
        self.name.failures = 0
        self.name.blocked_until = None


async def refused_as_they_stand(
    session: AsyncSession, *, username: str, address: str, now: datetime, settings: WebSettings
) -> bool:
    """Whether the counters as they stand, read without locking, already refuse the attempt: then it costs no
    password check. Only the locked rows (``counters``) decide the answer."""
    keys = (name_key(username), address_key(address))
    rows = {row.key: row for row in await session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys)))}

    def current(row: LoginThrottle | None) -> LoginThrottle | None:
        window_over = row is not None and row.window_started_at <= now - settings.login_window
        blocked = row is not None and row.blocked_until is not None and now < row.blocked_until
        return None if row is None or (window_over and not blocked) else row

    name, place = current(rows.get(keys[0])), current(rows.get(keys[1]))
    return (name is not None and name.blocked_until is not None and now < name.blocked_until) or (
        place is not None and place.failures >= settings.login_max_failures_per_address
    )


async def counters(
    session: AsyncSession, *, username: str, address: str, now: datetime, settings: WebSettings
) -> Counters:
    """The attempt's rows, locked for this transaction; always the name first, so two attempts never deadlock."""
    await session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.window_started_at < now - settings.login_window,
            or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until < now),
        )
    )
    return Counters(
        name=await _locked(session, name_key(username), now, settings),
        address=await _locked(session, address_key(address), now, settings),
    )


async def _locked(session: AsyncSession, key: str, now: datetime, settings: WebSettings) -> LoginThrottle:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(
        insert(LoginThrottle)
        .values(key=key, window_started_at=now, failures=0, audited=False)
        .on_conflict_do_nothing(index_elements=[LoginThrottle.key])
    )
    # FOR UPDATE on PostgreSQL; on SQLite the insert above already holds the database's one write lock.
    query = select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
    row = (await session.scalars(query.execution_options(populate_existing=True))).one()
    if row.window_started_at <= now - settings.login_window and (row.blocked_until is None or row.blocked_until <= now):
        row.window_started_at, row.failures, row.blocked_until, row.audited = now, 0, None, False
    return row


async def audit_throttled(session: AsyncSession, rows: list[LoginThrottle], *, actor: Actor) -> None:
    """One audit entry per key and window that refused attempts, however many it refused."""
    for row in rows:
        if not row.audited:
            row.audited = True
            await record(
                session,
                actor=actor,
                action="login.throttled",
                target_type="login",
                target_id=row.key,
                after={
                    "failures": row.failures,
                    "blocked_until": row.blocked_until.isoformat() if row.blocked_until else None,
                },
            )
