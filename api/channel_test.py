"""A test message on a notification channel, sent now: the same for the JSON API and the admin page."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.alerts import rules
from fleet.alerts import service as alerts
from fleet.alerts.delivery import send
from fleet.alerts.schemas import TestResult
from fleet.audit.service import Actor, record
from fleet.crypto import CredentialCipher


async def send_test(
    session: AsyncSession, *, actor: Actor, cipher: CredentialCipher, settings: Settings, channel_id: int
) -> TestResult:
    """Send a test message and say (and audit) whether the service took it."""
    channel = await alerts.get_channel(session, channel_id)
    title, body = rules.test_message(channel.name, f"test-{channel.id}", settings.alerts.language)
    error = await send(
        alerts.channel_url(channel, cipher),
        title=title,
        body=body,
        timeout=settings.alerts.send_timeout.total_seconds(),
    )
    await record(
        session,
        actor=actor,
        action="channel.test",
        target_type="notification_channel",
        target_id=channel.id,
        after={"delivered": error is None, "error": error},
    )
    return TestResult(delivered=error is None, error=error)
