"""Image reference routes: everyone sees when the reference view was taken; coordinators ask for a new one."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, status
from pydantic import BaseModel

from api.deps import Coordinator, SessionDep, Viewer, actor_of
from fleet.cameras import service as cameras
from fleet.db import RowId
from fleet.images import service as images
from fleet.images.models import ImageBaseline

router = APIRouter(prefix="/cameras", tags=["images"])


class ImageReferenceOut(BaseModel):
    """Where a camera's reference view stands. The reference is a signature of edge directions, not a picture."""

    camera_id: int
    reference_taken_at: datetime | None
    reference_requested_at: datetime | None
    reference_requested_by: str | None
    has_thumbnail: bool
    last_snapshot_at: datetime | None


def _out(camera_id: int, baseline: ImageBaseline | None) -> ImageReferenceOut:
    return ImageReferenceOut(
        camera_id=camera_id,
        reference_taken_at=baseline.reference_taken_at if baseline else None,
        reference_requested_at=baseline.reference_requested_at if baseline else None,
        reference_requested_by=baseline.reference_requested_by if baseline else None,
        has_thumbnail=bool(baseline and baseline.reference_thumbnail),
        last_snapshot_at=baseline.last_at if baseline else None,
    )


@router.get("/{camera_id}/image-reference", response_model=ImageReferenceOut)
async def read_image_reference(session: SessionDep, _user: Viewer, camera_id: RowId) -> ImageReferenceOut:
    """When the camera's reference view was taken, and whether a new one is asked for."""
    await cameras.get_or_raise(session, camera_id)
    return _out(camera_id, await images.get_baseline(session, camera_id))


@router.post("/{camera_id}/image-reference", response_model=ImageReferenceOut, status_code=status.HTTP_202_ACCEPTED)
async def retake_image_reference(session: SessionDep, user: Coordinator, camera_id: RowId) -> ImageReferenceOut:
    """Ask for a new reference view (after a deliberate re-aim or redeployment); the next image check takes it."""
    camera = await cameras.get_or_raise(session, camera_id)
    baseline = await images.request_reference(session, camera=camera, actor=actor_of(user), now=datetime.now(UTC))
    return _out(camera_id, baseline)
