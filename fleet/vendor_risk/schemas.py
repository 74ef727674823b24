"""The fleet's vendor-origin risk at a glance (API out)."""

from __future__ import annotations

from pydantic import BaseModel

from fleet.cameras.models import RiskLevel


class LevelCounts(BaseModel):
    high: int = 0
    medium: int = 0
    low: int = 0
    unknown: int = 0


class GroupCount(BaseModel):
    """Cameras per origin country, origin vendor or area (`key` null: not known or not set)."""

    key: str | None
    total: int
    levels: LevelCounts


class MismatchedCamera(BaseModel):
    id: int
    name: str
    area: str | None
    declared_manufacturer: str | None
    declared_model: str | None
    observed_manufacturer: str | None
    observed_model: str | None
    origin_vendor: str | None
    level: RiskLevel


class RiskSummary(BaseModel):
    """Counts over the cameras that are not retired."""

    total: int
    by_level: LevelCounts
    by_country: list[GroupCount]
    by_vendor: list[GroupCount]
    by_area: list[GroupCount]
    mismatches: list[MismatchedCamera]
