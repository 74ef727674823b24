"""Uptime figures from the database on both engines: intervals, maintenance scopes, installation, grouping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from config.settings import Settings
from fleet.cameras import reading as camera_reading
from fleet.cameras.models import CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health.models import StatusInterval
from fleet.maintenance import service as maintenance
from fleet.maintenance.schemas import MaintenanceWindowIn
from fleet.tickets.models import Priority, RepairTicket
from fleet.uptime import export
from fleet.uptime.service import GroupBy, uptime_report
from scheduler.jobs import roll_up
from tests.builders import TEST_ACTOR, make_camera

H = 3600.0


def t(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 4, day, hour, tzinfo=UTC)


async def test_report_by_camera_and_area(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        a = await make_camera(session, cipher, name="A", area="Blerick", installed_on="2020-01-01")
        b = await make_camera(session, cipher, name="B", area="Blerick", installed_on="2020-01-01")
        # Installed on 6 April (local midnight = 5 April 22:00 UTC in summer time).
        c = await make_camera(session, cipher, name="C", area="Centrum", installed_on=date(2026, 4, 6).isoformat())
        session.add_all(
            [
                StatusInterval(camera_id=a.id, status=CameraStatus.UP, started_at=t(1), ended_at=t(3)),
                StatusInterval(camera_id=a.id, status=CameraStatus.DOWN, started_at=t(3), ended_at=t(3, 12)),
                StatusInterval(camera_id=a.id, status=CameraStatus.UP, started_at=t(3, 12), ended_at=None),
                StatusInterval(camera_id=b.id, status=CameraStatus.DEGRADED, started_at=t(1), ended_at=None),
                StatusInterval(camera_id=c.id, status=CameraStatus.UP, started_at=t(5, 22), ended_at=None),
            ]
        )
        await maintenance.create(
            session,
            actor=TEST_ACTOR,
            data=MaintenanceWindowIn(starts_at=t(3, 6), ends_at=t(3, 8), reason="lens", camera_ids=[a.id]),
        )
    period = (t(1), t(11))
    async with database.unit_of_work() as session:
        rows = {r.key: r for r in await uptime_report(session, period=period, by=GroupBy.CAMERA, now=t(20))}
        areas = {r.key: r for r in await uptime_report(session, period=period, by=GroupBy.AREA, now=t(20))}
    assert (rows["A"].downtime_s, rows["A"].maintenance_s, rows["A"].outages) == (10 * H, 2 * H, 2)
    assert rows["A"].availability == pytest.approx((240 - 12) / 238)
    assert rows["B"].availability == 1.0
    assert (rows["C"].unknown_s, rows["C"].availability) == ((4 * 24 + 22) * H, 1.0)
    assert (areas["Blerick"].cameras, areas["Blerick"].outages) == (2, 2)
    assert areas["Blerick"].availability == pytest.approx((480 - 10 - 2) / (480 - 2))  # up / (period - maintenance)
    assert list(areas) == ["Blerick", "Centrum"]


async def test_nothing_recorded_is_null(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        await make_camera(session, cipher, name="Z")
        [row] = await uptime_report(session, period=(t(1), t(2)), by=GroupBy.KIND, now=t(20))
    assert (row.key, row.availability, row.unknown_s) == ("fixed", None, 24 * H)
    assert timedelta(seconds=row.unknown_s) == timedelta(days=1)


async def test_mttr_from_tickets_resolved_in_the_period(database: Database, cipher: CredentialCipher) -> None:
    def ticket(camera_id: int | None, created: datetime, resolved: datetime | None) -> RepairTicket:
        return RepairTicket(
            camera_id=camera_id,
            priority=Priority.P2,
            title="repair",
            sla_started_at=created,
            response_due_at=created + timedelta(hours=4),
            resolution_due_at=created + timedelta(days=2),
            created_at=created,
            resolved_at=resolved,
            created_by="test",
        )

    async with database.unit_of_work() as session:
        a = await make_camera(session, cipher, name="A", area="Blerick")
        b = await make_camera(session, cipher, name="B", area="Blerick")
        c = await make_camera(session, cipher, name="C", area="Centrum")
        session.add_all(
            [
                ticket(a.id, t(1, 2), t(2, 2)),  # 24 h
                ticket(a.id, t(3), t(3, 6)),  # 6 h
                ticket(b.id, datetime(2026, 3, 30, tzinfo=UTC), t(1, 12)),  # opened before the period: 60 h
                ticket(b.id, t(8), t(12)),  # resolved after the period: not counted
                ticket(b.id, t(9), None),  # not resolved
                ticket(None, t(2), t(2, 1)),  # a group fault's ticket: no camera
                ticket(c.id, t(4), t(4, 1)),  # 1 h, another area
            ]
        )
    period = (t(1), t(11))
    async with database.unit_of_work() as session:
        rows = {r.key: r for r in await uptime_report(session, period=period, by=GroupBy.CAMERA, now=t(20))}
        areas = {r.key: r for r in await uptime_report(session, period=period, by=GroupBy.AREA, now=t(20))}
    assert (rows["A"].mttr_ticket_s, rows["B"].mttr_ticket_s, rows["C"].mttr_ticket_s) == (15 * H, 60 * H, H)
    assert areas["Blerick"].mttr_ticket_s == 30 * H  # (24 + 6 + 60) / 3
    assert areas["Centrum"].mttr_ticket_s == H
    csv = export.to_csv(list(rows.values())).decode("utf-8-sig").splitlines()
    column = csv[0].split(",").index("mttr_ticket_s")
    assert csv[1].split(",")[column] == "54000.0"


async def test_camera_retired_mid_period(database: Database, cipher: CredentialCipher, settings: Settings) -> None:
    async with database.unit_of_work() as session:
        # Out of service from 6 April (local midnight: 5 April 22:00 UTC, summer time).
        camera = await make_camera(session, cipher, name="R", installed_on="2020-01-01", retired_on="2026-04-06")
        session.add_all(
            [
                StatusInterval(camera_id=camera.id, status=CameraStatus.UP, started_at=t(1), ended_at=t(3)),
                # Switched off and left down: after retirement that is not an outage of a camera in service.
                StatusInterval(camera_id=camera.id, status=CameraStatus.DOWN, started_at=t(3), ended_at=None),
            ]
        )
        assert (await camera_reading.one(session, camera.id, now=t(20))).retired_on == date(2026, 4, 6)
    period = (t(1), t(11))
    for rolled in (False, True):
        if rolled:
            assert await roll_up(database, settings, now=t(20)) > 0
        async with database.unit_of_work() as session:
            [row] = await uptime_report(session, period=period, by=GroupBy.CAMERA, now=t(20))
        assert (row.downtime_s, row.unknown_s, row.outages, row.longest_outage_s) == (70 * H, 122 * H, 1, 70 * H)
        assert row.availability == pytest.approx(48 / 118)
