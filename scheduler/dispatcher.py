"""The alert dispatcher: claims due alerts, sends each channel's batch as one message, records the outcome."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.alerts import outbox
from fleet.alerts import service as alerts
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.tickets import sweep as tickets
from notify.delivery import deliver

log = logging.getLogger(__name__)


@dataclass
class DispatchSummary:
    messages: int = 0
    delivered: int = 0
    failed: int = 0


class Dispatcher:
    """Delivers the outbox at least once; a crash mid-delivery only delays, never loses, an alert."""

    def __init__(self, database: Database, settings: Settings, cipher: CredentialCipher, *, owner: str) -> None:
        self.database = database
        self.settings = settings
        self.cipher = cipher
        self.owner = owner
        # A claim outlives the slowest delivery; after that another dispatcher may take the alert over.
        self._lease = settings.alerts.send_timeout * 2

    async def run_once(self, *, now: datetime | None = None) -> DispatchSummary:
        """Sweep (held-back and escalated faults, held-back tickets, SLA breaches), then deliver everything due.

        Claiming, sending and recording are three steps: no transaction stays open while a message is sent.
        """
        now = now or datetime.now(UTC)
        begun = time.monotonic()
        async with self.database.unit_of_work() as session:
            await alerts.sweep(session, now=now, settings=self.settings)
            await tickets.sweep(session, now=now, settings=self.settings)
        async with self.database.unit_of_work() as session:
            # The lease runs from the claim itself, not from the start of a sweep that may have taken a while.
            messages = await outbox.claim(
                session,
                owner=self.owner,
                now=now + timedelta(seconds=time.monotonic() - begun),
                lease=self._lease,
                cipher=self.cipher,
                language=self.settings.alerts.language,
            )
        sent = time.monotonic()
        timeout = self.settings.alerts.send_timeout
        failures = await asyncio.gather(*(deliver(message, timeout=timeout) for message in messages))
        async with self.database.unit_of_work() as session:
            return await self._record(session, messages, failures, now=now + timedelta(seconds=time.monotonic() - sent))

    async def release(self) -> None:
        """Give back the alerts this dispatcher claimed and did not deliver (a clean stop), for others at once."""
        async with self.database.unit_of_work() as session:
            released = await outbox.release(session, owner=self.owner)
        if released:
            log.info("released %d claimed alerts", released)

    async def _record(
        self, session: AsyncSession, messages: list[outbox.Message], failures: list[str | None], *, now: datetime
    ) -> DispatchSummary:
        summary = DispatchSummary(messages=len(messages))
        for message, failure in zip(messages, failures, strict=True):
            if failure is None:
                summary.delivered += await outbox.record_delivered(session, message, owner=self.owner, now=now)
                continue
            log.warning("channel %s: delivery failed, will retry: %s", message.channel, failure)
            summary.failed += await outbox.record_failed(
                session, message, owner=self.owner, error=failure, now=now, settings=self.settings
            )
        return summary
