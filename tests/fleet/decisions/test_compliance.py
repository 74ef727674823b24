"""Flexible cameras against their decisions: valid, expired, missing; reminders and starts without a camera."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from config.settings import Settings
from fleet.alerts.models import Alert, AlertEvent, NotificationChannel
from fleet.cameras.models import Camera, CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.decisions.compliance import camera_state, successors_of, sweep
from fleet.decisions.models import Decision, DecisionCamera, DecisionKind
from fleet.faults.models import Fault, FaultKind
from tests.builders import make_camera

DAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 10, tzinfo=UTC)
_ids = iter(range(1, 10_000))


def decision(kind: DecisionKind, start: date, end: date | None, **extra: Any) -> Decision:
    return Decision(
        id=next(_ids),
        kind=kind,
        decision_date=start - timedelta(days=10),
        registration=str(next(_ids)),
        location="Markt",
        starts_on=start,
        ends_on=end,
        reason="public order",
        created_by="test",
        days=extra.pop("days", []),
        **extra,
    )


def state(linked: list[Decision], everything: list[Decision] | None = None) -> str:
    return camera_state(linked, successors_of(everything or linked), DAY)


def test_state_table() -> None:
    assert state([]) == "missing"
    designation = decision(DecisionKind.DESIGNATION, date(2026, 1, 1), date(2026, 12, 31))
    assert state([designation]) == "missing"  # an area designation alone deploys no camera
    current = decision(DecisionKind.DEPLOYMENT, date(2026, 6, 1), date(2026, 6, 30))
    assert state([current]) == "valid"
    old = decision(DecisionKind.DEPLOYMENT, date(2026, 1, 1), date(2026, 3, 31))
    assert state([old]) == "expired"
    extension = decision(DecisionKind.EXTENSION, date(2026, 4, 1), date(2026, 9, 30), supersedes_id=old.id)
    assert state([old], [old, extension]) == "valid"  # the extension carries the linked camera on
    withdrawal = decision(DecisionKind.WITHDRAWAL, date(2026, 6, 10), None, supersedes_id=current.id)
    assert state([current], [current, withdrawal]) == "expired"
    match_days = decision(
        DecisionKind.DEPLOYMENT, date(2026, 6, 14), date(2026, 6, 16), days=["2026-06-14", "2026-06-16"]
    )
    assert state([match_days]) == "expired"  # not a match day today


async def _link(database: Database, made: Decision, *camera_ids: int) -> None:
    async with database.unit_of_work() as session:
        session.add(made)
        await session.flush()
        session.add_all([DecisionCamera(decision_id=made.id, camera_id=c) for c in camera_ids])


async def _status(database: Database, camera_id: int, status: CameraStatus) -> None:
    async with database.unit_of_work() as session:
        camera = await session.get(Camera, camera_id)
        assert camera is not None
        camera.status = status


@pytest.mark.usefixtures("database")
async def test_sweep_opens_and_closes_faults_and_reminds(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        valid = await make_camera(session, cipher, name="FLEX-VALID", kind="flexible")
        expired = await make_camera(session, cipher, name="FLEX-EXPIRED", kind="flexible")
        missing = await make_camera(session, cipher, name="FLEX-MISSING", kind="flexible")
        offline = await make_camera(session, cipher, name="FLEX-OFFLINE", kind="flexible")
        fixed = await make_camera(session, cipher, name="FIXED", kind="fixed")
        session.add(
            NotificationChannel(
                name="coordinator", url_ciphertext=cipher.encrypt({"url": "json://127.0.0.1:9/x"}), service="json"
            )
        )
    for camera in (valid, expired, missing, fixed):
        await _status(database, camera.id, CameraStatus.UP)
    await _status(database, offline.id, CameraStatus.DOWN)
    ending = decision(DecisionKind.DEPLOYMENT, date(2026, 6, 1), date(2026, 6, 25))
    await _link(database, ending, valid.id)
    await _link(database, decision(DecisionKind.DEPLOYMENT, date(2026, 1, 1), date(2026, 3, 1)), expired.id)
    await _link(database, decision(DecisionKind.DEPLOYMENT, DAY, date(2026, 8, 1)), offline.id)

    async with database.unit_of_work() as session:
        changes = await sweep(session, now=NOW, settings=settings)
    assert sorted((f.kind, f.camera_id) for f in changes.opened) == [
        (FaultKind.DEPLOYMENT_EXPIRED, expired.id),
        (FaultKind.DEPLOYMENT_MISSING, missing.id),
    ]
    async with database.unit_of_work() as session:
        events = sorted(a.event for a in await session.scalars(select(Alert)))
    assert events == sorted(
        [
            AlertEvent.FAULT_OPENED,
            AlertEvent.FAULT_OPENED,
            AlertEvent.DEPLOYMENT_ENDING,
            AlertEvent.DEPLOYMENT_NO_CAMERA,
        ]
    )

    async with database.unit_of_work() as session:
        again = await sweep(session, now=NOW + timedelta(minutes=5), settings=settings)
        alerts = len((await session.scalars(select(Alert))).all())
    assert (again.opened, again.closed, alerts) == ([], [], 4)  # no twins, no second reminder

    await _link(database, decision(DecisionKind.DEPLOYMENT, date(2026, 6, 1), date(2026, 7, 1)), missing.id)
    async with database.unit_of_work() as session:
        later = await sweep(session, now=NOW + timedelta(minutes=10), settings=settings)
        still_open = (await session.scalars(select(Fault).where(Fault.closed_at.is_(None)))).all()
    assert [f.kind for f in later.closed] == [FaultKind.DEPLOYMENT_MISSING]
    assert [f.camera_id for f in still_open] == [expired.id]
