"""Finding what nobody registered: the tables of switches and routers, and WS-Discovery probes, each read between
transactions and recorded in one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from collectors.errors import CollectorError
from collectors.forwarding import ForwardingEntry, NeighbourEntry, read_tables
from collectors.registry import Collectors
from collectors.snmp_walk import WalkLimits
from collectors.wsdiscovery import ProbeResult, probe
from config.settings import Settings
from fleet.audit.service import Actor
from fleet.cameras.models import Camera, CameraCredentials, DeviceType
from fleet.cameras.targets import poll_targets
from fleet.crypto import CredentialCipher
from fleet.db import Database, utcnow
from fleet.discovery import service as discovery
from scheduler.collecting import to_target

log = logging.getLogger(__name__)
# The devices with forwarding (switches) or neighbour (routers, layer-3 switches) tables worth reading.
TABLE_DEVICES = (DeviceType.SWITCH, DeviceType.ROUTER)


@dataclass(frozen=True, slots=True)
class TablesRead:
    """How a round of table reads went: devices read, and each failed one with its problem."""

    read: int
    failed: dict[str, str]


async def read_network_tables(
    database: Database,
    settings: Settings,
    collectors: Collectors,
    cipher: CredentialCipher,
    *,
    poller_group: str | None = None,
) -> TablesRead:
    """Read the forwarding and neighbour tables of every switch and router with SNMP settings (of the poller group,
    or all), and keep them; a device that fails has its problem recorded and keeps the tables read before."""
    query = (
        select(Camera.id)
        .join(CameraCredentials, CameraCredentials.camera_id == Camera.id)
        .where(Camera.device_type.in_(TABLE_DEVICES), CameraCredentials.snmp_version.is_not(None))
    )
    if poller_group is not None:
        query = query.where(Camera.poller_group == poller_group)
    async with database.unit_of_work() as session:
        ids = list(await session.scalars(query.order_by(Camera.id)))
        polls = await poll_targets(session, ids, decrypt=set(ids), cipher=cipher, actor=Actor.system("discovery"))
    found = settings.discovery
    limits = WalkLimits(max_rows=found.max_table_values, time_limit=found.table_timeout.total_seconds())
    window = asyncio.Semaphore(found.table_concurrency)

    async def one(device_id: int) -> tuple[list[ForwardingEntry], list[NeighbourEntry]] | str:
        target = to_target(polls[device_id])
        async with window:
            try:
                return await read_tables(lambda roots: collectors.walk(target, roots, limits))
            except CollectorError as exc:
                return f"{type(exc).__name__}: {exc.message}"

    outcomes = await asyncio.gather(*(one(device_id) for device_id in polls))
    failed: dict[str, str] = {}
    now = utcnow()
    async with database.unit_of_work() as session:
        for device_id, outcome in zip(polls, outcomes, strict=True):
            if isinstance(outcome, str):
                failed[polls[device_id].name] = outcome
                log.warning("%s: its tables could not be read: %s", polls[device_id].name, outcome)
                await discovery.record_problem(session, device_id, outcome, now=now)
            else:
                await discovery.record_tables(session, device_id, *outcome, now=now)
    return TablesRead(read=len(polls) - len(failed), failed=failed)


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


async def discover(
    database: Database,
    settings: Settings,
    collectors: Collectors,
    cipher: CredentialCipher,
    *,
    poller_group: str | None,
) -> None:
    """One scheduled round: the tables of the poller group's network devices, then a probe on each interface of
    discovery.probe_interfaces (none unless a person listed some)."""
    tables = await read_network_tables(database, settings, collectors, cipher, poller_group=poller_group)
    log.info("read the tables of %d network devices, %d failed", tables.read, len(tables.failed))
    interfaces = settings.discovery.probe_interfaces
    if interfaces:
        try:
            await probe_and_record(database, settings, interfaces)
        except CollectorError as exc:
            log.error("WS-Discovery probe failed: %s", exc.message)
