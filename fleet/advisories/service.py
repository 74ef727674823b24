"""Importing the KEV catalogue and keeping `vulnerability_exploited` faults in step with it and with firmware."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.advisories.kev import KevFile
from fleet.advisories.matching import CameraIdentity, ExploitedMatch, KevFacts, exploited_matches
from fleet.advisories.models import KevImport, KevVulnerability
from fleet.alerts import service as alerts
from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera, DeviceType, Lifecycle
from fleet.faults.models import Fault, FaultKind
from fleet.faults.reading import open_at
from fleet.faults.service import FaultChanges, close_fault, open_fault
from fleet.firmware.catalogue import load_advisories
from fleet.tickets import creation as tickets

KIND = FaultKind.VULNERABILITY_EXPLOITED


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What an import stored and what it did to the faults."""

    imported: KevImport
    entries: int
    for_known_vendors: int
    cameras_matched: int
    opened: int
    closed: int


def identity_of(camera: Camera) -> CameraIdentity:
    """What matching reads of a camera: its reported identity first, then the declared one."""
    return CameraIdentity(
        manufacturer=camera.observed_manufacturer or camera.declared_manufacturer,
        model=camera.observed_model or camera.declared_model,
        firmware=camera.observed_firmware,
        origin_vendor=camera.risk_origin_vendor,
        origin_confidence=camera.risk_confidence,
        recorder=camera.device_type is DeviceType.RECORDER,
    )


async def _facts(session: AsyncSession) -> list[KevFacts]:
    """The stored entries whose vendor is one camfleet knows (the rest can never match a camera)."""
    advisories = load_advisories()
    rows = await session.scalars(select(KevVulnerability).order_by(KevVulnerability.cve_id))
    return [
        KevFacts(
            r.cve_id,
            r.vendor_project,
            r.product,
            r.vulnerability_name,
            r.date_added,
            r.due_date,
            r.known_ransomware_campaign_use,
        )
        for r in rows
        if advisories.vendor_key(r.vendor_project) is not None
    ]


def _summary(camera: Camera, matches: Sequence[ExploitedMatch]) -> str:
    cves = ", ".join(m.cve_id for m in matches)
    return f"{camera.name}: known exploited vulnerability {cves} (CISA KEV); fix due {matches[0].due_date}"


def _details(camera: Camera, matches: Sequence[ExploitedMatch]) -> dict[str, Any]:
    return {
        # BIO 8.08.01: a vulnerability both likely to be abused and damaging is fixed by a deadline; KEV's due date.
        "deadline": matches[0].due_date.isoformat(),
        "cve_ids": [m.cve_id for m in matches],
        "manufacturer": camera.observed_manufacturer or camera.declared_manufacturer,
        "model": camera.observed_model or camera.declared_model,
        "firmware": camera.observed_firmware,
        "vulnerabilities": [m.as_dict() for m in matches],
    }


async def reconcile(
    session: AsyncSession, changes: FaultChanges, *, at: datetime, camera_ids: Collection[int] | None = None
) -> int:
    """Open, update or close `vulnerability_exploited` for the cameras (all when None); returns how many match."""
    facts = await _facts(session)
    query = select(Camera).order_by(Camera.id)
    faults = select(Fault).where(Fault.kind == KIND, Fault.closed_at.is_(None))
    if camera_ids is not None:
        query = query.where(Camera.id.in_(sorted(camera_ids)))
        faults = faults.where(Fault.camera_id.in_(sorted(camera_ids)))
    open_faults = {f.camera_id: f for f in await session.scalars(faults)}
    advisories = load_advisories()
    matched = 0
    for camera in await session.scalars(query):
        in_service = camera.lifecycle is Lifecycle.IN_SERVICE
        matches = exploited_matches(identity_of(camera), facts, advisories) if in_service and facts else []
        fault = open_faults.get(camera.id)
        if not matches:
            if fault is not None:
                await close_fault(session, changes, fault, at)
            continue
        matched += 1
        summary, details = _summary(camera, matches), _details(camera, matches)
        if fault is None:
            await open_fault(session, changes, camera=camera, kind=KIND, at=at, summary=summary, details=details)
        elif fault.details != details:
            fault.summary, fault.details = summary, details
    return matched


async def import_catalogue(
    session: AsyncSession, *, actor: Actor, kev: KevFile, at: datetime, settings: Settings
) -> ImportOutcome:
    """Replace the stored catalogue with the file's, record where it came from, and re-match every camera."""
    catalogue = kev.catalogue
    imported = KevImport(
        title=catalogue.title,
        catalog_version=catalogue.catalog_version,
        date_released=catalogue.date_released,
        count=catalogue.count,
        file_name=kev.file_name[:255],
        sha256=kev.sha256,
        imported_at=at,
        imported_by=actor.name,
    )
    session.add(imported)
    await session.flush()
    await session.execute(delete(KevVulnerability))
    rows = [{"import_id": imported.id, **e.model_dump(mode="python")} for e in catalogue.vulnerabilities]
    for start in range(0, len(rows), 500):
        await session.execute(insert(KevVulnerability), rows[start : start + 500])
    changes = FaultChanges()
    matched = await reconcile(session, changes, at=at)
    advisories = load_advisories()
    known = sum(1 for e in catalogue.vulnerabilities if advisories.vendor_key(e.vendor_project) is not None)
    await record(
        session,
        actor=actor,
        action="advisories.import",
        target_type="kev_import",
        target_id=imported.id,
        after={
            "file_name": imported.file_name,
            "sha256": kev.sha256,
            "catalog_version": catalogue.catalog_version,
            "date_released": catalogue.date_released,
            "count": catalogue.count,
            "cameras_matched": matched,
        },
    )
    await alerts.on_fault_changes(session, changes, now=at, settings=settings)
    await tickets.on_fault_changes(session, changes, now=at, settings=settings)
    return ImportOutcome(imported, len(rows), known, matched, len(changes.opened), len(changes.closed))


async def latest_import(session: AsyncSession) -> KevImport | None:
    """The catalogue in force: the latest import, or None."""
    found: KevImport | None = await session.scalar(select(KevImport).order_by(KevImport.id.desc()).limit(1))
    return found


async def open_faults(session: AsyncSession) -> list[tuple[Fault, str]]:
    """The open `vulnerability_exploited` faults with their camera's name, by deadline."""
    rows = await session.execute(
        select(Fault, Camera.name)
        .join(Camera, Camera.id == Fault.camera_id)
        .where(Fault.kind == KIND, Fault.closed_at.is_(None))
    )
    found = [(fault, name) for fault, name in rows]
    return sorted(found, key=lambda pair: (pair[0].details.get("deadline", ""), pair[1]))


def shaped(fault: Fault, camera: str) -> dict[str, Any]:
    """One open fault as the CLI and API show it."""
    details = fault.details
    confidences = [v.get("confidence", "low") for v in details.get("vulnerabilities", [])]
    best = next((c for c in ("high", "medium", "low") if c in confidences), "low")
    return {
        "camera": camera,
        "camera_id": fault.camera_id,
        "fault_id": fault.id,
        "opened_at": fault.opened_at.isoformat(),
        "deadline": details.get("deadline"),
        "cve_ids": details.get("cve_ids", []),
        "confidence": best,
        "firmware": details.get("firmware"),
        "vulnerabilities": details.get("vulnerabilities", []),
    }


async def exploited_cves_at(session: AsyncSession, at: datetime) -> dict[int, str]:
    """Per camera (recorders not counted), the CVEs of its `vulnerability_exploited` fault open at that moment."""
    return {
        camera_id: "; ".join(details.get("cve_ids", []))
        for camera_id, details in (await open_at(session, KIND, at)).items()
    }
