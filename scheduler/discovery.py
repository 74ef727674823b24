"""Finding what nobody registered: WS-Discovery probes (and the tables of network devices), recorded between device
I/O and one transaction each."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from collectors.wsdiscovery import ProbeResult, probe
from config.settings import Settings
from fleet.db import Database, utcnow
from fleet.discovery import service as discovery

log = logging.getLogger(__name__)


async def probe_and_record(database: Database, settings: Settings, interfaces: Sequence[str]) -> list[ProbeResult]:
    """Probe each interface in turn (never one not listed), then keep every answer in one transaction.

    Raises collectors.errors.Unreachable for an interface that does not exist or cannot send.
    """
    found = settings.discovery
    results = [
        await probe(interface, wait=found.probe_wait.total_seconds(), max_matches=found.probe_max_matches)
        for interface in interfaces
    ]
    for interface, result in zip(interfaces, results, strict=True):
        for address, reason in sorted(result.refused.items()):
            log.warning("WS-Discovery on %s: answer from %s refused: %s", interface, address, reason)
    async with database.unit_of_work() as session:
        await discovery.record_answers(session, [m for r in results for m in r.matches], now=utcnow())
    return results
