"""Reading the registry: a page of cameras or recorders, or one, each saying whether it is in maintenance."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras import recorders, service
from fleet.cameras.models import Camera, CameraStatus, DeviceType
from fleet.cameras.schemas import (
    CameraOut,
    CredentialSummary,
    Evidence,
    ObservedIdentity,
    RecorderOut,
    Risk,
)
from fleet.maintenance.service import cameras_in_maintenance
from fleet.pagination import Page


def _device_fields(device: Camera, in_maintenance: bool) -> dict[str, Any]:
    creds = device.credentials
    return {
        "status": CameraStatus.MAINTENANCE if in_maintenance else device.status,
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


def _columns(device: Camera, shape: type[CameraOut] | type[RecorderOut]) -> dict[str, Any]:
    # The shape's fields that are the row's own columns under the same name.
    return {name: getattr(device, name) for name in shape.model_fields if name in Camera.__table__.columns}


def to_out(camera: Camera, *, in_maintenance: bool = False) -> CameraOut:
    """The API shape of a camera; never a credential. In a running maintenance window its status says so."""
    return CameraOut(
        **_columns(camera, CameraOut) | _device_fields(camera, in_maintenance),
        recorder=recorders.name_of(camera),
    )


def recorder_out(recorder: Camera, *, cameras: int, in_maintenance: bool = False) -> RecorderOut:
    """The API shape of a recorder, with how many cameras it records; never a credential."""
    return RecorderOut(**_columns(recorder, RecorderOut) | _device_fields(recorder, in_maintenance), cameras=cameras)


async def page_of(
    session: AsyncSession,
    filters: service.CameraFilter,
    *,
    page: int,
    size: int,
    maintenance: Set[int],
    sort: service.CameraSort = service.CameraSort.NAME,
) -> Page[CameraOut]:
    """One page of the filtered list; ``maintenance``: the cameras in a running window (`cameras_in_maintenance`)."""
    rows, total = await service.list_cameras(
        session, filters=filters, page=page, size=size, maintenance=maintenance, sort=sort
    )
    items = [to_out(c, in_maintenance=c.id in maintenance) for c in rows]
    return Page(items=items, total=total, page=page, size=size)


async def recorder_page(
    session: AsyncSession, filters: service.CameraFilter, *, page: int, size: int, maintenance: Set[int]
) -> Page[RecorderOut]:
    """One page of recorders by name, each with the number of cameras it records."""
    filters = replace(filters, device_type=DeviceType.RECORDER)
    rows, total = await service.list_cameras(session, filters=filters, page=page, size=size, maintenance=maintenance)
    counts = await recorders.camera_counts(session, [r.id for r in rows])
    items = [recorder_out(r, cameras=counts.get(r.id, 0), in_maintenance=r.id in maintenance) for r in rows]
    return Page(items=items, total=total, page=page, size=size)


async def one(session: AsyncSession, camera_id: int, *, now: datetime) -> CameraOut:
    """One camera as it stands now; NotFound if there is none with that id."""
    camera = await service.get_or_raise(session, camera_id)
    maintenance = await cameras_in_maintenance(session, now, [camera_id])
    return to_out(camera, in_maintenance=camera_id in maintenance)


async def one_recorder(session: AsyncSession, recorder_id: int, *, now: datetime) -> RecorderOut:
    """One recorder as it stands now; NotFound if there is none with that id."""
    recorder = await service.get_or_raise(session, recorder_id, DeviceType.RECORDER)
    maintenance = await cameras_in_maintenance(session, now, [recorder_id])
    counts = await recorders.camera_counts(session, [recorder_id])
    return recorder_out(recorder, cameras=counts.get(recorder_id, 0), in_maintenance=recorder_id in maintenance)
