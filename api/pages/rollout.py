"""The fibre roll-out page: the cameras still on copper or 4G inside the fibre area, with their downloads."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request, Response

from api import downloads
from api.deps import DocumentTurn, SessionDep, SettingsDep
from api.pages.core import PageRead, render
from fleet.cameras import fibre, network_types
from fleet.errors import Conflict

router = APIRouter(include_in_schema=False)


@router.get("/fibre-rollout")
async def rollout_page(request: Request, session: SessionDep, settings: SettingsDep, viewer: PageRead) -> Response:
    """The cameras to move onto fibre, or why there is no list (no usable fibre area set)."""
    found: fibre.Rollout | None = None
    error: str | None = None
    try:
        found = await fibre.still_to_move(session, fibre.load_area(settings.network.fibre_area))
    except Conflict as exc:
        error = str(exc)
    label = partial(network_types.label, language=viewer.language)
    return render(request, viewer, "fibre_rollout.html", rollout=found, error=error, network_label=label)


@router.get("/fibre-rollout/export")
async def rollout_export(
    session: SessionDep,
    settings: SettingsDep,
    _viewer: PageRead,
    _turn: DocumentTurn,
    format: fibre.RolloutFormat = fibre.RolloutFormat.XLSX,
) -> Response:
    """The list as CSV or XLSX (or JSON), as the API gives it."""
    return await downloads.fibre_rollout(session, settings, format)
