"""Vendor-origin risk: the fleet's totals and the cameras whose declared and reported identity disagree."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import MayRead, SessionDep
from fleet.vendor_risk import service
from fleet.vendor_risk.schemas import RiskSummary

router = APIRouter(prefix="/risk", tags=["risk"])


@router.get("/summary", response_model=RiskSummary)
async def summary(session: SessionDep, _user: MayRead) -> RiskSummary:
    """Counts by level, origin country, vendor and area, and every camera with an identity mismatch."""
    return await service.risk_summary(session)
