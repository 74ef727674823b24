"""Prometheus metrics at /metrics, so an existing Grafana can watch camfleet."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import SessionDep
from fleet import metrics
from fleet.health.status import status_counts

router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
async def prometheus_metrics(session: SessionDep) -> Response:
    """Cameras by status (from the database), and the poll metrics of the collectors in this process."""
    metrics.set_camera_counts(await status_counts(session))
    return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)
