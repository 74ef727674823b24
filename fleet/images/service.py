"""The image baseline per camera: remember the last digest, take and re-take the reference view."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from config.checks import CheckKind
from config.settings import ImageSettings
from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera
from fleet.health.models import CheckState
from fleet.images.models import ImageBaseline
from fleet.images.rules import Verdict, judge


async def _baseline(session: AsyncSession, camera_id: int) -> ImageBaseline:
    baseline = await session.get(ImageBaseline, camera_id)
    if baseline is None:
        baseline = ImageBaseline(camera_id=camera_id)
        session.add(baseline)
    return baseline


async def get_baseline(session: AsyncSession, camera_id: int) -> ImageBaseline | None:
    """The camera's image baseline, if an image check or a request made one."""
    return await session.get(ImageBaseline, camera_id)


async def request_reference(session: AsyncSession, *, camera: Camera, actor: Actor, now: datetime) -> ImageBaseline:
    """Ask for a new reference view (after a deliberate re-aim or a redeployment); audited.

    The camera's image check is made due now, so the next scheduler tick takes the reference.
    """
    baseline = await _baseline(session, camera.id)
    before = {"reference_taken_at": baseline.reference_taken_at}
    baseline.reference_requested_at, baseline.reference_requested_by = now, actor.name
    await session.execute(
        update(CheckState)
        .where(CheckState.camera_id == camera.id, CheckState.kind == CheckKind.IMAGE)
        .values(next_due_at=now)
    )
    await record(
        session,
        actor=actor,
        action="camera.image_reference",
        target_type="camera",
        target_id=camera.id,
        before=before,
        after={"reference_requested_at": now},
    )
    await session.flush()
    return baseline


def _thumbnail(values: Mapping[str, Any]) -> bytes | None:
    encoded = values.get("thumbnail")
    if not isinstance(encoded, str):
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None


async def observe(
    session: AsyncSession,
    camera_id: int,
    values: Mapping[str, Any],
    at: datetime,
    *,
    limits: ImageSettings,
    keep_thumbnail: bool,
) -> tuple[Verdict, bool]:
    """Judge one snapshot against the previous one and the reference, then remember it.

    The first usable snapshot becomes the reference, as does the first after a coordinator's request; returns the
    verdict and whether a requested reference was taken now. Only numbers are kept, and a thumbnail only while
    ``keep_thumbnail`` is on (switching it off drops the stored one at the next check).
    """
    baseline = await _baseline(session, camera_id)
    usable = judge(values, previous_digest=None, reference=None, limits=limits).usable
    requested = baseline.reference_requested_at is not None
    retake = usable and (baseline.reference_signature is None or requested)
    if retake:
        baseline.reference_signature = [float(v) for v in values["signature"]]
        baseline.reference_taken_at = at
        baseline.reference_requested_at = baseline.reference_requested_by = None
        baseline.reference_thumbnail = _thumbnail(values) if keep_thumbnail else None
    if not keep_thumbnail:
        baseline.reference_thumbnail = None
    verdict = judge(values, previous_digest=baseline.last_digest, reference=baseline.reference_signature, limits=limits)
    baseline.last_digest, baseline.last_at = str(values["digest"]), at
    return verdict, retake and requested
