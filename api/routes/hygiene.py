"""Cyber hygiene routes: everyone reads a camera's certificates, services and drift; coordinators re-baseline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import MayEditCameras, MayRead, SessionDep, SettingsDep, actor_of
from fleet.cameras import service as cameras
from fleet.db import RowId
from fleet.errors import NotFound
from fleet.hygiene import reading
from fleet.hygiene import service as hygiene
from fleet.pagination import Page

router = APIRouter(tags=["hygiene"])


@router.get("/hygiene", response_model=Page[reading.HygieneOut])
async def list_hygiene(
    session: SessionDep,
    settings: SettingsDep,
    _user: MayRead,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page[reading.HygieneOut]:
    """Every camera's certificates, exposed services and configuration drift, by name."""
    return await reading.page_of(session, settings.hygiene, page=page, size=size, now=datetime.now(UTC))


@router.get("/cameras/{camera_id}/hygiene", response_model=reading.HygieneOut)
async def read_hygiene(
    session: SessionDep, settings: SettingsDep, _user: MayRead, camera_id: RowId
) -> reading.HygieneOut:
    """One camera's certificates, exposed services and configuration drift (404 before its first security check)."""
    camera = await cameras.get_or_raise(session, camera_id)
    row = await hygiene.get(session, camera_id)
    if row is None:
        raise NotFound("security check result of camera", camera_id)
    return reading.shape(row, camera.name, settings.hygiene, datetime.now(UTC))


@router.post("/cameras/{camera_id}/baseline", response_model=reading.HygieneOut)
async def take_baseline(
    session: SessionDep, settings: SettingsDep, user: MayEditCameras, camera_id: RowId
) -> reading.HygieneOut:
    """Make the configuration last seen the camera's baseline (after a deliberate change): closes config_drift."""
    camera = await cameras.get_or_raise(session, camera_id)
    now = datetime.now(UTC)
    row = await hygiene.take_baseline(session, camera=camera, actor=actor_of(user), now=now)
    return reading.shape(row, camera.name, settings.hygiene, now)
