"""Managing accounts in the domain, on both engines: each change takes effect at once and is audited without secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from config.settings import Settings
from fleet.audit.models import AuditEntry
from fleet.db import Database
from fleet.errors import Conflict, InvalidInput, NotFound
from fleet.users import accounts, web
from fleet.users import service as users
from fleet.users.models import ApiToken, Role, WebSession
from fleet.users.passwords import PasswordPolicy, WeakPassword
from tests.builders import TEST_ACTOR, make_user

PASSWORD = "kade-lantaarn-venlo"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
POLICY = PasswordPolicy()


async def _log_in(database: Database, settings: Settings, name: str, password: str = PASSWORD) -> str:
    async with database.unit_of_work() as session:
        login = await web.log_in(
            session,
            username=name,
            password=password,
            address="127.0.0.5",
            language="nl",
            now=datetime.now(UTC),
            settings=settings.web,
        )
        return login.outcome.value


async def _sessions_of(database: Database, user_id: int) -> int:
    async with database.unit_of_work() as session:
        found = await session.scalar(select(func.count()).select_from(WebSession).where(WebSession.user_id == user_id))
        return int(found or 0)


async def _entries(database: Database, action: str) -> list[AuditEntry]:
    async with database.unit_of_work() as session:
        rows = await session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        return list(rows.all())


async def test_deactivating_ends_sessions_and_tokens_at_once(database: Database, settings: Settings) -> None:
    async with database.unit_of_work() as session:
        await make_user(session, Role.ADMIN, username="beheer")
        anna, token = await make_user(session, Role.TECHNICIAN, username="anna", password=PASSWORD)
    assert await _log_in(database, settings, "anna") == "ok"
    assert await _log_in(database, settings, "anna") == "ok"
    assert await _sessions_of(database, anna.id) == 2

    async with database.unit_of_work() as session:
        await accounts.set_active(session, actor=TEST_ACTOR, username="anna", active=False)
    assert await _sessions_of(database, anna.id) == 0
    async with database.unit_of_work() as session:
        assert await users.user_for_token(session, token) is None
    assert await _log_in(database, settings, "anna") == "refused"

    async with database.unit_of_work() as session:
        await accounts.set_active(session, actor=TEST_ACTOR, username="anna", active=True)
    async with database.unit_of_work() as session:
        found = await users.user_for_token(session, token)
        assert found is not None and found.username == "anna"
    assert await _log_in(database, settings, "anna") == "ok"

    [off] = await _entries(database, "user.deactivate")
    [on] = await _entries(database, "user.activate")
    assert (off.actor, off.target_type, off.target_id) == ("test", "user", str(anna.id))
    assert off.after == {"is_active": False, "sessions_ended": 2} and on.after["is_active"] is True


async def test_a_deactivated_name_costs_the_same_one_argon2_check(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with database.unit_of_work() as session:
        await make_user(session, Role.ADMIN, username="beheer")
        await make_user(session, Role.VIEWER, username="weg", password=PASSWORD)
        await accounts.set_active(session, actor=TEST_ACTOR, username="weg", active=False)
    checks: list[str] = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            checks.append(str(password))
            return super().verify(hash, password)

    monkeypatch.setattr(users, "_hasher", CountingHasher())
    async with database.unit_of_work() as session:
        # The right password of a deactivated account: refused after the same one check as a wrong one.
        assert await users.authenticate(session, "weg", PASSWORD) is None
        assert await users.authenticate(session, "nobody", PASSWORD) is None
    assert checks == [PASSWORD, PASSWORD]


async def test_the_last_active_admin_cannot_be_removed(database: Database) -> None:
    async with database.unit_of_work() as session:
        await make_user(session, Role.ADMIN, username="enige")
    async with database.unit_of_work() as session:
        with pytest.raises(Conflict, match="last active admin"):
            await accounts.set_active(session, actor=TEST_ACTOR, username="enige", active=False)
        with pytest.raises(Conflict, match="last active admin"):
            await accounts.set_role(session, actor=TEST_ACTOR, username="enige", role=Role.VIEWER)
        with pytest.raises(NotFound, match="user nobody not found"):
            await accounts.set_role(session, actor=TEST_ACTOR, username="nobody", role=Role.VIEWER)
        await make_user(session, Role.ADMIN, username="tweede")
        demoted = await accounts.set_role(session, actor=TEST_ACTOR, username="enige", role=Role.VIEWER)
        assert demoted.role is Role.VIEWER
    [entry] = await _entries(database, "user.role")
    assert entry.before == {"username": "enige", "role": "admin"} and entry.after == {"role": "viewer"}


async def test_a_password_is_set_under_the_policy_and_never_audited(database: Database, settings: Settings) -> None:
    async with database.unit_of_work() as session:
        piet, _token = await make_user(session, Role.COORDINATOR, username="piet", password=PASSWORD)
    assert await _log_in(database, settings, "piet") == "ok"
    assert await _log_in(database, settings, "piet") == "ok"
    async with database.unit_of_work() as session:
        kept = await session.scalar(select(func.min(WebSession.id)).where(WebSession.user_id == piet.id))
        for weak in ("kort", "Piet-op-de-brug-7", "password123456"):
            with pytest.raises(WeakPassword):
                await accounts.set_password(session, actor=TEST_ACTOR, username="piet", password=weak, policy=POLICY)
        new = "nieuwe-brug-over-de-maas"
        await accounts.set_password(
            session, actor=TEST_ACTOR, username="piet", password=new, policy=POLICY, keep_session=kept
        )
    assert await _sessions_of(database, piet.id) == 1  # the other session ended, the one kept stays
    assert await _log_in(database, settings, "piet") == "refused"
    assert await _log_in(database, settings, "piet", "nieuwe-brug-over-de-maas") == "ok"
    [entry] = await _entries(database, "user.password")
    assert entry.after == {"password_set": True, "sessions_ended": 1}
    async with database.unit_of_work() as session:
        everything = " ".join(str((e.before, e.after)) for e in (await session.scalars(select(AuditEntry))).all())
    assert PASSWORD not in everything and "nieuwe-brug" not in everything


async def test_create_user_applies_the_policy(database: Database) -> None:
    async with database.unit_of_work() as session:
        with pytest.raises(WeakPassword, match="user name"):
            await users.create_user(
                session, actor=TEST_ACTOR, username="Joost", role=Role.VIEWER, password="JOOST-venlo-1", policy=POLICY
            )
        with pytest.raises(WeakPassword, match="at least 20"):
            await users.create_user(
                session,
                actor=TEST_ACTOR,
                username="kees",
                role=Role.VIEWER,
                password=PASSWORD,
                policy=PasswordPolicy(min_length=20),
            )


async def test_a_revoked_token_is_refused_and_revoking_again_changes_nothing(database: Database) -> None:
    async with database.unit_of_work() as session:
        user, token = await make_user(session, Role.VIEWER, username="grafana")
        [row] = await users.list_tokens(session, "grafana")
        token_id = row.id
    async with database.unit_of_work() as session:
        revoked = await users.revoke_token(session, actor=TEST_ACTOR, token_id=token_id, now=NOW)
        assert revoked.revoked_at == NOW
    async with database.unit_of_work() as session:
        assert await users.user_for_token(session, token) is None
        again = await users.revoke_token(session, actor=TEST_ACTOR, token_id=token_id, now=NOW + timedelta(days=1))
        assert again.revoked_at == NOW
        with pytest.raises(NotFound, match="token 987654 not found"):
            await users.revoke_token(session, actor=TEST_ACTOR, token_id=987654, now=NOW)
        with pytest.raises(NotFound, match="user nobody not found"):
            await users.list_tokens(session, "nobody")
    [entry] = await _entries(database, "token.revoke")
    assert (entry.target_type, entry.target_id) == ("api_token", str(token_id))
    assert entry.after is not None and entry.after["user"] == "grafana" and token not in str(entry.after)


async def test_tokens_expire_after_the_lifetime_unless_made_without(database: Database) -> None:
    lifetime = timedelta(days=90)
    assert users.token_expiry(lifetime, now=NOW) == NOW + lifetime
    assert users.token_expiry(lifetime, now=NOW, no_expiry=True) is None
    assert users.token_expiry(lifetime, now=NOW, expires_at=NOW + timedelta(hours=1)) == NOW + timedelta(hours=1)
    for wrong in (
        {"expires_at": NOW - timedelta(seconds=1)},
        {"expires_at": datetime(2027, 1, 1)},  # no time zone
        {"expires_at": NOW + timedelta(days=1), "no_expiry": True},
    ):
        with pytest.raises(InvalidInput):
            users.token_expiry(lifetime, now=NOW, **wrong)  # type: ignore[arg-type]

    async with database.unit_of_work() as session:
        user, _token = await make_user(session, Role.VIEWER, username="kiosk")
        soon = datetime.now(UTC) + timedelta(minutes=5)
        row, token = await users.create_token(session, actor=TEST_ACTOR, user=user, name="kiosk", expires_at=soon)
    async with database.unit_of_work() as session:
        assert await users.user_for_token(session, token) is not None
        stored = await session.get(ApiToken, row.id)
        assert stored is not None
        stored.expires_at = datetime.now(UTC) - timedelta(seconds=1)  # its time has come
    async with database.unit_of_work() as session:
        assert await users.user_for_token(session, token) is None
        kiosk = await accounts.set_active(session, actor=TEST_ACTOR, username="kiosk", active=False)
        with pytest.raises(Conflict, match="deactivated"):
            await users.create_token(session, actor=TEST_ACTOR, user=kiosk, name="again", expires_at=None)
