"""Recorders and network devices: for each kind a list, and one device's page with what it serves (the cameras a
recorder records, the devices that hang on a network device) beside its faults and tickets. One implementation;
the kind says which devices, how a page of them is read and what its page shows besides."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import SessionDep, SettingsDep
from api.pages.core import PageRead, render
from config.settings import Settings
from fleet.cameras import reading as camera_reading
from fleet.cameras.filters import CameraFilter
from fleet.cameras.models import NETWORK_DEVICE_TYPES, CameraStatus, DeviceType, RecordedBy
from fleet.db import RowId
from fleet.faults import reading as fault_reading
from fleet.faults.service import FaultFilter
from fleet.maintenance import service as maintenance
from fleet.network import service as network
from fleet.pagination import Page, Window
from fleet.recording.service import Declared
from fleet.recording.state import footage_of
from fleet.tickets import reading as ticket_reading

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
# A device's page lists what it serves; more than this is a link to the filtered list (a switch has at most a few
# dozen ports, a recorder records a few hundred cameras at most).
SERVED_SHOWN = 200
PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]
StatusShown = Annotated[CameraStatus | None, Query()]


_Listed = Callable[..., Awaitable[Page[Any]]]
# What a kind's page shows besides its faults and tickets: the device and what it serves, as the template's values;
# read at a moment, with the devices then in a running maintenance window.
_Around = Callable[[AsyncSession, Settings, int, datetime, set[int]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class _Kind:
    types: DeviceType | frozenset[DeviceType]
    listed: _Listed
    around: _Around
    list_template: str
    page_template: str


async def _recorder(
    session: AsyncSession, settings: Settings, recorder_id: int, now: datetime, in_maintenance: set[int]
) -> dict[str, Any]:
    """A recorder, the cameras whose footage it keeps and each one's recordings and their state, from the
    recorder's last recording check."""
    recorded = await camera_reading.page_of(
        session, CameraFilter(recorder_id=recorder_id), Window(size=SERVED_SHOWN), maintenance=in_maintenance, now=now
    )
    # The cameras shown are this recorder's (the filter); only a camera whose footage a recorder keeps names one
    # (recorders.resolve).
    shown = [
        Declared(
            id=c.id,
            name=c.name,
            host=c.host,
            device_type=DeviceType.CAMERA,
            lifecycle=c.lifecycle,
            recorded_by=RecordedBy.RECORDER,
            recorder_id=recorder_id,
            retention_min_days=c.retention_min_days,
            retention_max_days=c.retention_max_days,
        )
        for c in recorded.items
    ]
    return {
        "device": await camera_reading.one_recorder(session, recorder_id, now=now),
        "cameras": recorded,
        "footage": await footage_of(session, shown, settings.recording),
    }


async def _network_device(
    session: AsyncSession, _settings: Settings, device_id: int, now: datetime, in_maintenance: set[int]
) -> dict[str, Any]:
    """A network device with its ports and battery as last read, and the cameras and devices behind it."""
    device = await camera_reading.one_network_device(session, device_id, now=now)
    return {
        "device": await network.detail(session, device),
        "cameras": await camera_reading.page_of(
            session,
            CameraFilter(uplink_id=device_id),
            Window(size=SERVED_SHOWN),
            maintenance=in_maintenance,
            now=now,
        ),
        "devices": await camera_reading.network_device_page(
            session,
            CameraFilter(device_type=NETWORK_DEVICE_TYPES, uplink_id=device_id),
            page=1,
            size=SERVED_SHOWN,
            maintenance=in_maintenance,
        ),
    }


RECORDERS = _Kind(DeviceType.RECORDER, camera_reading.recorder_page, _recorder, "recorders.html", "recorder.html")
NETWORK_DEVICES = _Kind(
    NETWORK_DEVICE_TYPES,
    camera_reading.network_device_page,
    _network_device,
    "network_devices.html",
    "network_device.html",
)


async def _list(
    request: Request, session: AsyncSession, viewer: PageRead, kind: _Kind, page: int, status: CameraStatus | None
) -> Response:
    in_maintenance = await maintenance.cameras_in_maintenance(session, datetime.now(UTC))
    filters = CameraFilter(device_type=kind.types, status=status)
    listed = await kind.listed(session, filters, page=page, size=PAGE_SIZE, maintenance=in_maintenance)
    return render(
        request,
        viewer,
        kind.list_template,
        devices=listed,
        status=status,
        statuses=list(CameraStatus),
        pages=max(1, -(-listed.total // PAGE_SIZE)),
    )


async def _page(
    request: Request, session: AsyncSession, settings: Settings, viewer: PageRead, kind: _Kind, device_id: int
) -> Response:
    now = datetime.now(UTC)
    in_maintenance = await maintenance.cameras_in_maintenance(session, now)
    around = await kind.around(session, settings, device_id, now, in_maintenance)
    return render(
        request,
        viewer,
        kind.page_template,
        **around,
        faults=await fault_reading.page_of(session, FaultFilter(camera_id=device_id), Window(size=20), now=now),
        tickets=await ticket_reading.page_of(
            session, ticket_reading.TicketFilter(camera_id=device_id), page=1, size=20
        ),
    )


@router.get("/recorders")
async def recorder_list(
    request: Request, session: SessionDep, viewer: PageRead, page: PageNumber = 1, status: StatusShown = None
) -> Response:
    """Recorders, each with its status and how many cameras it records."""
    return await _list(request, session, viewer, RECORDERS, page, status)


@router.get("/recorders/{recorder_id}")
async def recorder_page(
    request: Request, session: SessionDep, settings: SettingsDep, viewer: PageRead, recorder_id: RowId
) -> Response:
    """One recorder: identity, risk, its faults and tickets, and the cameras whose footage it keeps."""
    return await _page(request, session, settings, viewer, RECORDERS, recorder_id)


@router.get("/network-devices")
async def network_device_list(
    request: Request, session: SessionDep, viewer: PageRead, page: PageNumber = 1, status: StatusShown = None
) -> Response:
    """Network devices, each with its type, status, uplink and how many devices hang on it."""
    return await _list(request, session, viewer, NETWORK_DEVICES, page, status)


@router.get("/network-devices/{network_device_id}")
async def network_device_page(
    request: Request, session: SessionDep, settings: SettingsDep, viewer: PageRead, network_device_id: RowId
) -> Response:
    """One network device: identity, risk, its ports and battery as last read, its faults and tickets, and the
    cameras and devices behind it."""
    return await _page(request, session, settings, viewer, NETWORK_DEVICES, network_device_id)
