"""Reading the registry: a page of cameras, recorders or network devices, or one, each saying whether it is in
maintenance."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import replace
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import RowMapping, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from fleet.cameras import references, service, uplinks
from fleet.cameras.filters import SORT_KEYS, CameraFilter, CameraSort, list_cameras, narrowed
from fleet.cameras.models import NETWORK_DEVICE_TYPES, Camera, CameraCredentials, CameraStatus, DeviceType, RecordedBy
from fleet.cameras.schemas import (
    CameraOut,
    CredentialSummary,
    DeviceOut,
    Evidence,
    NetworkDeviceOut,
    ObservedIdentity,
    RecorderOut,
    Risk,
)
from fleet.errors import NotFound
from fleet.maintenance.service import cameras_in_maintenance
from fleet.pagination import KeysetPage, Page, Window, read_slice


def _device_fields(device: Camera, in_maintenance: bool) -> dict[str, Any]:
    creds = device.credentials
    return {
        "status": CameraStatus.MAINTENANCE if in_maintenance else device.status,
        "uplink_device": uplinks.name_of(device),
        "observed": ObservedIdentity(
            manufacturer=device.observed_manufacturer,
            model=device.observed_model,
            firmware=device.observed_firmware,
            serial=device.observed_serial,
            hardware_id=device.observed_hardware_id,
            mac=device.observed_mac,
            snmp_enterprise=device.observed_snmp_enterprise,
            sys_descr=device.observed_sys_descr,
            clock_drift_s=device.observed_clock_drift_s,
            uptime_s=device.observed_uptime_s,
            observed_at=device.observed_at,
        ),
        "risk": Risk(
            level=device.risk_level,
            origin_vendor=device.risk_origin_vendor,
            origin_country=device.risk_origin_country,
            confidence=device.risk_confidence,
            evidence=[Evidence.model_validate(e) for e in device.risk_evidence or []],
            identity_mismatch=device.identity_mismatch,
        ),
        "credentials": CredentialSummary(
            onvif=bool(creds and creds.has_onvif), snmp_version=creds.snmp_version if creds else None
        ),
    }


def _columns(device: Camera, shape: type[DeviceOut]) -> dict[str, Any]:
    # The shape's fields that are the row's own columns under the same name.
    return {name: getattr(device, name) for name in shape.model_fields if name in Camera.__table__.columns}


# A camera's answer read as columns (lists, one camera): the row's own fields, then the nested parts.
_PLAIN = tuple(name for name in CameraOut.model_fields if name in Camera.__table__.columns)
_OBSERVED = tuple(ObservedIdentity.model_fields)
_RISK = ("level", "origin_vendor", "origin_country", "confidence")
_CAMERAS = TypeAdapter(list[CameraOut])
_RECORDER = aliased(Camera)
_UPLINK = aliased(Camera)


def _camera_columns() -> Select[Any]:
    """Every column a camera's answer shows, its recorder's and uplink's names and its credentials' flags (never
    credentials)."""
    return (
        select(
            *(getattr(Camera, name) for name in _PLAIN),
            *(getattr(Camera, f"observed_{name}") for name in _OBSERVED if name != "observed_at"),
            Camera.observed_at,
            *(getattr(Camera, f"risk_{name}") for name in _RISK),
            Camera.risk_evidence,
            Camera.identity_mismatch,
            Camera.recorded_by,
            _RECORDER.name.label("recorder_name"),
            _UPLINK.name.label("uplink_name"),
            CameraCredentials.has_onvif,
            CameraCredentials.snmp_version,
            CameraCredentials.camera_id.label("has_credentials"),
        )
        .outerjoin(CameraCredentials, CameraCredentials.camera_id == Camera.id)
        .outerjoin(_RECORDER, _RECORDER.id == Camera.recorder_id)
        .outerjoin(_UPLINK, _UPLINK.id == Camera.uplink_id)
    )


def _camera_row(row: RowMapping, maintenance: Set[int]) -> dict[str, Any]:
    """The answer's shape of one row of `_camera_columns`, as `to_out` shapes an entity."""
    shaped = {name: row[name] for name in _PLAIN}
    if row["id"] in maintenance:
        shaped["status"] = CameraStatus.MAINTENANCE
    shaped["observed"] = {name: row[name if name == "observed_at" else f"observed_{name}"] for name in _OBSERVED}
    shaped["risk"] = {name: row[f"risk_{name}"] for name in _RISK}
    shaped["risk"]["evidence"] = row["risk_evidence"] or []
    shaped["risk"]["identity_mismatch"] = row["identity_mismatch"]
    declared = row["recorded_by"]
    shaped["recorder"] = row["recorder_name"] if declared is RecordedBy.RECORDER else declared
    shaped["uplink_device"] = row["uplink_name"]
    present = row["has_credentials"] is not None
    shaped["credentials"] = {
        "onvif": bool(present and row["has_onvif"]),
        "snmp_version": row["snmp_version"] if present else None,
    }
    return shaped


def recorder_out(recorder: Camera, *, cameras: int, in_maintenance: bool = False) -> RecorderOut:
    """The API shape of a recorder, with how many cameras it records; never a credential."""
    return RecorderOut(**_columns(recorder, RecorderOut) | _device_fields(recorder, in_maintenance), cameras=cameras)


async def page_of(
    session: AsyncSession,
    filters: CameraFilter,
    window: Window,
    *,
    maintenance: Set[int],
    now: datetime,
    sort: CameraSort = CameraSort.NAME,
) -> KeysetPage[CameraOut]:
    """One page of the filtered list; ``maintenance``: the cameras in a running window (`cameras_in_maintenance`).

    Read as columns and shaped straight into the answer: no ORM entity is built for a camera that is only shown.
    """
    found = await read_slice(
        session,
        narrowed(_camera_columns(), filters, maintenance),
        narrowed(select(func.count(Camera.id)), filters, maintenance),
        order=f"cameras:{sort.value}",
        keys=SORT_KEYS[sort],
        window=window,
        now=now,
        positions=narrowed(select(Camera.id), filters, maintenance),
    )
    return KeysetPage[CameraOut](
        items=_CAMERAS.validate_python([_camera_row(row._mapping, maintenance) for row in found.rows]),
        total=found.total,
        page=found.page,
        size=window.size,
        next_cursor=found.next_cursor,
        total_counted_at=found.counted_at,
    )


async def recorder_page(
    session: AsyncSession, filters: CameraFilter, *, page: int, size: int, maintenance: Set[int]
) -> Page[RecorderOut]:
    """One page of recorders by name, each with the number of cameras it records."""
    filters = replace(filters, device_type=DeviceType.RECORDER)
    rows, total = await list_cameras(session, filters=filters, page=page, size=size, maintenance=maintenance)
    counts = await references.counts(session, Camera.recorder_id, [r.id for r in rows])
    items = [recorder_out(r, cameras=counts.get(r.id, 0), in_maintenance=r.id in maintenance) for r in rows]
    return Page(items=items, total=total, page=page, size=size)


async def one(session: AsyncSession, camera_id: int, *, now: datetime) -> CameraOut:
    """One camera as it stands now; NotFound if there is none with that id."""
    query = _camera_columns().where(Camera.id == camera_id, Camera.device_type == DeviceType.CAMERA)
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound(DeviceType.CAMERA.value, camera_id)
    maintenance = await cameras_in_maintenance(session, now, [camera_id])
    return CameraOut.model_validate(_camera_row(row._mapping, maintenance))


async def one_recorder(session: AsyncSession, recorder_id: int, *, now: datetime) -> RecorderOut:
    """One recorder as it stands now; NotFound if there is none with that id."""
    recorder = await service.get_or_raise(session, recorder_id, DeviceType.RECORDER)
    maintenance = await cameras_in_maintenance(session, now, [recorder_id])
    counts = await references.counts(session, Camera.recorder_id, [recorder_id])
    return recorder_out(recorder, cameras=counts.get(recorder_id, 0), in_maintenance=recorder_id in maintenance)


def network_device_out(device: Camera, *, behind: int, in_maintenance: bool = False) -> NetworkDeviceOut:
    """The API shape of a network device, with how many devices hang on it; never a credential."""
    return NetworkDeviceOut(
        **_columns(device, NetworkDeviceOut) | _device_fields(device, in_maintenance), devices_behind=behind
    )


async def network_device_page(
    session: AsyncSession, filters: CameraFilter, *, page: int, size: int, maintenance: Set[int]
) -> Page[NetworkDeviceOut]:
    """One page of network devices by name (of any network type unless the filter names one)."""
    if filters.device_type not in NETWORK_DEVICE_TYPES:
        filters = replace(filters, device_type=NETWORK_DEVICE_TYPES)
    rows, total = await list_cameras(session, filters=filters, page=page, size=size, maintenance=maintenance)
    counts = await references.counts(session, Camera.uplink_id, [d.id for d in rows])
    items = [network_device_out(d, behind=counts.get(d.id, 0), in_maintenance=d.id in maintenance) for d in rows]
    return Page(items=items, total=total, page=page, size=size)


async def one_network_device(session: AsyncSession, device_id: int, *, now: datetime) -> NetworkDeviceOut:
    """One network device as it stands now; NotFound if there is none with that id."""
    device = await service.get_or_raise(session, device_id, DeviceType.SWITCH)
    maintenance = await cameras_in_maintenance(session, now, [device_id])
    counts = await references.counts(session, Camera.uplink_id, [device_id])
    return network_device_out(device, behind=counts.get(device_id, 0), in_maintenance=device_id in maintenance)


async def choices(session: AsyncSession, *, recorded: bool = False) -> list[RowMapping]:
    """Every camera's id, name and area, by name: what a form offers to choose from, read as plain columns
    (``recorded``: only the cameras whose footage is kept, by a recorder or on their own storage)."""
    query = select(Camera.id, Camera.name, Camera.area).where(Camera.device_type == DeviceType.CAMERA)
    if recorded:
        query = query.where(Camera.recorded_by.in_([RecordedBy.RECORDER, RecordedBy.EDGE]))
    return list((await session.execute(query.order_by(Camera.name))).mappings())
