"""The camera registry on both engines: upsert by name, encrypted credentials, audit without secrets."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from fleet.audit.models import AuditEntry
from fleet.cameras import importer, service
from fleet.cameras.filters import CameraFilter, count_by_status, list_cameras
from fleet.cameras.models import Camera, CameraCredentials, CameraKind, CameraStatus
from fleet.cameras.schemas import CameraUpdate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.errors import Conflict
from tests.builders import TEST_ACTOR, make_camera


def _rows(text: str) -> list[importer.ValidRow]:
    header, rows = importer.read_csv(text.encode())
    return importer.validate_rows(header, rows)


async def test_upsert_creates_updates_and_keeps_unchanged(database: Database, cipher: CredentialCipher) -> None:
    first = _rows("name,host,area\nA,127.0.0.1,Centrum\nB,127.0.0.2,Zuid\n")
    async with database.unit_of_work() as session:
        result = await service.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(first), cipher=cipher)
    assert (result.created, result.updated, result.unchanged) == (["A", "B"], [], [])

    # A file with fewer columns changes only what it names: B keeps its area.
    second = _rows("name,host\nA,127.0.0.9\nB,127.0.0.2\nC,127.0.0.3\n")
    async with database.unit_of_work() as session:
        result = await service.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(second), cipher=cipher)
    assert (result.created, result.updated, result.unchanged) == (["C"], ["A"], ["B"])
    async with database.unit_of_work() as session:
        cams = {c.name: c for c in await session.scalars(select(Camera))}
        audit = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "camera.update"))).all()
    assert cams["A"].host == "127.0.0.9" and cams["B"].area == "Zuid"
    assert [(a.before, a.after) for a in audit] == [({"host": "127.0.0.1"}, {"host": "127.0.0.9"})]


async def test_credentials_are_encrypted_and_never_audited_in_clear(
    database: Database, cipher: CredentialCipher
) -> None:
    rows = _rows(
        "name,host,username,password,snmp_version,snmp_user,snmp_auth_key,snmp_priv_key\n"
        "A,127.0.0.1,onvif-admin,Sup3r-Secret!,3,ops,auth-key-123,priv-key-456\n"
    )
    async with database.unit_of_work() as session:
        await service.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(rows), cipher=cipher)
    async with database.unit_of_work() as session:
        stored = await session.scalar(select(CameraCredentials))
        audit = (await session.scalars(select(AuditEntry))).all()
    assert stored is not None and stored.has_onvif and stored.snmp_version == "3"
    for secret in (b"Sup3r-Secret!", b"auth-key-123", b"priv-key-456", b"onvif-admin"):
        assert secret not in stored.ciphertext
    assert cipher.decrypt(stored.ciphertext)["password"] == "Sup3r-Secret!"
    dumped = repr([(a.before, a.after) for a in audit])
    assert "Sup3r-Secret!" not in dumped and "auth-key-123" not in dumped and "***" in dumped

    # Importing the same secrets again changes nothing (no needless re-encryption or audit rows).
    async with database.unit_of_work() as session:
        result = await service.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(rows), cipher=cipher)
    assert result.unchanged == ["A"]


async def test_a_file_with_credential_columns_but_empty_cells_removes_credentials(
    database: Database, cipher: CredentialCipher
) -> None:
    async with database.unit_of_work() as session:
        await make_camera(session, cipher, name="A", username="u", password="p-123456789")
    rows = _rows("name,host,username,password\nA,127.0.0.1,,\n")
    async with database.unit_of_work() as session:
        result = await service.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(rows), cipher=cipher)
        assert await session.scalar(select(CameraCredentials)) is None
    assert result.updated == ["A"]


async def test_rename_to_existing_name_conflicts(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        await make_camera(session, cipher, name="A")
        b = await make_camera(session, cipher, name="B")
    with pytest.raises(Conflict):
        async with database.unit_of_work() as session:
            camera = await service.get_or_raise(session, b.id)
            await service.update(session, actor=TEST_ACTOR, camera=camera, data=CameraUpdate(name="A"), cipher=cipher)


async def test_illustrative_fleet_round_trip(database: Database, cipher: CredentialCipher, test_data: Path) -> None:
    rows = importer.read_camera_file(test_data / "fleet-venlo-illustrative.csv")
    async with database.unit_of_work() as session:
        await service.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(rows), cipher=cipher)
    async with database.unit_of_work() as session:
        flexible, total = await list_cameras(session, filters=CameraFilter(kind=CameraKind.FLEXIBLE), page=1, size=100)
    assert total == 13 and len(flexible) == 13


@pytest.mark.parametrize("area", [None, "Centrum"])
async def test_status_counts_are_the_list_totals(
    database: Database, cipher: CredentialCipher, area: str | None
) -> None:
    statuses = [CameraStatus.UP] * 3 + [CameraStatus.DOWN] * 2 + [CameraStatus.DEGRADED, CameraStatus.UNKNOWN]
    async with database.unit_of_work() as session:
        made = []
        for n, found in enumerate(statuses):
            camera = await make_camera(session, cipher, area="Centrum" if n % 2 else "Blerick")
            camera.status = found
            made.append(camera)
        # One up and one down camera in a running window: `maintenance` in the list, whatever their health.
        maintenance = {made[0].id, made[3].id}
    filters = CameraFilter(area=area)
    async with database.unit_of_work() as session:
        counts = await count_by_status(session, filters=filters, maintenance=maintenance)
        totals = {
            wanted: (
                await list_cameras(
                    session, filters=replace(filters, status=wanted), page=1, size=1, maintenance=maintenance
                )
            )[1]
            for wanted in CameraStatus
        }
    assert counts == totals
    assert sum(counts.values()) == (7 if area is None else 3)
    if area is None:
        assert counts[CameraStatus.MAINTENANCE] == 2 and counts[CameraStatus.UP] == 2 and counts[CameraStatus.DOWN] == 1
