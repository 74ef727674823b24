"""Camera registry routes: everyone reads, coordinators change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import CipherDep, KeysetDep, MayEditCameras, MayRead, SessionDep, SettingsDep, actor_of
from fleet.cameras import network_types, reading, service
from fleet.cameras.filters import CameraFilter, CameraSort
from fleet.cameras.models import CameraKind, CameraStatus, Lifecycle, RiskLevel
from fleet.cameras.schemas import CameraCreate, CameraOut, CameraUpdate
from fleet.db import RowId
from fleet.maintenance.service import cameras_in_maintenance
from fleet.pagination import KeysetPage
from fleet.vendor_risk import service as vendor_risk

router = APIRouter(prefix="/cameras", tags=["cameras"])


@router.get("", response_model=KeysetPage[CameraOut])
async def list_cameras(
    session: SessionDep,
    _user: MayRead,
    paging: KeysetDep,
    status_: Annotated[CameraStatus | None, Query(alias="status")] = None,
    kind: CameraKind | None = None,
    area: Annotated[str | None, Query(max_length=200)] = None,
    site: Annotated[str | None, Query(max_length=200)] = None,
    manufacturer: Annotated[str | None, Query(max_length=200)] = None,
    risk: RiskLevel | None = None,
    poller_group: Annotated[str | None, Query(max_length=100)] = None,
    lifecycle: Lifecycle | None = None,
    q: Annotated[str | None, Query(max_length=200, description="search in name, location, host")] = None,
    sort: CameraSort = CameraSort.NAME,
) -> KeysetPage[CameraOut]:
    """Cameras by name (or ``sort``), filtered, by page number or by ``cursor``."""
    filters = CameraFilter(
        status=status_,
        kind=kind,
        area=area,
        site=site,
        manufacturer=manufacturer,
        risk=risk,
        poller_group=poller_group,
        lifecycle=lifecycle,
        search=q,
    )
    now = datetime.now(UTC)
    maintenance = await cameras_in_maintenance(session, now)
    return await reading.page_of(session, filters, paging.window, maintenance=maintenance, now=now, sort=sort)


@router.post("", response_model=CameraOut, status_code=status.HTTP_201_CREATED)
async def create_camera(
    session: SessionDep, user: MayEditCameras, cipher: CipherDep, settings: SettingsDep, body: CameraCreate
) -> CameraOut:
    """Add a camera; credentials are write-only and stored encrypted."""
    networks = settings.cameras.allowed_networks
    camera = await service.create(session, actor=actor_of(user), data=body, cipher=cipher, networks=networks)
    await vendor_risk.assess_camera(session, camera, settings)
    return await reading.one(session, camera.id, now=datetime.now(UTC))


@router.get("/{camera_id}", response_model=CameraOut)
async def read_camera(session: SessionDep, _user: MayRead, camera_id: RowId) -> CameraOut:
    """One camera."""
    return await reading.one(session, camera_id, now=datetime.now(UTC))


@router.patch("/{camera_id}", response_model=CameraOut)
async def update_camera(
    session: SessionDep,
    user: MayEditCameras,
    cipher: CipherDep,
    settings: SettingsDep,
    camera_id: RowId,
    body: CameraUpdate,
) -> CameraOut:
    """Change the fields sent; ``credentials`` replaces the stored ones."""
    camera = await service.get_or_raise(session, camera_id)
    networks = settings.cameras.allowed_networks
    await service.update(session, actor=actor_of(user), camera=camera, data=body, cipher=cipher, networks=networks)
    await vendor_risk.assess_camera(session, camera, settings)
    return await reading.one(session, camera_id, now=datetime.now(UTC))


@router.delete("/{camera_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_camera(session: SessionDep, user: MayEditCameras, camera_id: RowId) -> Response:
    """Remove a camera from the registry."""
    camera = await service.get_or_raise(session, camera_id)
    await service.delete(session, actor=actor_of(user), camera=camera)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{camera_id}/network-history", response_model=list[network_types.NetworkChangeOut])
async def network_history(
    session: SessionDep, _user: MayRead, camera_id: RowId
) -> list[network_types.NetworkChangeOut]:
    """The camera's network types in time order: each change with its time and who made it."""
    await service.get_or_raise(session, camera_id)
    return await network_types.history_of(session, camera_id)
