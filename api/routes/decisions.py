"""Mayoral decisions on camera areas and flexible cameras (art. 151c Gemeentewet): everyone reads; coordinators
register them."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import DocumentTurn, MayRead, MayRegisterDecisions, PageDep, SessionDep, actor_of
from fleet import offload
from fleet.db import RowId
from fleet.decisions import export, service
from fleet.decisions.models import DecisionKind
from fleet.decisions.schemas import DecisionIn, DecisionOut, DecisionPatch
from fleet.pagination import Page

router = APIRouter(prefix="/decisions", tags=["decisions"])


class OverviewFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


MEDIA = {
    OverviewFormat.JSON: "application/json",
    OverviewFormat.CSV: "text/csv; charset=utf-8",
    OverviewFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("", response_model=Page[DecisionOut])
async def list_decisions(
    session: SessionDep,
    _user: MayRead,
    paging: PageDep,
    year: Annotated[int | None, Query(ge=1990, le=2999)] = None,
    kind: DecisionKind | None = None,
) -> Page[DecisionOut]:
    """Decisions, newest first; ``year`` keeps those decided or starting in it."""
    rows, total = await service.list_decisions(session, page=paging.page, size=paging.size, year=year, kind=kind)
    return Page(items=await service.shaped(session, rows), total=total, page=paging.page, size=paging.size)


@router.post("", response_model=DecisionOut, status_code=status.HTTP_201_CREATED)
async def create_decision(session: SessionDep, user: MayRegisterDecisions, body: DecisionIn) -> DecisionOut:
    """Register a decision; a changed period is a new decision with ``supersedes_id``. Warnings come back with it."""
    decision = await service.create(session, actor=actor_of(user), data=body)
    return (await service.shaped(session, [decision]))[0]


@router.get("/overview", response_class=Response)
async def overview(
    session: SessionDep,
    _user: MayRead,
    _turn: DocumentTurn,
    year: Annotated[int, Query(ge=1990, le=2999)],
    format: OverviewFormat = OverviewFormat.JSON,
) -> Response:
    """The annual table of the report (section 5): decision date(s), cameras, location, period, reason, number."""
    rows = await service.overview(session, year)
    # Made beside the event loop (fleet.offload): a spreadsheet of a busy year takes a while.
    if format is OverviewFormat.XLSX:
        body = await offload.cpu(export.to_xlsx, rows, year=year)
    elif format is OverviewFormat.CSV:
        body = await offload.cpu(export.to_csv, rows)
    else:
        body = await offload.cpu(export.to_json, rows, year=year)
    return Response(
        body,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="camfleet-decisions-{year}.{format.value}"'},
    )


@router.get("/{decision_id}", response_model=DecisionOut)
async def read_decision(session: SessionDep, _user: MayRead, decision_id: RowId) -> DecisionOut:
    """One decision with its cameras and the decisions that supersede it."""
    return (await service.shaped(session, [await service.get(session, decision_id)]))[0]


@router.patch("/{decision_id}", response_model=DecisionOut)
async def update_decision(
    session: SessionDep, user: MayRegisterDecisions, decision_id: RowId, body: DecisionPatch
) -> DecisionOut:
    """Link cameras or correct location, reason and note; anything else needs a new, superseding decision."""
    decision = await service.update(session, actor=actor_of(user), decision_id=decision_id, data=body)
    return (await service.shaped(session, [decision]))[0]
