"""Liveness and readiness: no token needed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import SessionDep, SettingsDep
from fleet import __version__
from fleet.health.watch import group_health

router = APIRouter(tags=["health"])


class PollerGroupHealth(BaseModel):
    """Who is checking one poller group's cameras, and how fresh the newest result is."""

    name: str
    cameras: int = Field(description="cameras in service in the group")
    live_collectors: int = Field(description="collectors of the group (or of every group) heard within one lease")
    last_heartbeat_at: datetime | None = Field(description="the newest heartbeat of any of them")
    newest_result_at: datetime | None = Field(description="when the newest reachability check of its cameras ran")
    newest_result_age_s: float | None = Field(description="seconds since then; null before the first check")


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    database: Literal["ok", "unavailable"]
    poller_groups: list[PollerGroupHealth] = Field(
        default=[], description="per poller group: live collectors and the age of the newest result"
    )


@router.get("/health", response_model=Health)
async def health(session: SessionDep, settings: SettingsDep, response: Response) -> Health:
    """Whether camfleet and its database answer, and per poller group how fresh its newest result is."""
    try:
        await session.execute(text("SELECT 1"))
        now = datetime.now(UTC)
        groups = await group_health(session, now=now, lease=settings.scheduler.lease)
    except (SQLAlchemyError, OSError):
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Health(status="degraded", version=__version__, database="unavailable")
    return Health(
        status="ok",
        version=__version__,
        database="ok",
        poller_groups=[
            PollerGroupHealth(
                name=g.name,
                cameras=g.cameras,
                live_collectors=g.live_collectors,
                last_heartbeat_at=g.last_heartbeat_at,
                newest_result_at=g.newest_result_at,
                newest_result_age_s=None
                if g.newest_result_at is None
                else round((now - g.newest_result_at).total_seconds(), 3),
            )
            for g in groups
        ],
    )
