"""`vulnerability_exploited` on a recorder of the registry (both engines): matched by its own kind of product."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from config.settings import Settings
from fleet.advisories import service as advisories
from fleet.advisories.kev import read_kev
from fleet.cameras import importer, service
from fleet.cameras.models import Camera
from fleet.cameras.schemas import RecorderCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database, utcnow
from fleet.faults.models import Fault, FaultKind
from tests.builders import TEST_ACTOR
from tests.fleet.advisories.kevfile import kev_document, kev_entry, write_kev


async def test_a_recorder_gets_the_fault_for_a_recorder_entry(
    database: Database, cipher: CredentialCipher, settings: Settings, tmp_path: Path
) -> None:
    text = "name,host,declared_manufacturer,declared_model\nNVR-KEV,127.120.6.1,Hikvision,DS-7716NI-K4\n"
    header, rows = importer.read_csv(text.encode(), importer.known_columns(RecorderCreate))
    valid = importer.validate_rows(header, rows, RecorderCreate)
    async with database.unit_of_work() as session:
        await service.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(valid), cipher=cipher)
    document = kev_document(
        kev_entry("CVE-2026-20001", "Hikvision", "Network Video Recorders", added="2026-11-01", due="2026-11-22"),
        kev_entry("CVE-2026-20002", "Hikvision", "IP Cameras", added="2026-11-01", due="2026-11-22"),
    )
    async with database.unit_of_work() as session:
        outcome = await advisories.import_catalogue(
            session,
            actor=TEST_ACTOR,
            kev=read_kev(write_kev(tmp_path / "kev.json", document)),
            at=utcnow(),
            settings=settings,
        )
    assert outcome.cameras_matched == 1
    async with database.unit_of_work() as session:
        fault = (await session.scalars(select(Fault).where(Fault.kind == FaultKind.VULNERABILITY_EXPLOITED))).one()
        recorder = await session.get(Camera, fault.camera_id)
    assert recorder is not None and recorder.name == "NVR-KEV"
    assert fault.details["cve_ids"] == ["CVE-2026-20001"] and fault.details["deadline"] == "2026-11-22"
    async with database.unit_of_work() as session:
        # The inventory and the annual chapter count cameras: a recorder is not one of them.
        assert await advisories.exploited_cves_at(session, utcnow()) == {}
