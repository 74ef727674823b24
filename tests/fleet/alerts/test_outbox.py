"""The outbox between dispatchers on both engines: a stopping dispatcher gives back only its own claimed alerts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from fleet.alerts import outbox
from fleet.alerts import service as alerts
from fleet.alerts.models import Alert, AlertEvent, AlertStatus
from fleet.alerts.schemas import ChannelIn
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Severity
from tests.builders import TEST_ACTOR

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


async def test_release_gives_back_only_ones_own_alerts(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        channel = await alerts.create_channel(
            session,
            actor=TEST_ACTOR,
            data=ChannelIn(name="team", url="json://127.0.0.1:9/hook"),
            service="json",
            cipher=cipher,
        )
        for n in range(2):
            session.add(
                Alert(
                    key=str(uuid.uuid4()),
                    channel_id=channel.id,
                    event=AlertEvent.TEST,
                    severity=Severity.WARNING,
                    subject=f"alert {n}",
                    body="-",
                    not_before=T0,
                    next_attempt_at=T0,
                )
            )
    async with database.unit_of_work() as session:
        [message] = await outbox.claim(session, owner="a", now=T0, lease=LEASE, cipher=cipher, language="nl")
    async with database.unit_of_work() as session:
        # "b" cannot release what "a" holds, and nobody else can claim it before the lease ends ...
        assert await outbox.release(session, owner="b") == 0
        assert await outbox.claim(session, owner="c", now=T0 + SECOND, lease=LEASE, cipher=cipher, language="nl") == []
    async with database.unit_of_work() as session:
        # ... "a" can; the cut-off attempt does not count, and another dispatcher sends the same batch at once.
        assert await outbox.release(session, owner="a") == 2
        [again] = await outbox.claim(session, owner="c", now=T0 + SECOND, lease=LEASE, cipher=cipher, language="nl")
        found = (await session.scalars(select(Alert))).all()
    assert again == message  # the same batch, so the same message id
    assert {(a.status, a.claimed_by, a.attempts) for a in found} == {(AlertStatus.SENDING, "c", 0)}
