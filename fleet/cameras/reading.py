"""Reading cameras: a page of the list or one camera, each saying whether it is in maintenance.

Read as columns and shaped straight into the API's answer: no ORM entity is built for a camera that is only shown.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import RowMapping, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras import service
from fleet.cameras.models import Camera, CameraCredentials, CameraStatus
from fleet.cameras.schemas import CameraOut
from fleet.errors import NotFound
from fleet.maintenance.service import cameras_in_maintenance
from fleet.pagination import KeysetPage, Window, read_slice

_PLAIN = (
    "id",
    "name",
    "kind",
    "lifecycle",
    "site",
    "area",
    "location",
    "latitude",
    "longitude",
    "host",
    "onvif_port",
    "snmp_port",
    "rtsp_port",
    "poller_group",
    "allow_basic",
    "declared_manufacturer",
    "declared_model",
    "installed_on",
    "retired_on",
    "network",
    "status",
    "status_since",
    "last_seen_at",
    "created_at",
    "updated_at",
)
_OBSERVED = (
    "manufacturer",
    "model",
    "firmware",
    "serial",
    "hardware_id",
    "mac",
    "snmp_enterprise",
    "sys_descr",
    "clock_drift_s",
    "uptime_s",
)
_RISK = ("level", "origin_vendor", "origin_country", "confidence")
_CAMERAS = TypeAdapter(list[CameraOut])


def _columns() -> Select[Any]:
    """Every column a camera's answer shows, its credentials' flags included (never the credentials)."""
    return select(
        *(getattr(Camera, name) for name in _PLAIN),
        *(getattr(Camera, f"observed_{name}") for name in _OBSERVED),
        Camera.observed_at,
        *(getattr(Camera, f"risk_{name}") for name in _RISK),
        Camera.risk_evidence,
        Camera.identity_mismatch,
        CameraCredentials.has_onvif,
        CameraCredentials.snmp_version,
        CameraCredentials.camera_id.label("has_credentials"),
    ).outerjoin(CameraCredentials, CameraCredentials.camera_id == Camera.id)


def _shaped(row: RowMapping, maintenance: Set[int]) -> dict[str, Any]:
    """The answer's shape of one row of `_columns`; in a running maintenance window its status says so."""
    shaped = {name: row[name] for name in _PLAIN}
    if row["id"] in maintenance:
        shaped["status"] = CameraStatus.MAINTENANCE
    shaped["observed"] = {name: row[f"observed_{name}"] for name in _OBSERVED}
    shaped["observed"]["observed_at"] = row["observed_at"]
    shaped["risk"] = {name: row[f"risk_{name}"] for name in _RISK}
    shaped["risk"]["evidence"] = row["risk_evidence"] or []
    shaped["risk"]["identity_mismatch"] = row["identity_mismatch"]
    present = row["has_credentials"] is not None
    shaped["credentials"] = {
        "onvif": bool(present and row["has_onvif"]),
        "snmp_version": row["snmp_version"] if present else None,
    }
    return shaped


async def page_of(
    session: AsyncSession,
    filters: service.CameraFilter,
    window: Window,
    *,
    maintenance: Set[int],
    now: datetime,
    sort: service.CameraSort = service.CameraSort.NAME,
) -> KeysetPage[CameraOut]:
    """One page of the filtered list; ``maintenance``: the cameras in a running window (`cameras_in_maintenance`)."""
    found = await read_slice(
        session,
        service.narrowed(_columns(), filters, maintenance),
        service.narrowed(select(func.count(Camera.id)), filters, maintenance),
        order=f"cameras:{sort.value}",
        keys=service.SORT_KEYS[sort],
        window=window,
        now=now,
    )
    return KeysetPage[CameraOut](
        items=_CAMERAS.validate_python([_shaped(row._mapping, maintenance) for row in found.rows]),
        total=found.total,
        page=found.page,
        size=window.size,
        next_cursor=found.next_cursor,
        total_counted_at=found.counted_at,
    )


async def one(session: AsyncSession, camera_id: int, *, now: datetime) -> CameraOut:
    """One camera as it stands now; NotFound if there is none with that id."""
    row = (await session.execute(_columns().where(Camera.id == camera_id))).first()
    if row is None:
        raise NotFound("camera", camera_id)
    maintenance = await cameras_in_maintenance(session, now, [camera_id])
    return CameraOut.model_validate(_shaped(row._mapping, maintenance))
