"""Fault shapes for the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from fleet.faults.models import Fault, FaultKind, Severity


class FaultOut(BaseModel):
    id: int
    camera_id: int | None
    camera_name: str | None
    scope: str | None
    # The port of the network device `camera_id` the fault is on (as the registry's `uplink_port` writes it).
    port: str | None = None
    kind: FaultKind
    severity: Severity
    summary: str
    details: dict[str, Any]
    opened_at: datetime
    closed_at: datetime | None
    duration_s: float | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    suppressed_by_id: int | None
    ticket_id: int | None

    @classmethod
    def of(cls, fault: Fault, camera_name: str | None, ticket_id: int | None = None) -> FaultOut:
        """The API shape of a fault."""
        return cls(
            id=fault.id,
            camera_id=fault.camera_id,
            camera_name=camera_name,
            scope=fault.scope,
            port=fault.port,
            kind=fault.kind,
            severity=fault.severity,
            summary=fault.summary,
            details=fault.details or {},
            opened_at=fault.opened_at,
            closed_at=fault.closed_at,
            duration_s=fault.duration_s,
            acknowledged_at=fault.acknowledged_at,
            acknowledged_by=fault.acknowledged_by,
            suppressed_by_id=fault.suppressed_by_id,
            ticket_id=ticket_id,
        )
