"""Noting when a token was last used is bookkeeping: a database busy with a long write must neither fail nor hold up
the request that uses the token (SQLite lets one writer in at a time; PostgreSQL may have the row locked)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.app import create_app
from config.settings import Settings
from fleet.db import Database
from fleet.users.models import ApiToken, Role
from tests.builders import make_user
from tests.conftest import bearer


@asynccontextmanager
async def _writer_holding_the_token(database: Database, token_id: int) -> AsyncIterator[AsyncSession]:
    """Another transaction that has written and not committed: SQLite's write lock, PostgreSQL's row lock."""
    async with database.sessions() as session:
        await session.execute(update(ApiToken).where(ApiToken.id == token_id).values(name="held"))
        try:
            yield session
        finally:
            await session.rollback()


async def _last_used(database: Database, token_id: int) -> object:
    async with database.unit_of_work() as session:
        return await session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token_id))


async def test_a_read_with_a_token_answers_while_the_database_is_held_by_a_writer(
    settings: Settings, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    async with database.unit_of_work() as session:
        user, token = await make_user(session, Role.VIEWER, username="kiosk")
        token_id = await session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
    assert token_id is not None
    impatient = settings.model_copy(
        update={"database": settings.database.model_copy(update={"lock_timeout": timedelta(seconds=1)})}
    )
    served = Database(impatient)
    try:
        app = create_app(impatient, served)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://camfleet.test") as http:
            async with _writer_holding_the_token(database, token_id) as writer:
                answer = await http.get("/api/v1/me", headers=bearer(token))
                assert answer.status_code == 200 and answer.json()["username"] == "kiosk"
                assert (await writer.execute(text("SELECT 1"))).scalar() == 1  # still holding
            assert "a token's last use was not noted" in caplog.text
            assert await _last_used(database, token_id) is None
            # Once the writer is done, the next use is noted.
            assert (await http.get("/api/v1/me", headers=bearer(token))).status_code == 200
        assert await _last_used(database, token_id) is not None
    finally:
        await served.dispose()
