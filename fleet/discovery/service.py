"""Keeping what the network's tables and WS-Discovery answers say, with first and last seen. Nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.db import chunks
from fleet.discovery.models import MacSighting, ProbeMatch, SightingSource, TableRead

# What one device's problem may say: enough to act on, never a device's whole answer.
_MAX_PROBLEM = 500


class ForwardingEntry(Protocol):
    """A learned entry of a switch's forwarding table."""

    @property
    def mac(self) -> str: ...
    @property
    def if_index(self) -> int | None: ...
    @property
    def port(self) -> str | None: ...
    @property
    def vlan(self) -> int | None: ...


class NeighbourEntry(Protocol):
    """An entry of a router's ARP or neighbour table."""

    @property
    def ip(self) -> str: ...
    @property
    def mac(self) -> str: ...
    @property
    def if_index(self) -> int | None: ...


class Answer(Protocol):
    """A WS-Discovery ProbeMatch."""

    @property
    def endpoint(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def xaddrs(self) -> Sequence[str]: ...
    @property
    def scopes(self) -> Sequence[str]: ...
    @property
    def types(self) -> Sequence[str]: ...


_Key = tuple[SightingSource, str, int | None, int | None, str | None]


async def _read_row(session: AsyncSession, device_id: int, now: datetime) -> TableRead:
    row = await session.get(TableRead, device_id)
    if row is None:
        row = TableRead(device_id=device_id, attempted_at=now, forwarding_entries=0, neighbour_entries=0)
        session.add(row)
    row.attempted_at = now
    return row


async def record_tables(
    session: AsyncSession,
    device_id: int,
    forwarding: Sequence[ForwardingEntry],
    neighbours: Sequence[NeighbourEntry],
    *,
    now: datetime,
) -> None:
    """Keep one device's tables as read at ``now``: entries seen before get a new last seen, new ones are added."""
    wanted: dict[_Key, dict[str, object]] = {}
    for f in forwarding:
        key = (SightingSource.FORWARDING, f.mac, f.if_index, f.vlan, None)
        wanted[key] = {"port": f.port}
    for n in neighbours:
        wanted[(SightingSource.NEIGHBOUR, n.mac, n.if_index, None, n.ip)] = {"port": None}
    existing = (await session.scalars(select(MacSighting).where(MacSighting.device_id == device_id))).all()
    for row in existing:
        found = wanted.pop((row.source, row.mac, row.if_index, row.vlan, row.ip), None)
        if found is not None:
            row.last_seen_at = now
            row.port = found["port"]  # type: ignore[assignment]
    for (source, mac, if_index, vlan, ip), values in wanted.items():
        session.add(
            MacSighting(
                device_id=device_id,
                source=source,
                mac=mac,
                if_index=if_index,
                vlan=vlan,
                ip=ip,
                port=values["port"],
                first_seen_at=now,
                last_seen_at=now,
            )
        )
    read = await _read_row(session, device_id, now)
    read.read_at = now
    read.forwarding_entries = len(forwarding)
    read.neighbour_entries = len(neighbours)
    read.problem = None


async def record_problem(session: AsyncSession, device_id: int, problem: str, *, now: datetime) -> None:
    """Note that reading a device's tables failed; what was read before stays its current tables."""
    row = await _read_row(session, device_id, now)
    row.problem = problem[:_MAX_PROBLEM]


async def record_answers(session: AsyncSession, answers: Sequence[Answer], *, now: datetime) -> int:
    """Keep the answers of a WS-Discovery probe by endpoint reference; the number new to camfleet."""
    by_endpoint = {a.endpoint: a for a in answers}
    known = {
        row.endpoint: row
        for chunk in chunks(by_endpoint)
        for row in (await session.scalars(select(ProbeMatch).where(ProbeMatch.endpoint.in_(chunk)))).all()
    }
    for endpoint, answer in by_endpoint.items():
        row = known.get(endpoint)
        if row is None:
            row = ProbeMatch(endpoint=endpoint, first_seen_at=now)
            session.add(row)
        row.address = answer.address
        row.xaddrs, row.scopes, row.types = list(answer.xaddrs), list(answer.scopes), list(answer.types)
        row.last_seen_at = now
    return len(by_endpoint) - len(known)
