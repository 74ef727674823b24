"""A big list's count is kept for a few seconds and repeated with the moment it was made; small ones never are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fleet import pagination
from fleet.cameras import reading
from fleet.cameras.filters import CameraFilter
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.pagination import Window
from tests.builders import make_camera

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


async def _total(database: Database, at: datetime, *, count: bool = False, page: int = 1) -> tuple[int, datetime]:
    async with database.unit_of_work() as session:
        found = await reading.page_of(
            session, CameraFilter(), Window(size=1, page=page, count=count), maintenance=set(), now=at
        )
    return found.total, found.total_counted_at


async def _add_camera(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        await make_camera(session, cipher)


async def test_a_big_count_is_repeated_with_its_moment_for_a_few_seconds(
    database: Database, cipher: CredentialCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pagination, "BIG_COUNT", 3)
    monkeypatch.setattr(pagination, "_counts", {})
    for _ in range(2):
        await _add_camera(database, cipher)
    assert await _total(database, T0) == (2, T0)  # small: counted every time
    await _add_camera(database, cipher)
    assert await _total(database, T0) == (3, T0)  # big now: kept
    await _add_camera(database, cipher)
    soon = T0 + pagination.COUNT_KEPT - timedelta(seconds=1)
    assert await _total(database, soon, page=2) == (3, T0)  # another page of the same list: the kept count
    assert await _total(database, soon, count=True) == (4, soon)  # count=true counts
    later = soon + pagination.COUNT_KEPT
    await _add_camera(database, cipher)
    assert await _total(database, later) == (5, later)  # too old: counted again
