"""Recorder registry routes (NVRs, recording servers): everyone reads, coordinators change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import CipherDep, MayEditCameras, MayRead, PageDep, SessionDep, SettingsDep, actor_of
from fleet.cameras import reading, service
from fleet.cameras.filters import CameraFilter
from fleet.cameras.models import CameraStatus, DeviceType, RiskLevel
from fleet.cameras.schemas import RecorderCreate, RecorderOut, RecorderUpdate
from fleet.db import RowId
from fleet.maintenance.service import cameras_in_maintenance
from fleet.pagination import Page
from fleet.vendor_risk import service as vendor_risk

router = APIRouter(prefix="/recorders", tags=["recorders"])


@router.get("", response_model=Page[RecorderOut])
async def list_recorders(
    session: SessionDep,
    _user: MayRead,
    paging: PageDep,
    status_: Annotated[CameraStatus | None, Query(alias="status")] = None,
    site: Annotated[str | None, Query(max_length=200)] = None,
    risk: RiskLevel | None = None,
    poller_group: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[RecorderOut]:
    """Recorders by name, filtered and paged, each with how many cameras it records."""
    filters = CameraFilter(
        device_type=DeviceType.RECORDER, status=status_, site=site, risk=risk, poller_group=poller_group
    )
    maintenance = await cameras_in_maintenance(session, datetime.now(UTC))
    return await reading.recorder_page(session, filters, page=paging.page, size=paging.size, maintenance=maintenance)


@router.post("", response_model=RecorderOut, status_code=status.HTTP_201_CREATED)
async def create_recorder(
    session: SessionDep, user: MayEditCameras, cipher: CipherDep, settings: SettingsDep, body: RecorderCreate
) -> RecorderOut:
    """Add a recorder; credentials are write-only and stored encrypted."""
    networks = settings.cameras.allowed_networks
    recorder = await service.create(session, actor=actor_of(user), data=body, cipher=cipher, networks=networks)
    await vendor_risk.assess_camera(session, recorder, settings)
    return await reading.one_recorder(session, recorder.id, now=datetime.now(UTC))


@router.get("/{recorder_id}", response_model=RecorderOut)
async def read_recorder(session: SessionDep, _user: MayRead, recorder_id: RowId) -> RecorderOut:
    """One recorder."""
    return await reading.one_recorder(session, recorder_id, now=datetime.now(UTC))


@router.patch("/{recorder_id}", response_model=RecorderOut)
async def update_recorder(
    session: SessionDep,
    user: MayEditCameras,
    cipher: CipherDep,
    settings: SettingsDep,
    recorder_id: RowId,
    body: RecorderUpdate,
) -> RecorderOut:
    """Change the fields sent; ``credentials`` replaces the stored ones."""
    recorder = await service.get_or_raise(session, recorder_id, DeviceType.RECORDER)
    networks = settings.cameras.allowed_networks
    await service.update(session, actor=actor_of(user), camera=recorder, data=body, cipher=cipher, networks=networks)
    await vendor_risk.assess_camera(session, recorder, settings)
    return await reading.one_recorder(session, recorder_id, now=datetime.now(UTC))


@router.delete("/{recorder_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_recorder(session: SessionDep, user: MayEditCameras, recorder_id: RowId) -> Response:
    """Remove a recorder from the registry; refused (409) while cameras name it as theirs."""
    recorder = await service.get_or_raise(session, recorder_id, DeviceType.RECORDER)
    await service.delete(session, actor=actor_of(user), camera=recorder)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
