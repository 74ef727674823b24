"""The audit log, for auditors and admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from api.deps import MayReadAuditLog, PageDep, SessionDep
from fleet.audit import service
from fleet.pagination import Page

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    target_type: str | None
    target_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("", response_model=Page[AuditEntryOut])
async def list_audit(
    session: SessionDep,
    _user: MayReadAuditLog,
    paging: PageDep,
    action: Annotated[str | None, Query(max_length=100)] = None,
    target_type: Annotated[str | None, Query(max_length=50)] = None,
    target_id: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[AuditEntryOut]:
    """Newest first."""
    rows, total = await service.list_entries(
        session,
        page=paging.page,
        size=paging.size,
        action=action,
        target_type=target_type,
        target_id=target_id,
    )
    return Page(items=[AuditEntryOut.model_validate(r) for r in rows], total=total, page=paging.page, size=paging.size)
