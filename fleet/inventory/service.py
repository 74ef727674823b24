"""The inventory for the tender: one row per camera with identity, age, health, origin risk, firmware and plan."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from config.zone import LOCAL
from fleet.advisories.service import exploited_cves_at
from fleet.cameras.models import Camera, DeviceType, Lifecycle
from fleet.faults.models import Fault
from fleet.firmware.assess import FirmwareAssessment, FirmwareState, assess_firmware
from fleet.firmware.catalogue import load_advisories
from fleet.firmware.lifecycle import SupportStatus, load_lifecycle
from fleet.hygiene.figures import HygieneFigures, hygiene_figures
from fleet.incidents.service import seen_by
from fleet.inventory import replacement
from fleet.memory import collector_paused
from fleet.recording.service import DECLARED_COLUMNS, Declared
from fleet.recording.state import Footage, footage_of
from fleet.uptime.facts import FACT_COLUMNS, CameraFacts
from fleet.uptime.service import camera_figures_for

# The contract's columns, in its order; firmware_state, exploited_cves and the rest are extensions at the end.
COLUMNS = (
    "name",
    "kind",
    "site",
    "area",
    "location",
    "latitude",
    "longitude",
    "declared_manufacturer",
    "declared_model",
    "manufacturer",
    "model",
    "firmware",
    "serial",
    "mac",
    "installed_on",
    "age_years",
    "network",
    "status",
    "availability_12m",
    "faults_12m",
    "origin_vendor",
    "origin_country",
    "risk_level",
    "risk_evidence",
    "identity_mismatch",
    "replacement_priority",
    "replacement_reason",
    "firmware_state",
    "exploited_cves",
    "recorder",
    "recording_state",
    "retention_days",
    "password_shared_with",
    "default_username",
    "credential_age_days",
    "certificates_expiring",
    "certificates_expired",
    "config_drift",
)


@dataclass(frozen=True, slots=True)
class InventoryRow:
    values: dict[str, Any]
    evidence: list[dict[str, Any]] = field(default_factory=list)
    advisories: list[dict[str, Any]] = field(default_factory=list)
    parts: replacement.Score | None = None


def evidence_text(evidence: list[dict[str, Any]]) -> str:
    """The evidence in one cell: ``signal=value → vendor; …``."""
    return "; ".join(f"{e['signal']}={e['value']} → {e.get('points_to') or '?'}" for e in evidence)


def twelve_months(as_of: date) -> tuple[datetime, datetime]:
    """The twelve months before ``as_of`` (local midnights), in UTC."""
    end = datetime.combine(as_of, time(), tzinfo=LOCAL)
    start = datetime.combine(date(as_of.year - 1, as_of.month, min(as_of.day, 28)), time(), tzinfo=LOCAL)
    return start.astimezone(UTC), end.astimezone(UTC)


# What the rows need of each camera besides its uptime facts, read as columns (see CameraFacts).
_ROW_COLUMNS = (
    Camera.location,
    Camera.latitude,
    Camera.longitude,
    Camera.declared_model,
    Camera.observed_model,
    Camera.observed_firmware,
    Camera.observed_serial,
    Camera.observed_mac,
    Camera.network,
    Camera.status,
    Camera.risk_level,
    Camera.risk_origin_vendor,
    Camera.risk_origin_country,
    Camera.risk_evidence,
    Camera.identity_mismatch,
)


async def build_inventory(session: AsyncSession, *, settings: Settings, as_of: date) -> list[InventoryRow]:
    """Every camera not retired, by name, as of the start of ``as_of``."""
    with collector_paused():
        return await _rows(session, settings=settings, as_of=as_of)


async def _fault_counts(session: AsyncSession, period: tuple[datetime, datetime]) -> Counter[int]:
    opened = await session.execute(
        select(Fault.camera_id, func.count())
        .where(Fault.camera_id.is_not(None), Fault.opened_at >= period[0], Fault.opened_at < period[1])
        .group_by(Fault.camera_id)
    )
    return Counter({camera_id: count for camera_id, count in opened if camera_id is not None})


class _Catalogues:
    """The advisories and lifecycle catalogues, each (maker, model, firmware) assessed once.

    A fleet has few distinct makers, models and firmware versions: the rows of one share its advisories (read-only).
    """

    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self.advisories = load_advisories()
        self.lifecycle = load_lifecycle()
        self.assessed: dict[
            tuple[str | None, str | None, str | None], tuple[FirmwareAssessment, list[dict[str, Any]]]
        ] = {}
        self.supported: dict[tuple[str | None, str | None], SupportStatus] = {}

    def firmware(
        self, vendor: str | None, model: str | None, version: str | None
    ) -> tuple[FirmwareAssessment, list[dict[str, Any]]]:
        """The firmware's assessment and its advisories as dicts."""
        key = (vendor, model, version)
        if key not in self.assessed:
            found = assess_firmware(vendor, model, version, self.advisories, as_of=self.as_of)
            self.assessed[key] = found, [a.as_dict() for a in found.advisories]
        return self.assessed[key]

    def support(self, vendor: str | None, model: str | None) -> SupportStatus:
        """The model's support status."""
        if (vendor, model) not in self.supported:
            self.supported[vendor, model] = self.lifecycle.support(vendor, model, as_of=self.as_of)
        return self.supported[vendor, model]


def _values(
    camera: Row[*tuple[Any, ...]],
    *,
    age: float | None,
    availability: float | None,
    faults: int,
    parts: replacement.Score,
    firmware_state: FirmwareState,
    evidence: list[dict[str, Any]],
    exploited: str | None,
    footage: Footage,
    hygiene: HygieneFigures,
) -> dict[str, Any]:
    return {
        "name": camera.name,
        "kind": camera.kind.value,
        "site": camera.site,
        "area": camera.area,
        "location": camera.location,
        "latitude": camera.latitude,
        "longitude": camera.longitude,
        "declared_manufacturer": camera.declared_manufacturer,
        "declared_model": camera.declared_model,
        "manufacturer": camera.observed_manufacturer,
        "model": camera.observed_model,
        "firmware": camera.observed_firmware,
        "serial": camera.observed_serial,
        "mac": camera.observed_mac,
        "installed_on": camera.installed_on,
        "age_years": age,
        "network": camera.network.value if camera.network else None,
        "status": camera.status.value,
        "availability_12m": None if availability is None else round(availability, 5),
        "faults_12m": faults,
        "origin_vendor": camera.risk_origin_vendor,
        "origin_country": camera.risk_origin_country,
        "risk_level": camera.risk_level.value,
        "risk_evidence": evidence_text(evidence),
        "identity_mismatch": camera.identity_mismatch,
        "replacement_priority": parts.total,
        "replacement_reason": parts.reason,
        "firmware_state": firmware_state,
        "exploited_cves": exploited,
        "recorder": footage.recorder,
        "recording_state": footage.state,
        "retention_days": footage.retention_days,
        "password_shared_with": hygiene.password_shared_with,
        "default_username": hygiene.default_username,
        "credential_age_days": hygiene.credential_age_days,
        "certificates_expiring": hygiene.certificates_expiring,
        "certificates_expired": hygiene.certificates_expired,
        "config_drift": hygiene.config_drift,
    }


def _row(
    camera: Row[*tuple[Any, ...]],
    *,
    as_of: date,
    life: float,
    catalogues: _Catalogues,
    availability: float | None,
    faults: int,
    incidents: int,
    exploited: str | None,
    footage: Footage,
    hygiene: HygieneFigures,
) -> InventoryRow:
    age = None if camera.installed_on is None else round((as_of - camera.installed_on).days / 365.25, 1)
    vendor = camera.risk_origin_vendor or camera.observed_manufacturer or camera.declared_manufacturer
    model = camera.observed_model or camera.declared_model
    firmware, firmware_advisories = catalogues.firmware(vendor, model, camera.observed_firmware)
    parts = replacement.score(
        replacement.Inputs(
            risk_level=camera.risk_level.value,
            origin_vendor=camera.risk_origin_vendor,
            age_years=age,
            expected_life_years=life,
            support=catalogues.support(vendor, model),
            firmware_state=firmware.state,
            faults_12m=faults,
            availability_12m=availability,
            incidents_12m=incidents,
        )
    )
    evidence = list(camera.risk_evidence or [])
    values = _values(
        camera,
        age=age,
        availability=availability,
        faults=faults,
        parts=parts,
        firmware_state=firmware.state,
        evidence=evidence,
        exploited=exploited,
        footage=footage,
        hygiene=hygiene,
    )
    return InventoryRow(values, evidence, firmware_advisories, parts)


async def _rows(session: AsyncSession, *, settings: Settings, as_of: date) -> list[InventoryRow]:
    # Each column once, though the uptime facts, the rows and the footage state share some.
    columns = {column.key: column for column in (*FACT_COLUMNS, *_ROW_COLUMNS, *DECLARED_COLUMNS)}
    found = (
        await session.execute(
            select(*columns.values())
            .where(Camera.lifecycle != Lifecycle.RETIRED, Camera.device_type == DeviceType.CAMERA)
            .order_by(Camera.name)
        )
    ).all()
    facts = [CameraFacts.of(row) for row in found]
    period = twelve_months(as_of)
    figures = await camera_figures_for(session, period=period, now=period[1], cameras=facts)
    fault_counts = await _fault_counts(session, period)
    exploited = await exploited_cves_at(session, period[1])
    local = (period[0].astimezone(LOCAL).date(), period[1].astimezone(LOCAL).date() - timedelta(days=1))
    _areas, incidents = await seen_by(session, first=local[0], last=local[1])
    catalogues = _Catalogues(as_of)
    life = settings.inventory.expected_life_years
    footage = await footage_of(session, [Declared.of(row) for row in found], settings.recording)
    hygiene = await hygiene_figures(session, settings=settings, at=period[1])
    return [
        _row(
            camera,
            as_of=as_of,
            life=life,
            catalogues=catalogues,
            availability=figures[camera.id][1].availability,
            faults=fault_counts[camera.id],
            incidents=incidents[camera.id],
            exploited=exploited.get(camera.id),
            footage=footage[camera.id],
            hygiene=hygiene.get(camera.id, HygieneFigures()),
        )
        for camera in found
    ]
