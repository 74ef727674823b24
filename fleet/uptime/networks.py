"""Availability by network type: each camera's time counted under the network type it had at that time.

A camera's period is cut where its network type changed (``fleet.cameras.network_types``); each piece's figures come
from the same uptime arithmetic as every report (``camera_figures_for``), and the pieces of every camera are summed
per type, with the downtime in parts by cause as every report has it. Cameras whose pieces share one span are
computed together, so a fleet without changes costs one pass. An outage running across a change of type counts
under both types; a camera that changed type counts in both rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras.models import Camera, Network
from fleet.cameras.network_types import histories, spans_by_type
from fleet.db import chunks
from fleet.faults.rules import Cause
from fleet.uptime.calc import Figures, Span
from fleet.uptime.causes import by_key, explained_seconds, with_parts
from fleet.uptime.facts import CameraFacts, camera_facts
from fleet.uptime.service import TicketRepairs, UptimeRow, camera_figures_for, ticket_repairs

NONE = "(none)"


async def network_rows(
    session: AsyncSession,
    *,
    period: Span,
    now: datetime,
    cameras: list[CameraFacts] | None = None,
    whole: tuple[dict[int, tuple[CameraFacts, Figures]], dict[int, TicketRepairs]] | None = None,
) -> list[UptimeRow]:
    """The uptime figures per network type over the period (by each camera's history), sorted by type; ``whole``:
    the cameras' figures and tickets over the whole period where the caller has them already."""
    facts = cameras if cameras is not None else await camera_facts(session)
    ids = [c.id for c in facts]
    current: dict[int, Network | None] = {}
    for chunk in chunks(ids):
        query = select(Camera.id, Camera.network).where(Camera.id.in_(chunk))
        current.update((camera_id, network) for camera_id, network in await session.execute(query))
    kept = await histories(session, ids)
    by_span: dict[Span, list[tuple[CameraFacts, Network | None]]] = defaultdict(list)
    for camera in facts:
        for span, network in spans_by_type(kept.get(camera.id, []), period, current.get(camera.id)):
            by_span[span].append((camera, network))
    groups: dict[str, tuple[set[int], Figures, TicketRepairs]] = {}
    parts: dict[str, dict[Cause, float]] = defaultdict(lambda: dict.fromkeys(Cause, 0.0))
    for span, members in sorted(by_span.items()):
        if whole is not None and span == period:
            figures, tickets = whole
        else:
            figures = await camera_figures_for(session, period=span, now=now, cameras=[c for c, _n in members])
            tickets = await ticket_repairs(session, period=span)
        keys = {camera.id: network.value if network is not None else NONE for camera, network in members}
        explained = await explained_seconds(session, period=span, camera_ids=list(keys))
        downtime = {camera.id: figures[camera.id][1].downtime_s for camera, _n in members}
        for key, found in by_key(downtime, explained, keys).items():
            for cause, value in found.items():
                parts[key][cause] += value
        for camera, _network in members:
            key = keys[camera.id]
            counted, total, repairs = groups.setdefault(key, (set(), Figures(), TicketRepairs()))
            counted.add(camera.id)
            total.add(figures[camera.id][1])
            repairs.add(tickets.get(camera.id, TicketRepairs()))
    return [
        with_parts(UptimeRow.of(key, len(counted), figures, repairs), parts[key])
        for key, (counted, figures, repairs) in sorted(groups.items())
    ]
