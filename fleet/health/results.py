"""The stored raw check results: what later checks read back from them, and their pruning after retention."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.checks import CheckKind
from fleet.health.models import CheckResult


async def media_profiles(session: AsyncSession, camera_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Each camera's first media profile with a stream or snapshot URI, from its latest stored identity result."""
    if not camera_ids:
        return {}
    latest = (
        select(CheckResult.camera_id, func.max(CheckResult.at).label("at"))
        .where(
            CheckResult.camera_id.in_(camera_ids),
            CheckResult.kind == CheckKind.ONVIF_IDENTITY,
            CheckResult.ok.is_(True),
        )
        .group_by(CheckResult.camera_id)
        .subquery()
    )
    rows = await session.execute(
        select(CheckResult.camera_id, CheckResult.values).join(
            latest,
            and_(
                CheckResult.camera_id == latest.c.camera_id,
                CheckResult.at == latest.c.at,
                CheckResult.kind == CheckKind.ONVIF_IDENTITY,
            ),
        )
    )
    found: dict[int, dict[str, Any]] = {}
    for camera_id, values in rows:
        for profile in (values or {}).get("profiles") or ():
            if isinstance(profile, dict) and (profile.get("stream_uri") or profile.get("snapshot_uri")):
                found[camera_id] = profile
                break
    return found


async def prune_results(session: AsyncSession, *, older_than: datetime) -> int:
    """Delete raw results older than the retention period; status intervals are kept."""
    result = await session.execute(delete(CheckResult).where(CheckResult.at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)
