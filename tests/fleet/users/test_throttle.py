"""Login throttling: exact under a burst of parallel attempts, a delay rather than a lock-out, audited once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from config.settings import Settings
from fleet.audit.models import AuditEntry
from fleet.db import Database
from fleet.users import service as users
from fleet.users import web
from fleet.users.models import LoginThrottle, Role
from fleet.users.throttle import address_key
from tests.builders import make_user

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
PASSWORD = "the-right-password-1"
WRONG = "wrong-guess-0"


async def _attempt(
    database: Database, settings: Settings, *, password: str, address: str, now: datetime, name: str = "admin"
) -> str:
    async with database.unit_of_work() as session:
        login = await web.log_in(
            session, username=name, password=password, address=address, language="nl", now=now, settings=settings.web
        )
        return login.outcome.value


async def test_a_burst_of_parallel_wrong_passwords_is_counted_exactly(database: Database, settings: Settings) -> None:
    async with database.unit_of_work() as session:
        await make_user(session, Role.ADMIN, username="admin", password=PASSWORD)
    burst = [_attempt(database, settings, password=WRONG, address="127.0.0.9", now=NOW) for _ in range(40)]
    outcomes = await asyncio.gather(*burst)
    limit = settings.web.login_max_failures_per_user
    assert outcomes.count("refused") == limit and outcomes.count("throttled") == 40 - limit
    async with database.unit_of_work() as session:
        row = await session.get(LoginThrottle, "name:admin")
        assert row is not None and row.failures == limit
        audited = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "login.throttled")
        )
    assert audited == 1  # once per window, not once per refused attempt


async def test_the_real_user_waits_a_little_then_gets_in(database: Database, settings: Settings) -> None:
    async with database.unit_of_work() as session:
        await make_user(session, Role.ADMIN, username="admin", password=PASSWORD)
    for _ in range(settings.web.login_max_failures_per_user):
        assert await _attempt(database, settings, password=WRONG, address="127.0.0.9", now=NOW) == "refused"
    delay = settings.web.login_delay
    assert (
        await _attempt(database, settings, password=PASSWORD, address="127.0.0.8", now=NOW + delay / 2) == "throttled"
    )
    # One more wrong guess after the wait doubles the next one.
    assert await _attempt(database, settings, password=WRONG, address="127.0.0.9", now=NOW + delay) == "refused"
    later = NOW + delay + 2 * delay
    early = later - timedelta(seconds=1)
    assert await _attempt(database, settings, password=PASSWORD, address="127.0.0.8", now=early) == "throttled"
    assert await _attempt(database, settings, password=PASSWORD, address="127.0.0.8", now=later) == "ok"
    # In: the name starts from nothing again.
    assert await _attempt(database, settings, password=WRONG, address="127.0.0.8", now=later) == "refused"
    assert await _attempt(database, settings, password=PASSWORD, address="127.0.0.8", now=later) == "ok"


async def test_an_address_past_its_limit_is_refused_for_the_window(database: Database, settings: Settings) -> None:
    settings.web.login_max_failures_per_address = 3
    for name in ("a1", "a2", "a3"):
        assert (
            await _attempt(database, settings, password=WRONG, address="2001:db8::1", now=NOW, name=name) == "refused"
        )
    # Another address of the same /64 is the same subscriber.
    assert await _attempt(database, settings, password=WRONG, address="2001:db8::ffff", now=NOW) == "throttled"
    after = NOW + settings.web.login_window
    assert await _attempt(database, settings, password=WRONG, address="2001:db8::2", now=after) == "refused"


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", True),
        ("2001:db8:1:2::1", "2001:db8:1:3::1", False),
        ("::ffff:192.0.2.7", "192.0.2.7", True),
        ("192.0.2.7", "192.0.2.8", False),
    ],
)
def test_ipv6_is_counted_per_64(one: str, other: str, same: bool) -> None:
    assert (address_key(one) == address_key(other)) is same


async def test_unknown_token_only_and_wrong_password_names_cost_one_argon2_check_each(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with database.unit_of_work() as session:
        await make_user(session, Role.ADMIN, username="person", password=PASSWORD)
        await make_user(session, Role.VIEWER, username="service")  # a token-only account
    checks: list[str] = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            checks.append(str(password))
            return super().verify(hash, password)

    monkeypatch.setattr(users, "_hasher", CountingHasher())
    async with database.unit_of_work() as session:
        for name in ("nobody", "service", "person"):
            assert await users.authenticate(session, name, "a-wrong-password") is None
    assert len(checks) == 3
