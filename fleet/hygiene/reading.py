"""Hygiene as people read it: per camera its certificates with their weaknesses, what it leaves on, and its drift."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.hygiene import HygieneSettings
from fleet.cameras.models import Camera
from fleet.hygiene import rules
from fleet.hygiene.models import CameraHygiene
from fleet.pagination import Page


class EndpointOut(BaseModel):
    """One TLS port: its certificate (never trusted, only read) or why there is none."""

    service: str
    port: int
    error: str | None
    subject: str | None = None
    issuer: str | None = None
    not_after: datetime | None = None
    days_left: int | None = None
    key_type: str | None = None
    key_bits: int | None = None
    signature_algorithm: str | None = None
    self_signed: bool | None = None
    weaknesses: list[str] = []


class ChangeOut(BaseModel):
    """A setting that differs from the baseline."""

    setting: str
    old: Any
    new: Any


class HygieneOut(BaseModel):
    """A camera's cyber hygiene as its last security check saw it."""

    camera_id: int
    camera_name: str
    observed_at: datetime | None
    endpoints: list[EndpointOut]
    plain_http_only: bool
    protocols_on: list[str]  # "HTTP 80", "RTSP 554", …
    discoverable: bool | None
    ntp_servers: list[str] | None
    ntp_foreign: list[str]  # servers that are not the municipality's
    snmp_v2c: bool  # polled with a community, which travels in clear
    baseline_taken_at: datetime | None
    baseline_taken_by: str | None
    drift: list[ChangeOut]


def _endpoint(raw: dict[str, Any], now: datetime) -> EndpointOut:
    certificate = raw.get("certificate")
    if not certificate:
        return EndpointOut(service=raw["service"], port=raw["port"], error=raw.get("error"))
    not_after = datetime.fromisoformat(certificate["not_after"])
    return EndpointOut(
        service=raw["service"],
        port=raw["port"],
        error=None,
        subject=certificate.get("subject"),
        issuer=certificate.get("issuer"),
        not_after=not_after,
        days_left=(not_after - now).days,
        key_type=certificate.get("key_type"),
        key_bits=certificate.get("key_bits"),
        signature_algorithm=certificate.get("signature_algorithm"),
        self_signed=certificate.get("self_signed"),
        weaknesses=rules.weaknesses(certificate),
    )


def shape(row: CameraHygiene, camera_name: str, settings: HygieneSettings, now: datetime) -> HygieneOut:
    """What people see of one camera's hygiene row."""
    changes = rules.drift(row.baseline or {}, row.configuration or {}) if row.baseline is not None else []
    return HygieneOut(
        camera_id=row.camera_id,
        camera_name=camera_name,
        observed_at=row.observed_at,
        endpoints=[_endpoint(raw, now) for raw in row.endpoints],
        plain_http_only=rules.plain_http_only(row.endpoints),
        protocols_on=[
            f"{p['name']} {','.join(str(port) for port in p['ports'])}".strip()
            for p in row.protocols or ()
            if p.get("enabled")
        ],
        discoverable=row.discoverable,
        ntp_servers=row.ntp_servers,
        ntp_foreign=rules.foreign_ntp(row.ntp_servers, settings.ntp_servers),
        snmp_v2c=row.snmp_version == "2c",
        baseline_taken_at=row.baseline_taken_at,
        baseline_taken_by=row.baseline_taken_by,
        drift=[ChangeOut(setting=c.setting, old=c.old, new=c.new) for c in changes],
    )


async def page_of(
    session: AsyncSession, settings: HygieneSettings, *, page: int, size: int, now: datetime
) -> Page[HygieneOut]:
    """The fleet's hygiene, one camera per row by name (cameras the security check has not seen yet are left out)."""
    total = await session.scalar(select(func.count()).select_from(CameraHygiene)) or 0
    rows = await session.execute(
        select(CameraHygiene, Camera.name)
        .join(Camera, Camera.id == CameraHygiene.camera_id)
        .order_by(Camera.name)
        .offset((page - 1) * size)
        .limit(size)
    )
    items = [shape(row, name, settings, now) for row, name in rows]
    return Page(items=items, total=total, page=page, size=size)
