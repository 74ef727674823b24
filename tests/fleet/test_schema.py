"""Models and migrations never drift; empty databases upgrade on both engines; audit rows stay."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from fleet import schema
from fleet.audit.models import AuditEntry
from fleet.db import Database


async def test_alembic_check_finds_no_drift(database_url: str, database: Database) -> None:
    await asyncio.to_thread(schema.check, database_url)
    assert await schema.is_current(database.engine)


async def test_audit_log_refuses_update_and_delete(database: Database) -> None:
    async with database.unit_of_work() as session:
        session.add(AuditEntry(actor="test", action="probe"))
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.unit_of_work() as session:
                await session.execute(text(statement))
    async with database.unit_of_work() as session:
        assert (await session.execute(text("SELECT actor FROM audit_log"))).scalar_one() == "test"


async def test_timestamps_come_back_aware_utc(database: Database) -> None:
    amsterdam_summer = timezone(timedelta(hours=2))
    when = datetime(2024, 7, 1, 14, 0, tzinfo=amsterdam_summer)
    async with database.unit_of_work() as session:
        session.add(AuditEntry(actor="test", action="probe", at=when))
    async with database.unit_of_work() as session:
        stored = (await session.execute(text("SELECT 1"))).scalar_one()
        entry = await session.get(AuditEntry, 1)
    assert stored == 1 and entry is not None
    assert entry.at == datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
    assert entry.at.tzinfo is UTC


async def test_naive_timestamps_are_refused(database: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        async with database.unit_of_work() as session:
            session.add(AuditEntry(actor="test", action="probe", at=datetime(2024, 1, 1)))
