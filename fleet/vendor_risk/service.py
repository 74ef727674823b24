"""Storing each camera's vendor-origin risk and summarising it over the fleet. Nothing here commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import RiskSettings, Settings
from fleet.cameras.models import Camera, Lifecycle, RiskLevel
from fleet.vendor_risk.catalogue import load_catalogue
from fleet.vendor_risk.classify import Assessment, RiskPolicy, Signals, classify
from fleet.vendor_risk.schemas import GroupCount, LevelCounts, MismatchedCamera, RiskSummary


def policy_of(settings: RiskSettings) -> RiskPolicy:
    """The classification policy the settings choose."""
    return RiskPolicy(
        entity_list_is_high=settings.entity_list_is_high,
        oem_relabel_min_confidence=settings.oem_relabel_min_confidence,
    )


def signals_of(camera: Camera) -> Signals:
    """The identity signals stored on a camera row."""
    return Signals(
        declared_manufacturer=camera.declared_manufacturer,
        declared_model=camera.declared_model,
        observed_manufacturer=camera.observed_manufacturer,
        observed_model=camera.observed_model,
        observed_firmware=camera.observed_firmware,
        observed_mac=camera.observed_mac,
        snmp_enterprise=camera.observed_snmp_enterprise,
        sys_descr=camera.observed_sys_descr,
    )


def _columns(assessment: Assessment) -> dict[str, Any]:
    return {
        "risk_level": RiskLevel(assessment.level),
        "risk_origin_vendor": assessment.origin_vendor,
        "risk_origin_country": assessment.origin_country,
        "risk_confidence": assessment.confidence,
        "risk_evidence": assessment.evidence,
        "identity_mismatch": assessment.identity_mismatch,
    }


# The declared and observed camera columns the risk depends on: when one of them changes, assess the camera again.
IDENTITY_COLUMNS = (
    "declared_manufacturer",
    "declared_model",
    "observed_manufacturer",
    "observed_model",
    "observed_firmware",
    "observed_mac",
    "observed_snmp_enterprise",
    "observed_sys_descr",
)


async def assess_camera(session: AsyncSession, camera: Camera, settings: Settings) -> bool:
    """Recompute the camera's risk columns from its declared and observed identity; True if any of them changed.

    Call it whenever a declared or observed identity value changes. `session` is the caller's unit of work, which
    owns the camera row; the assessment itself reads nothing else.
    """
    assessment = classify(signals_of(camera), load_catalogue(), policy_of(settings.risk))
    changed = False
    for column, value in _columns(assessment).items():
        if getattr(camera, column) != value:
            setattr(camera, column, value)
            changed = True
    return changed


async def reassess_all(session: AsyncSession, settings: Settings) -> int:
    """Recompute every camera (after a catalogue or policy change); the number whose risk changed."""
    cameras = (await session.scalars(select(Camera))).all()
    return sum([await assess_camera(session, camera, settings) for camera in cameras])


_ACTIVE = Camera.lifecycle != Lifecycle.RETIRED


async def _counts(session: AsyncSession, column: Any) -> list[GroupCount]:
    """Cameras per value of `column` and risk level, busiest high-risk groups first."""
    grouped: dict[str | None, dict[str, int]] = {}
    query = select(column, Camera.risk_level, func.count()).where(_ACTIVE).group_by(column, Camera.risk_level)
    for key, level, count in await session.execute(query):
        grouped.setdefault(key, {})[RiskLevel(level).value] = count
    groups = [GroupCount(key=k, total=sum(c.values()), levels=LevelCounts(**c)) for k, c in grouped.items()]
    return sorted(groups, key=lambda g: (-g.levels.high, -g.total, g.key is None, g.key or ""))


async def risk_summary(session: AsyncSession) -> RiskSummary:
    """Counts by level, origin country, origin vendor and area, and the cameras whose identity does not match."""
    by_level: dict[str, int] = {}
    for level, count in await session.execute(
        select(Camera.risk_level, func.count()).where(_ACTIVE).group_by(Camera.risk_level)
    ):
        by_level[RiskLevel(level).value] = count
    mismatched = await session.scalars(
        select(Camera).where(_ACTIVE, Camera.identity_mismatch.is_(True)).order_by(Camera.name)
    )
    return RiskSummary(
        total=sum(by_level.values()),
        by_level=LevelCounts(**by_level),
        by_country=await _counts(session, Camera.risk_origin_country),
        by_vendor=await _counts(session, Camera.risk_origin_vendor),
        by_area=await _counts(session, Camera.area),
        mismatches=[
            MismatchedCamera(
                id=c.id,
                name=c.name,
                area=c.area,
                declared_manufacturer=c.declared_manufacturer,
                declared_model=c.declared_model,
                observed_manufacturer=c.observed_manufacturer,
                observed_model=c.observed_model,
                origin_vendor=c.risk_origin_vendor,
                level=c.risk_level,
            )
            for c in mismatched
        ],
    )
