"""The observers' incident register: everyone reads; observers (and coordinators, admins) register incidents and keep
the category list."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import MayRead, MayRegisterIncidents, SessionDep, actor_of
from fleet.db import RowId
from fleet.incidents import service
from fleet.incidents.schemas import CategoryIn, CategoryOut, CategoryPatch, IncidentIn, IncidentOut

router = APIRouter(tags=["incidents"])


@router.get("/incident-categories", response_model=list[CategoryOut])
async def list_categories(session: SessionDep, _user: MayRead) -> list[CategoryOut]:
    """The category list in its order, retired ones included (``active`` false)."""
    return [CategoryOut.model_validate(c) for c in await service.categories(session)]


@router.post("/incident-categories", response_model=CategoryOut, status_code=status.HTTP_201_CREATED)
async def add_category(session: SessionDep, user: MayRegisterIncidents, body: CategoryIn) -> CategoryOut:
    """A new category (a duplicate name is a 409)."""
    return CategoryOut.model_validate(await service.add_category(session, actor=actor_of(user), data=body))


@router.patch("/incident-categories/{category_id}", response_model=CategoryOut)
async def change_category(
    session: SessionDep, user: MayRegisterIncidents, category_id: RowId, body: CategoryPatch
) -> CategoryOut:
    """Rename, move or retire a category."""
    changed = await service.change_category(session, actor=actor_of(user), category_id=category_id, data=body)
    return CategoryOut.model_validate(changed)


@router.get("/incidents", response_model=list[IncidentOut])
async def list_incidents(
    session: SessionDep,
    _user: MayRead,
    year: Annotated[int, Query(ge=1990, le=2999)],
) -> list[IncidentOut]:
    """The incidents of a year, newest first."""
    found = await service.incidents_of(session, first=date(year, 1, 1), last=date(year, 12, 31))
    return [IncidentOut.model_validate(i) for i in found]


@router.post("/incidents", response_model=IncidentOut, status_code=status.HTTP_201_CREATED)
async def add_incident(session: SessionDep, user: MayRegisterIncidents, body: IncidentIn) -> IncidentOut:
    """Register an incident (its category must be on the list and in use; the camera, if given, known)."""
    return IncidentOut.model_validate(await service.add_incident(session, actor=actor_of(user), data=body))
