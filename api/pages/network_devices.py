"""Network devices: the list, and one device's page with the devices that hang on it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import SessionDep
from api.pages.core import PageRead, render
from fleet.cameras import reading as camera_reading
from fleet.cameras.filters import CameraFilter
from fleet.cameras.models import NETWORK_DEVICE_TYPES, CameraStatus
from fleet.db import RowId
from fleet.faults import reading as fault_reading
from fleet.faults.service import FaultFilter
from fleet.maintenance import service as maintenance
from fleet.network import service as network
from fleet.pagination import Window
from fleet.tickets import reading as ticket_reading

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
# A device's page lists what hangs on it; a switch has at most a few dozen ports.
BEHIND_SHOWN = 200


@router.get("/network-devices")
async def network_device_list(
    request: Request,
    session: SessionDep,
    viewer: PageRead,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    status: Annotated[CameraStatus | None, Query()] = None,
) -> Response:
    """Network devices, each with its type, status, uplink and how many devices hang on it."""
    in_maintenance = await maintenance.cameras_in_maintenance(session, datetime.now(UTC))
    filters = CameraFilter(device_type=NETWORK_DEVICE_TYPES, status=status)
    listed = await camera_reading.network_device_page(
        session, filters, page=page, size=PAGE_SIZE, maintenance=in_maintenance
    )
    return render(
        request,
        viewer,
        "network_devices.html",
        devices=listed,
        status=status,
        statuses=list(CameraStatus),
        pages=max(1, -(-listed.total // PAGE_SIZE)),
    )


@router.get("/network-devices/{network_device_id}")
async def network_device_page(
    request: Request, session: SessionDep, viewer: PageRead, network_device_id: RowId
) -> Response:
    """One network device: identity, risk, its ports and battery as last read, its faults and tickets, and the
    cameras and devices behind it."""
    now = datetime.now(UTC)
    device = await network.detail(session, await camera_reading.one_network_device(session, network_device_id, now=now))
    in_maintenance = await maintenance.cameras_in_maintenance(session, now)
    cameras = await camera_reading.page_of(
        session,
        CameraFilter(uplink_id=network_device_id),
        Window(size=BEHIND_SHOWN),
        maintenance=in_maintenance,
        now=now,
    )
    devices = await camera_reading.network_device_page(
        session,
        CameraFilter(device_type=NETWORK_DEVICE_TYPES, uplink_id=network_device_id),
        page=1,
        size=BEHIND_SHOWN,
        maintenance=in_maintenance,
    )
    return render(
        request,
        viewer,
        "network_device.html",
        device=device,
        cameras=cameras,
        devices=devices,
        faults=await fault_reading.page_of(session, FaultFilter(camera_id=network_device_id), Window(size=20), now=now),
        tickets=await ticket_reading.page_of(
            session, ticket_reading.TicketFilter(camera_id=network_device_id), page=1, size=20
        ),
    )
