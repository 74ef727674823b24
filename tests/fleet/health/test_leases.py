"""Claims between collectors on both engines: renewing keeps a claim, releasing gives only one's own back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from config.checks import CheckKind
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health.claims import ALWAYS, Claim, claim_due, ensure_check_states, release_claims, renew_claims
from fleet.health.models import CheckState
from fleet.health.recording import Outcome, record
from tests.builders import make_camera

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
# Cameras without SNMP settings: the checks every polled camera has.
PER_CAMERA = len(ALWAYS)


async def test_renewed_claims_are_not_taken_over(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        for _ in range(2):
            await make_camera(session, cipher)
        await ensure_check_states(session, now=T0)
    async with database.unit_of_work() as session:
        mine = await claim_due(session, now=T0, owner="a", lease=LEASE, limit=3)
    async with database.unit_of_work() as session:
        theirs = await claim_due(session, now=T0, owner="b", lease=LEASE, limit=100)
    assert (len(mine), len(theirs)) == (3, 2 * PER_CAMERA - 3)
    async with database.unit_of_work() as session:
        # "a" is still busy 20 s later and renews; "b" has stopped renewing.
        renewed = await renew_claims(session, owner="a", now=T0 + timedelta(seconds=20), lease=LEASE)
    assert renewed == 3
    async with database.unit_of_work() as session:
        later = await claim_due(session, now=T0 + timedelta(seconds=40), owner="c", lease=LEASE, limit=100)
    # Only "b"'s lapsed claims move to "c"; "a"'s renewed ones stay with "a".
    assert {(c.camera_id, c.kind) for c in later} == {(c.camera_id, c.kind) for c in theirs}
    async with database.unit_of_work() as session:
        lapsed = await renew_claims(session, owner="b", now=T0 + timedelta(seconds=41), lease=LEASE)
    assert lapsed == 0  # a claim taken over is not renewed by its former owner


async def test_a_result_counts_only_while_its_claim_is_held(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        cameras = [await make_camera(session, cipher) for _ in range(2)]
        await ensure_check_states(session, now=T0)
    async with database.unit_of_work() as session:
        claims = await claim_due(session, now=T0, owner="a", lease=LEASE, limit=100)
    # Each camera's reachability check (a result without values of its own).
    first, second = sorted((c for c in claims if c.kind is CheckKind.REACHABILITY), key=lambda c: c.camera_id)
    late = T0 + 2 * LEASE  # "a" stalled: its leases ran out

    def outcome(claim: Claim, owner: str, ok: bool) -> Outcome:
        return Outcome(claim.camera_id, claim.kind, late, ok, 0.1, late + timedelta(minutes=5), owner=owner)

    async with database.unit_of_work() as session:
        # Nobody has taken "a"'s lapsed claim yet: its result still counts.
        kept = await record(session, [outcome(second, "a", True)], settings=settings)
    async with database.unit_of_work() as session:
        taken = await claim_due(session, now=late, owner="c", lease=LEASE, limit=100)
    assert (first.camera_id, first.kind) in {(c.camera_id, c.kind) for c in taken}
    assert (second.camera_id, second.kind) not in {(c.camera_id, c.kind) for c in taken}
    async with database.unit_of_work() as session:
        dropped = await record(session, [outcome(first, "a", False)], settings=settings)
        applied = await record(session, [outcome(first, "c", True)], settings=settings)
    assert (kept.stale, dropped.stale, applied.stale) == (0, 1, 0)
    async with database.unit_of_work() as session:
        found = await session.scalars(select(CheckState).where(CheckState.kind == CheckKind.REACHABILITY))
        states = {s.camera_id: s for s in found}
    # The late failure from "a" left no trace: the check has "c"'s result, once.
    assert states[first.camera_id].last_ok is True and states[first.camera_id].failures_in_a_row == 0
    assert states[second.camera_id].last_ok is True
    assert {s.lease_owner for s in states.values()} == {None}
    assert {c.id for c in cameras} == set(states)


async def test_release_gives_back_only_ones_own_claims(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        await make_camera(session, cipher)
        await ensure_check_states(session, now=T0)
    async with database.unit_of_work() as session:
        claims = await claim_due(session, now=T0, owner="a", lease=LEASE, limit=100)
    async with database.unit_of_work() as session:
        # "b" cannot release what "a" holds ...
        assert await release_claims(session, owner="b", retry_at=T0) == 0
        held = await claim_due(session, now=T0 + timedelta(seconds=1), owner="c", lease=LEASE, limit=100)
    assert held == []
    async with database.unit_of_work() as session:
        # ... "a" can, and another collector claims them at once, without waiting for the lease.
        assert await release_claims(session, owner="a", retry_at=T0) == len(claims)
        taken = await claim_due(session, now=T0 + timedelta(seconds=1), owner="c", lease=LEASE, limit=100)
        owners = set(await session.scalars(select(CheckState.lease_owner)))
    assert len(taken) == len(claims) == PER_CAMERA and owners == {"c"}


async def test_collectors_adding_check_states_at_once_do_not_fail(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        await make_camera(session, cipher)
    async with database.sessions() as first, first.begin():
        await ensure_check_states(first, now=T0)
        # The second collector's insert waits for the first one's rows, then finds them there.
        second = asyncio.create_task(_ensure(database))
        await asyncio.sleep(0.3)  # the window under test: time to reach the first one's lock, where it must wait
        assert not second.done()
    await second
    async with database.unit_of_work() as session:
        assert len((await session.scalars(select(CheckState))).all()) == PER_CAMERA


async def _ensure(database: Database) -> None:
    async with database.unit_of_work() as session:
        await ensure_check_states(session, now=T0)
