"""A dashboard left open on a screen does not keep its session alive: the page's own refreshes (htmx, marked with
`X-Camfleet-Refresh`) are answered while the session lives but do not count as the person being there; only their
own requests slide the idle expiry (`web.session_idle`).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, update

from api.pages.core import AUTO_REFRESH_HEADER
from config.settings import Settings
from fleet.db import Database
from fleet.users.models import WebSession
from tests.api import web
from tests.waiting import INTERVAL, eventually

# As htmx sends the dashboard's refresh: its own header, and the one the page's attribute adds.
REFRESH = {"HX-Request": "true", AUTO_REFRESH_HEADER: "auto"}


async def _last_seen(database: Database) -> datetime:
    async with database.unit_of_work() as session:
        return (await session.scalars(select(WebSession.last_seen_at))).one()


async def test_a_refresh_does_not_touch_the_session_and_a_person_does(
    pages: httpx.AsyncClient, database: Database
) -> None:
    assert (await web.login(pages, "viewer")).status_code == 303
    earlier = datetime.now(UTC) - timedelta(minutes=20)
    async with database.unit_of_work() as session:
        await session.execute(update(WebSession).values(last_seen_at=earlier))
    refreshed = await pages.get("/dashboard/figures", headers=REFRESH)
    assert refreshed.status_code == 200 and 'data-status="down"' in refreshed.text
    assert await _last_seen(database) == earlier
    assert (await pages.get("/dashboard/figures")).status_code == 200  # the same request, asked for by the person
    assert await _last_seen(database) > datetime.now(UTC) - timedelta(minutes=1)


async def test_refreshes_alone_let_a_short_idle_session_expire(settings: Settings, database: Database) -> None:
    idle = timedelta(seconds=2)
    short = settings.model_copy(update={"web": settings.web.model_copy(update={"session_idle": idle})})
    await web.people(database)
    async with web.client(short, database) as pages:
        assert (await web.login(pages, "viewer")).status_code == 303
        # The person keeps working for twice the idle time: still signed in.
        until = time.monotonic() + 2 * idle.total_seconds()
        while time.monotonic() < until:
            assert (await pages.get("/dashboard/figures")).status_code == 200
            await asyncio.sleep(INTERVAL)  # a person's pace; how long this goes on is the clock's, not a condition
        # Then only the dashboard refreshes itself: the session ends, and htmx is sent to the login form.
        ended = await eventually(
            lambda: pages.get("/dashboard/figures", headers=REFRESH),
            lambda answer: answer.status_code == 204,
            timeout=30,
            what="the refreshing dashboard's session to expire",
        )
        assert ended.headers["HX-Redirect"].startswith("/login")
        assert (await pages.get("/")).status_code == 303  # and the person must log in again
