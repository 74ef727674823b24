"""Recorders: the list, and one recorder's page with the cameras whose footage it keeps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import SessionDep, SettingsDep
from api.pages.core import PageRead, render
from fleet.cameras import reading as camera_reading
from fleet.cameras.models import CameraStatus, DeviceType, RecordedBy
from fleet.cameras.service import CameraFilter
from fleet.db import RowId
from fleet.faults import reading as fault_reading
from fleet.faults.service import FaultFilter
from fleet.maintenance import service as maintenance
from fleet.pagination import Window
from fleet.recording.service import Declared
from fleet.recording.state import footage_of
from fleet.tickets import reading as ticket_reading

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
# A recorder's page lists the cameras it records; more than this is a link to the filtered camera list.
CAMERAS_SHOWN = 200


@router.get("/recorders")
async def recorder_list(
    request: Request,
    session: SessionDep,
    viewer: PageRead,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    status: Annotated[CameraStatus | None, Query()] = None,
) -> Response:
    """Recorders, each with its status and how many cameras it records."""
    in_maintenance = await maintenance.cameras_in_maintenance(session, datetime.now(UTC))
    filters = CameraFilter(device_type=DeviceType.RECORDER, status=status)
    listed = await camera_reading.recorder_page(session, filters, page=page, size=PAGE_SIZE, maintenance=in_maintenance)
    return render(
        request,
        viewer,
        "recorders.html",
        recorders=listed,
        status=status,
        statuses=list(CameraStatus),
        pages=max(1, -(-listed.total // PAGE_SIZE)),
    )


@router.get("/recorders/{recorder_id}")
async def recorder_page(
    request: Request, session: SessionDep, settings: SettingsDep, viewer: PageRead, recorder_id: RowId
) -> Response:
    """One recorder: identity, risk, its faults and tickets, and the cameras whose footage it keeps."""
    now = datetime.now(UTC)
    recorder = await camera_reading.one_recorder(session, recorder_id, now=now)
    in_maintenance = await maintenance.cameras_in_maintenance(session, now)
    filters = CameraFilter(recorder_id=recorder_id)
    recorded = await camera_reading.page_of(
        session, filters, Window(size=CAMERAS_SHOWN), maintenance=in_maintenance, now=now
    )
    # Each camera's recordings and their state, from the recorder's last recording check. The cameras shown are
    # this recorder's (the filter); only a camera whose footage a recorder keeps names one (recorders.resolve).
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
    footage = await footage_of(session, shown, settings.recording)
    return render(
        request,
        viewer,
        "recorder.html",
        recorder=recorder,
        cameras=recorded,
        footage=footage,
        faults=await fault_reading.page_of(session, FaultFilter(camera_id=recorder_id), Window(size=20), now=now),
        tickets=await ticket_reading.page_of(
            session, ticket_reading.TicketFilter(camera_id=recorder_id), page=1, size=20
        ),
    )
