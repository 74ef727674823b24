"""The technicians' work: faults to acknowledge, the ticket board and workflow, maintenance windows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response, status

from api.deps import SessionDep, SettingsDep
from api.pages.core import (
    ActAcknowledgeFaults,
    ActPlanMaintenance,
    ActWorkOnTickets,
    PageRead,
    Viewer,
    attempt,
    local_time,
    redirect,
    render,
    safe_next,
)
from fleet.cameras.filters import CameraFilter, list_cameras
from fleet.db import RowId
from fleet.faults import reading as fault_reading
from fleet.faults import service as faults
from fleet.maintenance import service as maintenance
from fleet.maintenance.schemas import MaintenanceWindowIn
from fleet.pagination import Window
from fleet.tickets import history, rules, workflow
from fleet.tickets import reading as ticket_reading
from fleet.tickets.models import TicketStatus
from fleet.tickets.schemas import CommentIn, TicketPatch
from fleet.users.models import Role
from fleet.users.service import list_users

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
BOARD_SIZE = 500
WINDOWS_SHOWN = 200
Note = Annotated[str, Form(max_length=10_000)]


# --- Faults. -------------------------------------------------------------------------------------------------


@router.get("/faults")
async def fault_list(
    request: Request,
    session: SessionDep,
    viewer: PageRead,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    all: bool = False,
) -> Response:
    """Faults, open ones only unless asked; technicians acknowledge them here."""
    filters = faults.FaultFilter(open=None if all else True)
    listed = await fault_reading.page_of(session, filters, Window(size=PAGE_SIZE, page=page), now=datetime.now(UTC))
    return render(request, viewer, "faults.html", faults=listed, all=all, pages=max(1, -(-listed.total // PAGE_SIZE)))


@router.post("/faults/{fault_id}/acknowledge")
async def acknowledge(
    session: SessionDep,
    viewer: ActAcknowledgeFaults,
    fault_id: RowId,
    next: Annotated[str, Form(max_length=2000)] = "/faults",
) -> Response:
    """Acknowledge a fault (as the API does), then back to the page the button was on."""
    await faults.acknowledge(session, actor=viewer.actor, fault_id=fault_id, at=datetime.now(UTC))
    return redirect(safe_next(next))


# --- Tickets. ------------------------------------------------------------------------------------------------


@router.get("/tickets")
async def board(request: Request, session: SessionDep, viewer: PageRead) -> Response:
    """The board: a column per status; finished tickets only the latest."""
    listed = await ticket_reading.page_of(session, ticket_reading.TicketFilter(open=True), page=1, size=BOARD_SIZE)
    done = await ticket_reading.page_of(session, ticket_reading.TicketFilter(open=False), page=1, size=20)
    columns = {s: [t for t in listed.items + done.items if t.status is s] for s in TicketStatus}
    return render(request, viewer, "tickets.html", columns=columns, more_open=listed.total > len(listed.items))


async def _ticket_page(
    request: Request, session: SessionDep, viewer: Viewer, ticket_id: int, error: str | None = None
) -> Response:
    ticket = await ticket_reading.detail(session, await history.get_or_raise(session, ticket_id))
    assignable = [u for u in await list_users(session) if u.is_active and u.role.at_least(Role.TECHNICIAN)]
    return render(
        request,
        viewer,
        "ticket.html",
        status_code=status.HTTP_409_CONFLICT if error else status.HTTP_200_OK,
        ticket=ticket,
        assignable=assignable,
        needs_assignee=rules.NEEDS_ASSIGNEE,
        error=error,
    )


@router.get("/tickets/{ticket_id}")
async def ticket_page(request: Request, session: SessionDep, viewer: PageRead, ticket_id: RowId) -> Response:
    """One ticket: the workflow's next steps as buttons, assignment, comments and history."""
    return await _ticket_page(request, session, viewer, ticket_id)


@router.post("/tickets/{ticket_id}")
async def change_ticket(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ActWorkOnTickets,
    ticket_id: RowId,
    status_: Annotated[TicketStatus | None, Form(alias="status")] = None,
    assignee_id: Annotated[RowId | None, Form()] = None,
    note: Note = "",
) -> Response:
    """Assign or move the ticket (as the API's PATCH does, by the ticket service's rules)."""

    async def change() -> object:
        data = TicketPatch(status=status_, assignee_id=assignee_id, note=note.strip() or None)
        now = datetime.now(UTC)
        return await workflow.update(
            session, actor=viewer.actor, ticket_id=ticket_id, data=data, now=now, settings=settings
        )

    _ticket, error = await attempt(session, change)
    if error:
        return await _ticket_page(request, session, viewer, ticket_id, error)
    return redirect(f"/tickets/{ticket_id}")


@router.post("/tickets/{ticket_id}/comments")
async def comment(
    request: Request, session: SessionDep, viewer: ActWorkOnTickets, ticket_id: RowId, text: Note = ""
) -> Response:
    """Add a comment to the ticket's history."""

    async def add() -> object:
        body = CommentIn(text=text.strip())
        now = datetime.now(UTC)
        return await workflow.comment(session, actor=viewer.actor, ticket_id=ticket_id, text=body.text, now=now)

    _event, error = await attempt(session, add)
    if error:
        return await _ticket_page(request, session, viewer, ticket_id, error)
    return redirect(f"/tickets/{ticket_id}")


# --- Maintenance windows. ------------------------------------------------------------------------------------


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


async def _maintenance_page(
    request: Request, session: SessionDep, viewer: Viewer, *, error: str | None = None, form: Mapping[str, object]
) -> Response:
    now = datetime.now(UTC)
    listed = await maintenance.page_of(session, page=1, size=WINDOWS_SHOWN, now=now)
    cameras, _total = await list_cameras(session, filters=CameraFilter(), page=1, size=2000)
    return render(
        request,
        viewer,
        "maintenance.html",
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if error else status.HTTP_200_OK,
        windows=listed,
        cameras=cameras,
        camera_names={c.id: c.name for c in cameras},
        error=error,
        form=form,
        now=now,
    )


@router.get("/maintenance")
async def maintenance_page(request: Request, session: SessionDep, viewer: PageRead) -> Response:
    """Maintenance windows, and the form to plan one."""
    return await _maintenance_page(request, session, viewer, form={})


@router.post("/maintenance")
async def create_window(
    request: Request,
    session: SessionDep,
    viewer: ActPlanMaintenance,
    starts_at: Annotated[str, Form(max_length=40)],
    ends_at: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form(max_length=2000)],
    recurrence: Annotated[str, Form(max_length=500)] = "",
    camera_ids: Annotated[list[RowId] | None, Form()] = None,
    areas: Annotated[str, Form(max_length=10_000)] = "",
    sites: Annotated[str, Form(max_length=10_000)] = "",
    poller_groups: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """Plan a window (the API's create, with the same validation)."""
    form = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "reason": reason,
        "recurrence": recurrence,
        "camera_ids": camera_ids or [],
        "areas": areas,
        "sites": sites,
        "poller_groups": poller_groups,
    }

    async def create() -> object:
        body = MaintenanceWindowIn(
            starts_at=local_time(starts_at, "starts_at"),
            ends_at=local_time(ends_at, "ends_at"),
            reason=reason.strip(),
            recurrence=recurrence.strip() or None,
            camera_ids=camera_ids or [],
            areas=_names(areas),
            sites=_names(sites),
            poller_groups=_names(poller_groups),
        )
        return await maintenance.create(session, actor=viewer.actor, data=body)

    _window, error = await attempt(session, create)
    if error:
        return await _maintenance_page(request, session, viewer, error=error, form=form)
    return redirect("/maintenance?saved=1")


@router.post("/maintenance/{window_id}/delete")
async def delete_window(session: SessionDep, viewer: ActPlanMaintenance, window_id: RowId) -> Response:
    """Remove a window."""
    await maintenance.delete(session, actor=viewer.actor, window_id=window_id)
    return redirect("/maintenance")
