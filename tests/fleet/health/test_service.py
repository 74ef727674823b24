"""Recording results on both engines: states, claims and leases, raw results, identity, status intervals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from config.checks import CheckKind
from config.settings import Settings
from fleet.cameras.models import Camera, CameraStatus, Lifecycle
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health.claims import ALWAYS, claim_due, ensure_check_states
from fleet.health.models import CheckResult, CheckState, ErrorClass, StatusInterval
from fleet.health.recording import Outcome, record
from fleet.health.results import prune_results
from fleet.health.status import status_counts
from tests.builders import make_camera

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def outcome(camera_id: int, kind: CheckKind, minute: int, ok: bool, **values: object) -> Outcome:
    at = T0 + minute * MIN
    return Outcome(
        camera_id=camera_id,
        kind=kind,
        at=at,
        ok=ok,
        duration_s=0.01,
        next_due_at=at + MIN,
        error_class=None if ok else ErrorClass.UNREACHABLE,
        error=None if ok else "connection refused",
        values=dict(values),
    )


async def test_check_states_follow_the_registry(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        plain = await make_camera(session, cipher)
        snmp = await make_camera(session, cipher, snmp_community="public")
        stored = await make_camera(session, cipher, lifecycle="in_storage")
        await ensure_check_states(session, now=T0)
        await ensure_check_states(session, now=T0)  # idempotent
        kinds = {(row.camera_id, row.kind) for row in await session.scalars(select(CheckState))}
    every = {"reachability", "onvif_health", "onvif_identity", "stream", "image", "security"}
    assert {k for c, k in kinds if c == plain.id} == every
    assert {k for c, k in kinds if c == snmp.id} == every | {"snmp"}
    assert not any(c == stored.id for c, _ in kinds)

    async with database.unit_of_work() as session:
        camera = await session.get(Camera, snmp.id)
        assert camera is not None
        camera.lifecycle = Lifecycle.IN_STORAGE
        await session.flush()
        await ensure_check_states(session, now=T0)
        left = await session.scalar(select(func.count()).where(CheckState.camera_id == snmp.id))
    assert left == 0


async def test_claims_respect_due_time_and_leases(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        for _ in range(3):
            await make_camera(session, cipher)
        await ensure_check_states(session, now=T0)
    async with database.unit_of_work() as session:
        early = await claim_due(session, now=T0 - MIN, owner="a", lease=MIN, limit=100)
        first = await claim_due(session, now=T0, owner="a", lease=MIN, limit=5)
        second = await claim_due(session, now=T0, owner="b", lease=MIN, limit=100)
        expired = await claim_due(session, now=T0 + 2 * MIN, owner="c", lease=MIN, limit=100)
    assert early == []
    checks = 3 * len(ALWAYS)
    assert (len(first), len(second)) == (5, checks - 5)
    assert not {(c.camera_id, c.kind) for c in first} & {(c.camera_id, c.kind) for c in second}
    assert len(expired) == checks  # every lease ran out: a dead collector's work is taken over


async def test_status_intervals_and_identity(database: Database, cipher: CredentialCipher, settings: Settings) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
        await ensure_check_states(session, now=T0)
    reach = CheckKind.REACHABILITY
    results = [True, True, False, False, False, False, True, True]
    for minute, ok in enumerate(results):
        async with database.unit_of_work() as session:
            batch = [outcome(camera.id, reach, minute, ok)]
            if minute == 0:
                batch.append(
                    outcome(camera.id, CheckKind.ONVIF_IDENTITY, 0, True, manufacturer="AXIS", mac="ac:cc:8e:be:cc:ea")
                )
            await record(session, batch, settings=settings)
    async with database.unit_of_work() as session:
        intervals = (await session.scalars(select(StatusInterval).order_by(StatusInterval.started_at))).all()
        stored = (await session.scalars(select(CheckResult).where(CheckResult.kind == reach))).all()
        fresh = await session.get(Camera, camera.id)
    assert fresh is not None
    assert [(i.status, i.started_at, i.ended_at) for i in intervals] == [
        (CameraStatus.UP, T0, T0 + 2 * MIN),
        (CameraStatus.DOWN, T0 + 2 * MIN, T0 + 6 * MIN),
        (CameraStatus.UP, T0 + 6 * MIN, None),
    ]
    assert (fresh.status, fresh.status_since) == (CameraStatus.UP, T0 + 6 * MIN)
    assert (fresh.observed_manufacturer, fresh.observed_mac, fresh.last_seen_at) == (
        "AXIS",
        "ac:cc:8e:be:cc:ea",
        T0 + 7 * MIN,
    )
    # Stored: the first result, every failure, and each change of outcome; not repeats of success.
    assert [int((r.at - T0) / MIN) for r in stored] == [0, 2, 3, 4, 5, 6]
    assert stored[1].error == "connection refused" and stored[1].error_class == "unreachable"

    async with database.unit_of_work() as session:
        pruned = await prune_results(session, older_than=T0 + 4 * MIN)
        counts = await status_counts(session)
    assert pruned == 4 and counts[CameraStatus.UP] == 1  # reachability at 0, 2, 3 and the identity at 0


async def test_degraded_when_a_protocol_fails_but_the_port_answers(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
        await ensure_check_states(session, now=T0)
    async with database.unit_of_work() as session:
        summary = await record(
            session,
            [outcome(camera.id, CheckKind.REACHABILITY, 0, True), outcome(camera.id, CheckKind.ONVIF_HEALTH, 0, False)],
            settings=settings,
        )
    assert [(c.old, c.new) for c in summary.status_changes] == [(CameraStatus.UNKNOWN, CameraStatus.DEGRADED)]
