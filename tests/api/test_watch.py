"""Who is looking, as the API and the dashboard show it: per poller group its live collectors and the age of its
newest result; a silent group's warning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from config.checks import CheckKind
from config.settings import Settings
from fleet.cameras.models import Camera
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health import watch
from fleet.health.claims import ensure_check_states
from fleet.health.recording import Outcome, record
from tests.api import web
from tests.builders import make_camera


async def _two_groups(database: Database, cipher: CredentialCipher, settings: Settings) -> datetime:
    """zone-a checked 40 s ago by a live collector; zone-b last heard of and checked ten minutes ago, now silent."""
    now = datetime.now(UTC)
    async with database.unit_of_work() as session:
        a = await make_camera(session, cipher, name="A-1", poller_group="zone-a")
        b = await make_camera(session, cipher, name="B-1", poller_group="zone-b")
        await ensure_check_states(session, now=now - timedelta(minutes=20))
        results = [(a.id, now - timedelta(seconds=40)), (b.id, now - timedelta(minutes=10))]
        await record(
            session,
            [
                Outcome(camera_id=i, kind=CheckKind.REACHABILITY, at=at, ok=True, duration_s=0.01, next_due_at=at)
                for i, at in results
            ],
            settings=settings,
        )
        await watch.beat(session, name="host:1:zone-a", poller_group="zone-a", now=now - timedelta(seconds=5))
        await watch.beat(session, name="host:2:zone-b", poller_group="zone-b", now=now - timedelta(minutes=10))
        await watch.sweep(session, now=now, settings=settings, watching_since=now - timedelta(hours=1))
    return now


async def test_health_reports_the_age_of_the_newest_result_per_poller_group(
    client: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    await _two_groups(database, cipher, settings)
    body = (await client.get("/api/v1/health")).json()
    assert (body["status"], body["database"]) == ("ok", "ok")  # the existing fields as they were
    groups = {g["name"]: g for g in body["poller_groups"]}
    assert set(groups) == {"zone-a", "zone-b"}
    assert groups["zone-a"]["live_collectors"] == 1 and groups["zone-b"]["live_collectors"] == 0
    assert 40 <= groups["zone-a"]["newest_result_age_s"] < 100
    assert 600 <= groups["zone-b"]["newest_result_age_s"] < 700
    assert groups["zone-b"]["cameras"] == 1 and groups["zone-b"]["last_heartbeat_at"] is not None
    async with database.unit_of_work() as session:
        statuses = {c.name: c.status.value for c in await session.scalars(select(Camera))}
    assert statuses == {"A-1": "up", "B-1": "unknown"}


async def test_the_dashboard_warns_of_a_silent_poller_group(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    await _two_groups(database, cipher, settings)
    await web.login(pages, "viewer")
    figures = (await pages.get("/dashboard/figures")).text
    assert 'data-silent="zone-b"' in figures and 'data-silent="zone-a"' not in figures
    assert "Niemand controleert pollergroep zone-b sinds" in figures
    assert 'data-group="zone-a"' in figures and "Actieve collectors" in figures
    faults = (await pages.get("/faults")).text
    assert "Geen collector controleert deze pollergroep" in faults


async def test_metrics_give_each_poller_group_its_collectors_and_newest_result_age(
    client: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    await _two_groups(database, cipher, settings)
    text = (await client.get("/metrics")).text
    assert 'camfleet_poller_group_live_collectors{group="zone-a"} 1.0' in text
    assert 'camfleet_poller_group_live_collectors{group="zone-b"} 0.0' in text
    [age] = [
        line
        for line in text.splitlines()
        if line.startswith('camfleet_poller_group_newest_result_age_seconds{group="zone-b"}')
    ]
    assert 600 <= float(age.split()[-1]) < 700
    assert 'camfleet_cameras{status="unknown"} 1.0' in text
