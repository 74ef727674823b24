"""Which devices a list holds and in which order: the list filters of the API, the pages and the CLI, the sort
keys, a page of devices as entities, and the count of each status."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet import pagination
from fleet.cameras.models import Camera, CameraKind, CameraStatus, DeviceType, Lifecycle, RiskLevel
from fleet.cameras.service import with_credentials

_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True, slots=True)
class CameraFilter:
    """The list filters of the API and CLI; None means any. Lists are of cameras unless ``device_type`` says so
    (one type, or a set of them: the network devices)."""

    device_type: DeviceType | frozenset[DeviceType] = DeviceType.CAMERA
    status: CameraStatus | None = None
    kind: CameraKind | None = None
    area: str | None = None
    site: str | None = None
    manufacturer: str | None = None
    risk: RiskLevel | None = None
    poller_group: str | None = None
    lifecycle: Lifecycle | None = None
    search: str | None = None
    # The cameras whose footage this recorder keeps.
    recorder_id: int | None = None
    # The devices that hang directly on this network device.
    uplink_id: int | None = None

    def apply(self, query: _Query) -> _Query:
        """Narrow a camera query to this filter."""
        if isinstance(self.device_type, frozenset):
            query = query.where(Camera.device_type.in_(sorted(self.device_type)))
        else:
            query = query.where(Camera.device_type == self.device_type)
        exact = {
            Camera.status: self.status,
            Camera.kind: self.kind,
            Camera.area: self.area,
            Camera.site: self.site,
            Camera.risk_level: self.risk,
            Camera.poller_group: self.poller_group,
            Camera.lifecycle: self.lifecycle,
            Camera.recorder_id: self.recorder_id,
            Camera.uplink_id: self.uplink_id,
        }
        for column, value in exact.items():
            if value is not None:
                query = query.where(column == value)
        if self.manufacturer:
            wanted = self.manufacturer.lower()
            query = query.where(
                or_(
                    func.lower(Camera.observed_manufacturer) == wanted,
                    func.lower(Camera.declared_manufacturer) == wanted,
                )
            )
        if self.search:
            pattern = f"%{self.search.lower()}%"
            query = query.where(
                or_(
                    func.lower(Camera.name).like(pattern),
                    func.lower(Camera.location).like(pattern),
                    func.lower(Camera.host).like(pattern),
                )
            )
        return query


class CameraSort(StrEnum):
    """List orders; every one ends with the name, so pages are stable."""

    NAME = "name"
    STATUS = "status"
    AREA = "area"
    LAST_SEEN = "last_seen"
    RISK = "risk"


_NAME = pagination.SortKey(Camera.name)
# Nulls last on every engine (SQLite and PostgreSQL differ otherwise), then by the unique name.
SORT_KEYS: dict[CameraSort, tuple[pagination.SortKey, ...]] = {
    CameraSort.NAME: (_NAME,),
    CameraSort.STATUS: (pagination.SortKey(Camera.status), _NAME),
    CameraSort.AREA: (pagination.SortKey(Camera.area, nullable=True), _NAME),
    CameraSort.LAST_SEEN: (
        pagination.SortKey(Camera.last_seen_at, descending=True, nullable=True, timestamp=True),
        _NAME,
    ),
    CameraSort.RISK: (pagination.SortKey(Camera.risk_level), _NAME),
}


def narrowed(query: _Query, filters: CameraFilter, maintenance: Set[int]) -> _Query:
    """Narrow a camera query to the filter; ``maintenance`` names the cameras in a running maintenance window.

    Those have the status ``maintenance`` for this filter, whatever their health.
    """
    wanted = filters.status
    query = replace(filters, status=None).apply(query)
    if wanted is CameraStatus.MAINTENANCE:
        return query.where(Camera.id.in_(sorted(maintenance)))
    if wanted is not None:
        query = query.where(Camera.status == wanted)
        if maintenance:
            query = query.where(Camera.id.not_in(sorted(maintenance)))
    return query


async def list_cameras(
    session: AsyncSession,
    *,
    filters: CameraFilter,
    page: int,
    size: int,
    maintenance: Set[int] = frozenset(),
    sort: CameraSort = CameraSort.NAME,
) -> tuple[Sequence[Camera], int]:
    """One page of devices (ORM entities, to change or to shape with their relations) and the total count."""
    total = await session.scalar(narrowed(select(func.count(Camera.id)), filters, maintenance))
    ordered = narrowed(with_credentials(), filters, maintenance).order_by(*pagination.ordering(SORT_KEYS[sort]))
    rows = await session.scalars(ordered.offset((page - 1) * size).limit(size))
    return rows.all(), int(total or 0)


async def count_by_status(
    session: AsyncSession, *, filters: CameraFilter, maintenance: Set[int] = frozenset()
) -> dict[CameraStatus, int]:
    """How many cameras matching the filter have each status, counted as `list_cameras` filters by status.

    Two queries whatever the fleet's size, where listing each status would take two per status.
    """
    filters = replace(filters, status=None)
    grouped = filters.apply(select(Camera.status, func.count(Camera.id)).group_by(Camera.status))
    if maintenance:
        grouped = grouped.where(Camera.id.not_in(sorted(maintenance)))
    counts = dict.fromkeys(CameraStatus, 0)
    counts.update({found: int(count) for found, count in await session.execute(grouped)})
    # As in the list: `maintenance` is whoever is in a running window, never a stored status.
    counts[CameraStatus.MAINTENANCE] = 0
    if maintenance:
        held = filters.apply(select(func.count(Camera.id))).where(Camera.id.in_(sorted(maintenance)))
        counts[CameraStatus.MAINTENANCE] = int(await session.scalar(held) or 0)
    return counts
