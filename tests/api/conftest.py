"""Fixtures of the API and page tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from config.settings import Settings
from fleet.db import Database
from tests.api import web


@pytest_asyncio.fixture
async def pages(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client of the pages; one user of each role exists (see tests.api.web)."""
    await web.people(database)
    async with web.client(settings, database) as http:
        yield http
