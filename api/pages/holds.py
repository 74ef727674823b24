"""Legal holds: footage kept for an investigation. Everyone sees them; coordinators place and release them, each
audited as through the API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response, status

from api.deps import SessionDep
from api.pages.core import ActHoldRecordings, PageRead, Viewer, attempt, local_time, redirect, render
from fleet.cameras import reading as camera_reading
from fleet.cameras import service as cameras
from fleet.db import RowId
from fleet.recording import holds
from fleet.recording.schemas import LegalHoldIn

router = APIRouter(include_in_schema=False)


async def _page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    *,
    released: bool,
    error: str | None = None,
    form: Mapping[str, object],
) -> Response:
    return render(
        request,
        viewer,
        "legal_holds.html",
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if error else status.HTTP_200_OK,
        holds=await holds.listed(session, current=not released),
        released=released,
        cameras=await camera_reading.choices(session, recorded=True),
        error=error,
        form=form,
    )


@router.get("/recording-holds")
async def hold_list(
    request: Request, session: SessionDep, viewer: PageRead, released: Annotated[bool, Query()] = False
) -> Response:
    """The holds in force (with ``released``, the released ones too), and the form to place one."""
    return await _page(request, session, viewer, released=released, form={})


@router.post("/recording-holds")
async def place_hold(
    request: Request,
    session: SessionDep,
    viewer: ActHoldRecordings,
    camera_id: Annotated[RowId, Form()],
    starts_at: Annotated[str, Form(max_length=40)],
    ends_at: Annotated[str, Form(max_length=40)],
    case_ref: Annotated[str, Form(max_length=100)],
    reason: Annotated[str, Form(max_length=1000)],
) -> Response:
    """Hold a camera's footage of a period for a case (the API's place, with the same validation and audit)."""
    form = {"camera_id": camera_id, "starts_at": starts_at, "ends_at": ends_at, "case_ref": case_ref, "reason": reason}

    async def place() -> object:
        body = LegalHoldIn.model_validate(
            {
                "camera_id": camera_id,
                "from": local_time(starts_at, "from"),
                "to": local_time(ends_at, "to"),
                "case": case_ref,
                "reason": reason,
            }
        )
        camera = await cameras.get_or_raise(session, camera_id)
        return await holds.place(session, actor=viewer.actor, camera=camera, data=body)

    _hold, error = await attempt(session, place)
    if error:
        return await _page(request, session, viewer, released=False, error=error, form=form)
    return redirect("/recording-holds?saved=1")


@router.post("/recording-holds/{hold_id}/release")
async def release_hold(session: SessionDep, viewer: ActHoldRecordings, hold_id: RowId) -> Response:
    """End a hold: the footage falls under the maximum retention again (audited)."""
    await holds.release(session, actor=viewer.actor, hold_id=hold_id, now=datetime.now(UTC))
    return redirect("/recording-holds")
