"""Recorders in the registry beside cameras (both engines): their own import, cameras naming them, the checks each
device gets (the recording check on recorders and edge-recording cameras), and the camera-only reads leaving them
out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from config.checks import CheckKind
from fleet.audit.models import AuditEntry
from fleet.cameras import importer, reading, recorders, service
from fleet.cameras.filters import CameraFilter
from fleet.cameras.models import Camera, DeviceType, RecordedBy
from fleet.cameras.schemas import CameraCreate, CameraUpdate, RecorderCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.errors import Conflict, ImportRejected, InvalidInput, NotFound
from fleet.health.claims import ensure_check_states
from fleet.health.models import CheckState
from fleet.pagination import Window
from fleet.uptime.facts import camera_facts
from tests.builders import TEST_ACTOR

RECORDERS = (
    "name,host,site,declared_manufacturer,declared_model,snmp_community\n"
    "NVR-CENTRUM,127.118.0.1,Binnenstad,Hikvision,DS-7716NI-K4,public\n"
    "NVR-BLERICK,127.118.0.2,Blerick,Synology,DS1522+,\n"
)


def _rows(text: str, model: type[CameraCreate] | type[RecorderCreate] = CameraCreate) -> list[importer.ValidRow]:
    header, rows = importer.read_csv(text.encode(), importer.known_columns(model))
    return importer.validate_rows(header, rows, model)


async def _import(database: Database, cipher: CredentialCipher, text: str, model: type = CameraCreate) -> None:
    rows = _rows(text, model)
    async with database.unit_of_work() as session:
        await recorders.check_names(session, importer.recorder_names(rows))
        await service.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(rows), cipher=cipher)


async def test_cameras_name_their_recorder_edge_or_none(database: Database, cipher: CredentialCipher) -> None:
    await _import(database, cipher, RECORDERS, RecorderCreate)
    await _import(
        database,
        cipher,
        "name,host,recorder,retention_min_days,retention_max_days\n"
        "CAM-1,127.118.1.1,NVR-CENTRUM,10,28\n"
        "CAM-2,127.118.1.2,Edge,,\n"
        "CAM-3,127.118.1.3,none,,\n"
        "CAM-4,127.118.1.4,,,\n",
    )
    async with database.unit_of_work() as session:
        listed = await reading.page_of(
            session, CameraFilter(), Window(size=10), maintenance=set(), now=datetime.now(UTC)
        )
        total, shaped = listed.total, {c.name: c for c in listed.items}
        page = await reading.recorder_page(
            session, CameraFilter(device_type=DeviceType.RECORDER), page=1, size=10, maintenance=set()
        )
        audit = (await session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("recorder.%")))).all()
    assert total == 4
    assert {n: (c.recorder, c.retention_min_days, c.retention_max_days) for n, c in shaped.items()} == {
        "CAM-1": ("NVR-CENTRUM", 10, 28),
        "CAM-2": ("edge", None, None),
        "CAM-3": ("none", None, None),
        "CAM-4": (None, None, None),
    }
    assert [(r.name, r.cameras, r.declared_manufacturer) for r in page.items] == [
        ("NVR-BLERICK", 0, "Synology"),
        ("NVR-CENTRUM", 1, "Hikvision"),
    ]
    assert page.items[1].credentials.snmp_version == "2c"
    assert sorted(audit) == ["recorder.create", "recorder.create"]


async def test_an_unknown_recorder_rejects_the_whole_file_with_its_lines(
    database: Database, cipher: CredentialCipher
) -> None:
    await _import(database, cipher, RECORDERS, RecorderCreate)
    with pytest.raises(ImportRejected) as rejected:
        await _import(
            database,
            cipher,
            "name,host,recorder\nCAM-1,127.118.1.1,NVR-CENTRUM\nCAM-2,127.118.1.2,NVR-NOWHERE\nCAM-3,127.118.1.3,X\n",
        )
    assert [(p.line, p.column) for p in rejected.value.problems] == [(3, "recorder"), (4, "recorder")]
    assert "NVR-NOWHERE" in rejected.value.problems[0].reason
    async with database.unit_of_work() as session:
        assert (await session.scalars(select(Camera.name).where(Camera.device_type == DeviceType.CAMERA))).all() == []


def test_recorder_files_refuse_camera_columns_and_reserved_names() -> None:
    with pytest.raises(ImportRejected) as wrong_column:
        _rows("name,host,rtsp_port\nNVR-1,127.118.0.1,554\n", RecorderCreate)
    assert [(p.line, p.column) for p in wrong_column.value.problems] == [(1, "rtsp_port")]
    with pytest.raises(ImportRejected) as reserved:
        _rows("name,host\nEdge,127.118.0.1\n", RecorderCreate)
    assert [(p.line, p.column) for p in reserved.value.problems] == [(2, "name")]
    with pytest.raises(ImportRejected) as backwards:
        _rows("name,host,retention_min_days,retention_max_days\nCAM-1,127.118.1.1,30,7\n")
    assert [(p.line, p.column) for p in backwards.value.problems] == [(2, "retention_max_days")]
    with pytest.raises(ImportRejected) as zero:
        _rows("name,host,retention_min_days\nCAM-1,127.118.1.1,0\n")
    assert [(p.line, p.column) for p in zero.value.problems] == [(2, "retention_min_days")]


async def test_names_are_one_space_and_a_named_recorder_is_not_deleted(
    database: Database, cipher: CredentialCipher
) -> None:
    await _import(database, cipher, RECORDERS, RecorderCreate)
    await _import(database, cipher, "name,host,recorder\nCAM-1,127.118.1.1,NVR-CENTRUM\n")
    with pytest.raises(Conflict, match="recorder"):
        await _import(database, cipher, "name,host\nNVR-CENTRUM,127.118.1.9\n")
    async with database.unit_of_work() as session:
        nvr = await service.get_by_name(session, "NVR-CENTRUM")
        assert nvr is not None
        with pytest.raises(Conflict, match="CAM-1"):
            await service.delete(session, actor=TEST_ACTOR, camera=nvr)
    async with database.unit_of_work() as session:
        camera = await service.get_or_raise(session, (await service.get_by_name(session, "CAM-1")).id)  # type: ignore[union-attr]
        with pytest.raises(InvalidInput, match="retention_max_days"):
            await service.update(
                session,
                actor=TEST_ACTOR,
                camera=camera,
                data=CameraUpdate(retention_max_days=1, retention_min_days=5),
                cipher=cipher,
            )
        await service.update(
            session, actor=TEST_ACTOR, camera=camera, data=CameraUpdate(recorder="none"), cipher=cipher
        )
    async with database.unit_of_work() as session:
        camera = await service.get_by_name(session, "CAM-1")
        assert camera is not None and (camera.recorded_by, camera.recorder_id) == (RecordedBy.NONE, None)
        nvr = await service.get_by_name(session, "NVR-CENTRUM")
        assert nvr is not None
        await service.delete(session, actor=TEST_ACTOR, camera=nvr)


async def test_recorders_are_polled_without_stream_and_image_and_left_out_of_camera_reads(
    database: Database, cipher: CredentialCipher
) -> None:
    await _import(database, cipher, RECORDERS, RecorderCreate)
    await _import(
        database, cipher, "name,host,snmp_community,recorder\nCAM-1,127.118.1.1,public,\nCAM-EDGE,127.118.1.2,,edge\n"
    )
    async with database.unit_of_work() as session:
        await ensure_check_states(session, now=datetime.now(UTC))
    async with database.unit_of_work() as session:
        states = (await session.execute(select(Camera.name, CheckState.kind).join(Camera))).all()
        facts = await camera_facts(session)
        every = await camera_facts(session, device_type=None)
        nvr = await service.get_by_name(session, "NVR-CENTRUM")
        assert nvr is not None
        with pytest.raises(NotFound, match="camera"):
            await service.get_or_raise(session, nvr.id)
    kinds: dict[str, set[CheckKind]] = {}
    for name, kind in states:
        kinds.setdefault(name, set()).add(kind)
    device = {CheckKind.REACHABILITY, CheckKind.ONVIF_HEALTH, CheckKind.ONVIF_IDENTITY, CheckKind.SECURITY}
    assert kinds["NVR-CENTRUM"] == device | {CheckKind.SNMP, CheckKind.RECORDING}
    assert kinds["NVR-BLERICK"] == device | {CheckKind.RECORDING}
    assert kinds["CAM-1"] == device | {CheckKind.SNMP, CheckKind.STREAM, CheckKind.IMAGE}
    assert kinds["CAM-EDGE"] == device | {CheckKind.STREAM, CheckKind.IMAGE, CheckKind.RECORDING}
    assert [f.name for f in facts] == ["CAM-1", "CAM-EDGE"]
    assert [f.name for f in every] == ["CAM-1", "CAM-EDGE", "NVR-BLERICK", "NVR-CENTRUM"]
