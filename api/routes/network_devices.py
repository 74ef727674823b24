"""Network device routes (switches, routers, media converters, PoE injectors, UPSes): everyone reads.

They are imported with `camfleet network-devices import`; a camera names its uplink in its own columns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import MayRead, PageDep, SessionDep
from fleet.cameras import reading
from fleet.cameras.fields import NetworkDeviceType
from fleet.cameras.filters import CameraFilter
from fleet.cameras.models import NETWORK_DEVICE_TYPES, CameraStatus, DeviceType
from fleet.cameras.schemas import NetworkDeviceOut
from fleet.db import RowId
from fleet.maintenance.service import cameras_in_maintenance
from fleet.network import service as network
from fleet.network.schemas import NetworkDeviceDetail
from fleet.pagination import Page

router = APIRouter(prefix="/network-devices", tags=["network devices"])


@router.get("", response_model=Page[NetworkDeviceOut])
async def list_network_devices(
    session: SessionDep,
    _user: MayRead,
    paging: PageDep,
    device_type: Annotated[NetworkDeviceType | None, Query()] = None,
    status_: Annotated[CameraStatus | None, Query(alias="status")] = None,
    site: Annotated[str | None, Query(max_length=200)] = None,
    poller_group: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[NetworkDeviceOut]:
    """Network devices by name, filtered and paged, each with its uplink and how many devices hang on it."""
    types: DeviceType | frozenset[DeviceType] = device_type or NETWORK_DEVICE_TYPES
    filters = CameraFilter(device_type=types, status=status_, site=site, poller_group=poller_group)
    maintenance = await cameras_in_maintenance(session, datetime.now(UTC))
    return await reading.network_device_page(
        session, filters, page=paging.page, size=paging.size, maintenance=maintenance
    )


@router.get("/{network_device_id}", response_model=NetworkDeviceDetail)
async def read_network_device(session: SessionDep, _user: MayRead, network_device_id: RowId) -> NetworkDeviceDetail:
    """One network device, with its ports as last read (and the devices behind each) and a UPS's battery."""
    device = await reading.one_network_device(session, network_device_id, now=datetime.now(UTC))
    return await network.detail(session, device)
