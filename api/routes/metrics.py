"""Prometheus metrics at /metrics, so an existing Grafana can watch camfleet."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import SessionDep, SettingsDep
from fleet import metrics
from fleet.health.status import status_counts
from fleet.health.watch import group_health

router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
async def prometheus_metrics(session: SessionDep, settings: SettingsDep) -> Response:
    """Cameras by status and per poller group its live collectors and newest result's age (from the database), and
    the poll metrics of the collectors in this process."""
    metrics.set_camera_counts(await status_counts(session))
    now = datetime.now(UTC)
    groups = await group_health(session, now=now, lease=settings.scheduler.lease)
    ages = [None if g.newest_result_at is None else (now - g.newest_result_at).total_seconds() for g in groups]
    metrics.set_group_health([(g.name, age, g.live_collectors) for g, age in zip(groups, ages, strict=True)])
    return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)
