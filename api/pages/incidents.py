"""The observers' page: the year's incidents, a form to register one, and the category list to keep."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response

from api.deps import SessionDep
from api.pages.core import ActRegisterIncidents, PageRead, Viewer, attempt, redirect, render
from config.zone import LOCAL
from fleet.cameras import reading as camera_reading
from fleet.db import RowId
from fleet.incidents import service
from fleet.incidents.schemas import CategoryIn, IncidentIn

router = APIRouter()
Count = Annotated[int, Form(ge=0, le=100_000)]


async def _page(
    request: Request, session: SessionDep, viewer: Viewer, year: int, error: str | None = None, **form: Any
) -> Response:
    return render(
        request,
        viewer,
        "incidents.html",
        status_code=422 if error else 200,
        year=year,
        incidents=await service.incidents_of(session, first=date(year, 1, 1), last=date(year, 12, 31)),
        categories=await service.categories(session),
        cameras=await camera_reading.choices(session),
        today=datetime.now(LOCAL).date(),
        error=error,
        form=form,
    )


@router.get("/incidents")
async def incidents_page(
    request: Request, session: SessionDep, viewer: PageRead, year: Annotated[int | None, Query(ge=1990, le=2999)] = None
) -> Response:
    """The incidents of a year (this year unless asked), and for observers the form to add one."""
    return await _page(request, session, viewer, year or datetime.now(LOCAL).year)


@router.post("/incidents")
async def add_incident(
    request: Request,
    session: SessionDep,
    viewer: ActRegisterIncidents,
    occurred_on: Annotated[date, Form()],
    category_id: Annotated[RowId, Form()],
    area: Annotated[str, Form(max_length=200)],
    camera_id: Annotated[str, Form(max_length=20)] = "",
    checks: Count = 0,
    warnings: Count = 0,
    fines: Count = 0,
    arrests: Count = 0,
    ambulance: Count = 0,
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Register an incident as the API does; a refusal shows the form again with the reason."""
    values = {
        "occurred_on": occurred_on,
        "category_id": category_id,
        "area": area,
        "camera_id": int(camera_id) if camera_id.isdigit() else None,
        "checks": checks,
        "warnings": warnings,
        "fines": fines,
        "arrests": arrests,
        "ambulance": ambulance,
        "note": note.strip() or None,
    }

    async def add() -> object:
        return await service.add_incident(session, actor=viewer.actor, data=IncidentIn.model_validate(values))

    _done, error = await attempt(session, add, language=viewer.language)
    if error:
        return await _page(request, session, viewer, occurred_on.year, error, **values)
    return redirect(f"/incidents?year={occurred_on.year}")


@router.post("/incidents/categories")
async def add_category(
    request: Request, session: SessionDep, viewer: ActRegisterIncidents, name: Annotated[str, Form(max_length=300)]
) -> Response:
    """Add a category to the end of the list."""

    async def add() -> object:
        return await service.add_category(session, actor=viewer.actor, data=CategoryIn(name=name))

    _done, error = await attempt(session, add, language=viewer.language)
    if error:
        return await _page(request, session, viewer, datetime.now(LOCAL).year, error)
    return redirect("/incidents")
