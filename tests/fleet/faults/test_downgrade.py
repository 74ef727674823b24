"""The login endpoints remembered per camera and the auth_downgrade fault, from recorded outcomes, both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from config.checks import CheckKind
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind
from fleet.faults.rules import auth_downgraded
from fleet.health.claims import ensure_check_states
from fleet.health.models import EndpointAuth, ErrorClass
from fleet.health.recording import Outcome, record
from tests.builders import make_camera

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DIGEST = 'Digest realm="cam", qop="auth", nonce="abc", algorithm=MD5'
BASIC = 'Basic realm="cam"'
ENDPOINTS = {
    CheckKind.STREAM: ("rtsp", "rtsp://127.60.9.1:554/main"),
    CheckKind.IMAGE: ("snapshot", "http://127.60.9.1/s.jpg"),
}


def _offer(camera_id: int, kind: CheckKind, minute: int, challenges: list[str], *, ok: bool = True) -> Outcome:
    at = T0 + timedelta(minutes=minute)
    endpoint, uri = ENDPOINTS[kind]
    # A failed snapshot (wrong password, refused Basic) still says what its endpoint offered.
    ok = ok and kind is CheckKind.STREAM
    values: dict[str, Any] = {
        "auth": "none" if not ok else "digest" if any(c.startswith("Digest") for c in challenges) else "basic",
        "auth_endpoint": endpoint,
        "auth_uri": uri,
        "auth_offered": [c.split()[0].lower() for c in challenges],
        "auth_challenges": challenges,
    }
    return Outcome(
        camera_id=camera_id,
        kind=kind,
        at=at,
        ok=ok,
        duration_s=0.01,
        next_due_at=at + timedelta(minutes=1),
        error_class=None if ok else ErrorClass.AUTH_FAILED,
        error=None if ok else "camera asks for Basic over unencrypted rtsp; credentials not sent; …",
        values=values,
    )


async def _faults(database: Database, camera_id: int) -> list[Fault]:
    async with database.unit_of_work() as session:
        query = select(Fault).where(Fault.camera_id == camera_id, Fault.kind == FaultKind.AUTH_DOWNGRADE)
        return list(await session.scalars(query.order_by(Fault.id)))


def test_only_digest_giving_way_to_basic_alone_is_a_downgrade() -> None:
    assert auth_downgraded({"digest", "basic"}, {"basic"})
    assert auth_downgraded({"digest"}, {"basic", "negotiate"})
    assert not auth_downgraded(set(), {"basic"})  # nothing known before: no downgrade to speak of
    assert not auth_downgraded({"basic"}, {"basic"})
    assert not auth_downgraded({"digest"}, {"digest", "basic"})
    assert not auth_downgraded({"digest"}, {"negotiate"})


async def test_downgrade_opens_with_evidence_per_endpoint_and_closes_when_digest_returns(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, username="root", password="pw-12345678")
        never = await make_camera(session, cipher, username="root", password="pw-12345678")
        await ensure_check_states(session, now=T0)
        await record(session, [_offer(camera.id, CheckKind.STREAM, 0, [DIGEST]),
                               _offer(camera.id, CheckKind.IMAGE, 0, [DIGEST, BASIC]),
                               _offer(never.id, CheckKind.STREAM, 0, [BASIC])], settings=settings)  # fmt: skip
    async with database.unit_of_work() as session:
        # Both endpoints go Basic-only in one batch (one failing, one working): one fault naming both.
        await record(session, [_offer(camera.id, CheckKind.STREAM, 5, [BASIC], ok=False),
                               _offer(camera.id, CheckKind.IMAGE, 5, [BASIC]),
                               _offer(never.id, CheckKind.STREAM, 5, [BASIC])], settings=settings)  # fmt: skip
        # A result older than the one remembered changes nothing.
        await record(session, [_offer(camera.id, CheckKind.STREAM, 3, [DIGEST])], settings=settings)
    [fault] = await _faults(database, camera.id)
    assert await _faults(database, never.id) == []  # Basic from the start: nothing to downgrade from
    assert fault.closed_at is None and fault.opened_at == T0 + timedelta(minutes=5)
    rtsp = fault.details["endpoints"]["rtsp"]
    assert rtsp == {
        "uri": "rtsp://127.60.9.1:554/main",
        "offered": ["basic"],
        "challenges": [BASIC],
        "previously_offered": ["digest"],
        "previous_challenges": [DIGEST],
        "digest_last_seen_at": T0.isoformat(),
        "seen_at": (T0 + timedelta(minutes=5)).isoformat(),
    }
    assert fault.details["endpoints"]["snapshot"]["previously_offered"] == ["basic", "digest"]
    assert f"Digest last seen {T0.isoformat()}" in fault.summary

    async with database.unit_of_work() as session:
        await record(session, [_offer(camera.id, CheckKind.STREAM, 10, [DIGEST])], settings=settings)
    [fault] = await _faults(database, camera.id)
    assert fault.closed_at is None and set(fault.details["endpoints"]) == {"snapshot"}  # one endpoint still Basic
    async with database.unit_of_work() as session:
        await record(session, [_offer(camera.id, CheckKind.IMAGE, 11, [DIGEST, BASIC])], settings=settings)
        remembered = {
            row.endpoint: (row.offered, row.digest_seen_at)
            for row in await session.scalars(select(EndpointAuth).where(EndpointAuth.camera_id == camera.id))
        }
    [fault] = await _faults(database, camera.id)
    assert fault.closed_at == T0 + timedelta(minutes=11)
    assert remembered == {
        "rtsp": ("digest", T0 + timedelta(minutes=10)),
        "snapshot": ("digest basic", T0 + timedelta(minutes=11)),
    }
