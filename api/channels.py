"""Notification channels as the JSON API and the admin page handle them: Apprise checks a new channel's URL, and a
test message goes out now (through notify/, the delivery adapter)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.alerts import outbox
from fleet.alerts import service as alerts
from fleet.alerts.models import NotificationChannel
from fleet.alerts.schemas import ChannelIn, TestResult
from fleet.audit.service import Actor, record
from fleet.crypto import CredentialCipher
from notify.delivery import deliver, validate_url


async def create(
    session: AsyncSession, *, actor: Actor, data: ChannelIn, cipher: CredentialCipher
) -> NotificationChannel:
    """Add a channel; an Apprise URL that Apprise cannot use is refused (InvalidInput) with the reason."""
    service = validate_url(data.url)
    return await alerts.create_channel(session, actor=actor, data=data, service=service, cipher=cipher)


async def send_test(
    session: AsyncSession, *, actor: Actor, cipher: CredentialCipher, settings: Settings, channel_id: int
) -> TestResult:
    """Send a test message and say (and audit) whether the service took it."""
    channel = await alerts.get_channel(session, channel_id)
    message = outbox.test_message(channel, cipher, settings.alerts.language)
    await session.commit()  # no transaction stays open while the message is on its way
    error = await deliver(message, timeout=settings.alerts.send_timeout)
    await record(
        session,
        actor=actor,
        action="channel.test",
        target_type="notification_channel",
        target_id=channel.id,
        after={"delivered": error is None, "error": error},
    )
    return TestResult(delivered=error is None, error=error)
