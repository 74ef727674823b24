"""Delivery bookkeeping: due alerts claimed as messages, and what became of each message recorded.

The domain decides what goes out (which alerts, to which channel, in which words); an adapter outside fleet sends
it. Claiming and recording are separate short transactions, so none stays open while a message is on its way.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ScalarResult, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.alerts import rules
from fleet.alerts.models import Alert, AlertEvent, AlertStatus, NotificationChannel
from fleet.alerts.service import channel_url, get_channel
from fleet.alerts.wording import title_of
from fleet.crypto import CredentialCipher, CredentialKeyError
from fleet.faults.models import Severity
from fleet.language import Language


@dataclass(frozen=True, slots=True)
class Message:
    """One message for one channel; ``url`` is None when it cannot be sent, and ``problem`` says why."""

    channel: str
    url: str | None
    title: str
    body: str
    alert_ids: tuple[int, ...] = ()
    problem: str | None = None


def _compose(
    channel: NotificationChannel,
    alerts: Sequence[Alert],
    *,
    key: str,
    cipher: CredentialCipher,
    language: Language,
) -> Message:
    lines = [rules.Line(a.key, a.event, a.severity, a.subject, a.body) for a in alerts]
    title, body = rules.compose(lines, batch_key=key, language=language)
    ids = tuple(a.id for a in alerts)
    try:
        url = channel_url(channel, cipher)
    except CredentialKeyError as exc:
        return Message(channel.name, None, title, body, ids, problem=str(exc))
    return Message(channel.name, url, title, body, ids)


def test_message(channel: NotificationChannel, cipher: CredentialCipher, language: Language) -> Message:
    """The message a channel's "send test" delivers at once (it never enters the outbox)."""
    line = rules.Line("test", AlertEvent.TEST, Severity.INFO, channel.name, title_of(AlertEvent.TEST, language))
    title, body = rules.compose([line], batch_key=f"test-{channel.id}", language=language)
    return Message(channel.name, channel_url(channel, cipher), title, body)


async def claim(
    session: AsyncSession,
    *,
    owner: str,
    now: datetime,
    lease: timedelta,
    cipher: CredentialCipher,
    language: Language,
    limit: int = 500,
) -> list[Message]:
    """Claim due alerts (SKIP LOCKED on PostgreSQL), one message per channel.

    An alert whose claim expired (the dispatcher died mid-delivery) is due again: delivery is at least once,
    and its batch, and so the message id, stays the same.
    """
    query = (
        select(Alert)
        .where(
            or_(
                (Alert.status == AlertStatus.PENDING) & (Alert.next_attempt_at <= now),
                (Alert.status == AlertStatus.SENDING) & (Alert.claim_expires_at < now),
            )
        )
        .order_by(Alert.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    groups: dict[tuple[int, str | None], list[Alert]] = defaultdict(list)
    for alert in await session.scalars(query):
        alert.status, alert.claimed_by, alert.claim_expires_at = AlertStatus.SENDING, owner, now + lease
        groups[(alert.channel_id, alert.batch_key)].append(alert)
    messages = []
    for (channel_id, key), alerts in groups.items():
        batch_key = key or str(uuid.uuid4())
        for alert in alerts:
            alert.batch_key = batch_key
        channel = await get_channel(session, channel_id)
        messages.append(_compose(channel, alerts, key=batch_key, cipher=cipher, language=language))
    await session.flush()
    return messages


async def release(session: AsyncSession, *, owner: str) -> int:
    """Give back every alert ``owner`` claimed and did not deliver (a dispatcher stopping); how many.

    They are due again at once, in the same batch: whether a message cut off mid-send arrived is unknown, so it
    may arrive twice, under the same message id, but never not at all.
    """
    result = await session.execute(
        update(Alert)
        .where(Alert.status == AlertStatus.SENDING, Alert.claimed_by == owner)
        .values(status=AlertStatus.PENDING, claimed_by=None, claim_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def _still_claimed(session: AsyncSession, message: Message, owner: str) -> ScalarResult[Alert]:
    # A claim that lapsed and was taken over belongs to the other dispatcher now: its outcome counts, not ours.
    return await session.scalars(
        select(Alert).where(
            Alert.id.in_(message.alert_ids), Alert.status == AlertStatus.SENDING, Alert.claimed_by == owner
        )
    )


async def record_delivered(session: AsyncSession, message: Message, *, owner: str, now: datetime) -> int:
    """Record a delivery of the alerts ``owner`` still holds; how many that were."""
    recorded = 0
    for alert in await _still_claimed(session, message, owner):
        alert.status, alert.delivered_at, alert.attempts = AlertStatus.DELIVERED, now, alert.attempts + 1
        alert.claimed_by = alert.claim_expires_at = None
        alert.last_error = None
        recorded += 1
    return recorded


async def record_failed(
    session: AsyncSession, message: Message, *, owner: str, error: str, now: datetime, settings: Settings
) -> int:
    """Record a failed attempt for the alerts ``owner`` still holds: retried with back-off, given up after the
    maximum number of attempts; how many alerts that were."""
    recorded = 0
    for alert in await _still_claimed(session, message, owner):
        recorded += 1
        alert.attempts += 1
        alert.last_error = error
        alert.claimed_by = alert.claim_expires_at = None
        if alert.attempts >= settings.alerts.max_attempts:
            alert.status = AlertStatus.FAILED
            continue
        alert.status = AlertStatus.PENDING
        alert.next_attempt_at = now + rules.retry_delay(
            alert.attempts, base=settings.alerts.retry_base, maximum=settings.alerts.retry_max
        )
    return recorded
