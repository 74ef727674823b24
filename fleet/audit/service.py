"""Writing and reading the audit log. Rows are only ever added."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.audit.models import AuditEntry

# Field names whose values never reach the audit log, only the fact that they changed.
SECRET_FIELDS = frozenset(
    {"password", "password_hash", "snmp_community", "snmp_auth_key", "snmp_priv_key", "token", "token_hash"}
)
REDACTED = "***"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a user (via page or token), the CLI's operator, or camfleet itself."""

    name: str
    user_id: int | None = None

    @classmethod
    def system(cls, part: str = "system") -> Actor:
        """camfleet itself (scheduler, collectors, importer run by the system)."""
        return cls(name=f"system:{part}")


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def redact(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A JSON-safe copy with every secret value replaced by a marker."""
    if values is None:
        return None
    return {k: (REDACTED if k in SECRET_FIELDS and v not in (None, "") else _plain(v)) for k, v in values.items()}


async def record(
    session: AsyncSession,
    *,
    actor: Actor,
    action: str,
    target_type: str | None = None,
    target_id: object = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add one audit entry in the caller's transaction."""
    entry = AuditEntry(
        actor=actor.name,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=redact(before),
        after=redact(after),
    )
    session.add(entry)
    return entry


async def list_entries(
    session: AsyncSession,
    *,
    page: int,
    size: int,
    action: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
) -> tuple[Sequence[AuditEntry], int]:
    """Newest entries first, filtered, one page at a time."""
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    if target_id:
        query = query.where(AuditEntry.target_id == target_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(AuditEntry.id.desc()).offset((page - 1) * size).limit(size))
    return rows.all(), int(total or 0)
