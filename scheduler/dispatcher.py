"""The alert dispatcher: claims due alerts, sends each channel's batch as one message, records the outcome."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from config.settings import Settings
from fleet.alerts import rules
from fleet.alerts import service as alerts
from fleet.alerts.delivery import send
from fleet.crypto import CredentialCipher, CredentialKeyError
from fleet.db import Database
from fleet.tickets import sweep as tickets

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
        """Sweep (held-back and escalated faults, held-back tickets, SLA breaches), then deliver everything due."""
        now = now or datetime.now(UTC)
        summary = DispatchSummary()
        begun = time.monotonic()
        async with self.database.unit_of_work() as session:
            await alerts.sweep(session, now=now, settings=self.settings)
            await tickets.sweep(session, now=now, settings=self.settings)
        async with self.database.unit_of_work() as session:
            # The lease runs from the claim itself, not from the start of a sweep that may have taken a while.
            claimed_at = now + timedelta(seconds=time.monotonic() - begun)
            batches = await alerts.claim(session, owner=self.owner, now=claimed_at, lease=self._lease)
            prepared: list[tuple[alerts.Batch, str | None, str | None, str, str]] = []
            for batch in batches:
                url: str | None = None
                error: str | None = None
                try:
                    url = alerts.channel_url(batch.channel, self.cipher)
                except CredentialKeyError as exc:
                    error = str(exc)
                lines = [rules.Line(a.key, a.event, a.severity, a.subject, a.body) for a in batch.alerts]
                title, body = rules.compose(lines, batch_key=batch.key, language=self.settings.alerts.language)
                prepared.append((batch, url, error, title, body))
        started = time.monotonic()
        results = await asyncio.gather(
            *(self._deliver(url, error, title, body) for _, url, error, title, body in prepared)
        )
        finished = now + timedelta(seconds=time.monotonic() - started)
        async with self.database.unit_of_work() as session:
            for (batch, *_), failure in zip(prepared, results, strict=True):
                ids = [a.id for a in batch.alerts]
                summary.messages += 1
                if failure is None:
                    await alerts.mark_delivered(session, ids, now=finished)
                    summary.delivered += len(ids)
                else:
                    log.warning("channel %s: delivery failed, will retry: %s", batch.channel.name, failure)
                    await alerts.mark_failed(session, ids, error=failure, now=finished, settings=self.settings)
                    summary.failed += len(ids)
        return summary

    async def release(self) -> None:
        """Give back the alerts this dispatcher claimed and did not deliver (a clean stop), for others at once."""
        async with self.database.unit_of_work() as session:
            released = await alerts.release(session, owner=self.owner)
        if released:
            log.info("released %d claimed alerts", released)

    async def _deliver(self, url: str | None, error: str | None, title: str, body: str) -> str | None:
        if url is None:
            return error
        return await send(url, title=title, body=body, timeout=self.settings.alerts.send_timeout.total_seconds())
