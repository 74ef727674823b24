"""The reconciliation report: the registry read beside the network's current tables, judged by ``rules``."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.cameras.models import Camera, RiskLevel
from fleet.db import chunks
from fleet.discovery import rules
from fleet.discovery.models import MacSighting, ProbeMatch, SightingSource, TableRead
from fleet.discovery.schemas import (
    FoundDevice,
    MissingDevice,
    MovedDevice,
    Reconciliation,
    SwappedDevice,
    TableReadOut,
)
from fleet.network.models import NetworkPort
from fleet.network.rules import match_port
from fleet.vendor_risk.catalogue import load_catalogue
from fleet.vendor_risk.classify import Signals, classify
from fleet.vendor_risk.oui import oui_of
from fleet.vendor_risk.service import policy_of


def _origin(mac: str | None, settings: Settings) -> tuple[str | None, str | None, str | None, RiskLevel]:
    """(OUI organisation, origin vendor, origin country, risk level) of a device known by its MAC address alone."""
    if mac is None:
        return None, None, None, RiskLevel.UNKNOWN
    oui = oui_of(mac)
    assessment = classify(Signals(observed_mac=mac), load_catalogue(), policy_of(settings.risk))
    org = oui.org if oui is not None else None
    return org, assessment.origin_vendor, assessment.origin_country, RiskLevel(assessment.level)


async def _ports(session: AsyncSession, device_ids: set[int]) -> dict[int, list[dict[str, Any]]]:
    """The ports of these network devices as their SNMP check last read them, for naming a registered port."""
    ports: dict[int, list[dict[str, Any]]] = defaultdict(list)
    columns = (NetworkPort.device_id, NetworkPort.if_index, NetworkPort.name, NetworkPort.descr, NetworkPort.alias)
    for chunk in chunks(device_ids):
        query = select(*columns).where(NetworkPort.device_id.in_(chunk))
        for row in await session.execute(query):
            ports[row.device_id].append(
                {"index": row.if_index, "name": row.name, "descr": row.descr, "alias": row.alias}
            )
    return ports


def _if_index(ports: dict[int, list[dict[str, Any]]], uplink_id: int | None, uplink_port: str | None) -> int | None:
    if uplink_id is None or uplink_port is None or uplink_id not in ports:
        return None
    found = match_port(uplink_port, ports[uplink_id])
    return int(found["index"]) if found is not None else None


async def build(session: AsyncSession, settings: Settings, *, now: datetime) -> Reconciliation:
    """Reconcile the registry with the tables last read from each network device and the recent WS-Discovery
    answers."""
    devices = (
        await session.execute(
            select(
                Camera.id,
                Camera.name,
                Camera.device_type,
                Camera.host,
                Camera.observed_mac,
                Camera.uplink_id,
                Camera.uplink_port,
                Camera.last_seen_at,
            )
        )
    ).all()
    by_id = {d.id: d for d in devices}
    reads = (await session.scalars(select(TableRead).order_by(TableRead.device_id))).all()
    current = (
        (
            await session.execute(
                select(MacSighting)
                .join(TableRead, TableRead.device_id == MacSighting.device_id)
                .where(TableRead.read_at.is_not(None), MacSighting.last_seen_at >= TableRead.read_at)
            )
        )
        .scalars()
        .all()
    )
    answers = (
        await session.scalars(
            select(ProbeMatch).where(ProbeMatch.last_seen_at >= now - settings.discovery.answers_stale_after)
        )
    ).all()
    known_ports = await _ports(session, {d.uplink_id for d in devices if d.uplink_id is not None and d.uplink_port})
    first_seen: dict[str, datetime] = {}
    for s in current:
        first_seen[s.mac] = min(first_seen.get(s.mac, s.first_seen_at), s.first_seen_at)
    judged = rules.reconcile(
        [
            rules.Registered(
                d.id,
                d.host,
                d.observed_mac,
                d.uplink_id,
                d.uplink_port,
                _if_index(known_ports, d.uplink_id, d.uplink_port),
            )
            for d in devices
        ],
        # Ports are judged on devices that have a forwarding table: a router's neighbour table has no ports.
        {r.device_id for r in reads if r.read_at is not None and r.forwarding_entries},
        [
            rules.Learned(s.device_id, s.mac, s.if_index, s.port)
            for s in current
            if s.source == SightingSource.FORWARDING
        ],
        [rules.Resolved(s.device_id, s.ip, s.mac) for s in current if s.source == SightingSource.NEIGHBOUR and s.ip],
        [rules.Answered(a.endpoint, a.address, tuple(a.xaddrs)) for a in answers],
    )
    answered_first = {a.address: a.first_seen_at for a in answers}

    def name(device_id: int | None) -> str | None:
        return by_id[device_id].name if device_id in by_id else None

    unregistered = []
    for u in judged.unregistered:
        org, vendor, country, level = _origin(u.mac, settings)
        unregistered.append(
            FoundDevice(
                mac=u.mac,
                ip=u.ip,
                switch=name(u.place.device_id) if u.place else None,
                port=u.place.port if u.place else None,
                seen_by=list(u.seen_by),
                xaddrs=list(u.xaddrs),
                oui_vendor=org,
                origin_vendor=vendor,
                origin_country=country,
                risk_level=level,
                first_seen_at=first_seen.get(u.mac or "") or answered_first.get(u.ip or ""),
            )
        )
    swapped = []
    for sw in judged.swapped:
        d = by_id[sw.device_id]
        org, _, _, level = _origin(sw.found_mac, settings)
        swapped.append(
            SwappedDevice(
                id=d.id,
                name=d.name,
                device_type=d.device_type,
                uplink_device=name(sw.registered.device_id) or "",
                uplink_port=sw.registered.port,
                expected_mac=sw.expected_mac,
                found_mac=sw.found_mac,
                found_oui_vendor=org,
                found_risk_level=level,
            )
        )
    return Reconciliation(
        generated_at=now,
        reads=[
            TableReadOut(
                device=name(r.device_id) or "",
                attempted_at=r.attempted_at,
                read_at=r.read_at,
                forwarding_entries=r.forwarding_entries,
                neighbour_entries=r.neighbour_entries,
                problem=r.problem,
            )
            for r in reads
        ],
        answers=len(answers),
        unregistered=unregistered,
        missing=[
            MissingDevice(
                id=m.device_id,
                name=by_id[m.device_id].name,
                device_type=by_id[m.device_id].device_type,
                host=by_id[m.device_id].host,
                mac=by_id[m.device_id].observed_mac,
                uplink_device=name(m.registered.device_id) or "",
                uplink_port=m.registered.port,
                last_seen_at=by_id[m.device_id].last_seen_at,
            )
            for m in judged.missing
        ],
        moved=[
            MovedDevice(
                id=m.device_id,
                name=by_id[m.device_id].name,
                device_type=by_id[m.device_id].device_type,
                mac=m.mac,
                uplink_device=name(m.registered.device_id) or "",
                uplink_port=m.registered.port,
                found_device=name(m.found.device_id) or "",
                found_port=m.found.port,
            )
            for m in judged.moved
        ],
        swapped=swapped,
    )
