"""Storing the assessment on camera rows and summarising the fleet, on both engines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from config.settings import RiskSettings, Settings
from fleet.cameras.models import Camera, Lifecycle, RiskLevel
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.vendor_risk import service
from fleet.vendor_risk.schemas import LevelCounts
from tests.builders import make_camera

HIKVISION_MAC = "bc:ad:28:12:34:56"


async def test_assess_writes_the_risk_columns_and_reports_changes(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, declared_manufacturer="Axis", declared_model="AXIS P3245-LVE")
        assert await service.assess_camera(session, camera, settings)
        assert (camera.risk_level, camera.risk_origin_vendor, camera.identity_mismatch) == (
            RiskLevel.LOW,
            "Axis Communications",
            False,
        )
        assert not await service.assess_camera(session, camera, settings)

        # The device turns out to be a Hikvision: a swapped camera.
        camera.observed_manufacturer, camera.observed_mac = "HIKVISION", HIKVISION_MAC
        assert await service.assess_camera(session, camera, settings)

    async with database.unit_of_work() as session:
        stored = await session.scalar(select(Camera))
    assert stored is not None
    assert (stored.risk_level, stored.risk_origin_country, stored.identity_mismatch) == (RiskLevel.HIGH, "China", True)
    assert {"signal": "mac_oui", "value": HIKVISION_MAC, "points_to": "Hikvision"} in stored.risk_evidence
    assert stored.risk_confidence is not None and stored.risk_confidence > 0.5


async def _fleet(database: Database, cipher: CredentialCipher, settings: Settings) -> None:
    cameras: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"name": "A1", "area": "Centrum", "declared_manufacturer": "Axis"}, {}),
        ({"name": "A2", "area": "Centrum", "declared_manufacturer": "Axis"}, {"observed_mac": HIKVISION_MAC}),
        ({"name": "U1", "area": "Zuid", "declared_manufacturer": "Uniview"}, {}),
        ({"name": "N1", "area": None}, {}),
        ({"name": "R1", "area": "Zuid", "declared_manufacturer": "Dahua"}, {"lifecycle": Lifecycle.RETIRED}),
    ]
    async with database.unit_of_work() as session:
        for fields, observed in cameras:
            camera = await make_camera(session, cipher, **fields)
            for column, value in observed.items():
                setattr(camera, column, value)
            await service.assess_camera(session, camera, settings)


async def test_summary_counts_the_cameras_in_service(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    await _fleet(database, cipher, settings)
    async with database.unit_of_work() as session:
        summary = await service.risk_summary(session)

    assert summary.total == 4
    assert summary.by_level == LevelCounts(high=1, medium=1, low=1, unknown=1)
    assert [(g.key, g.total, g.levels.high) for g in summary.by_country] == [
        ("China", 2, 1),
        ("Sweden", 1, 0),
        (None, 1, 0),
    ]
    assert {g.key: g.total for g in summary.by_vendor} == {
        "Hikvision": 1,
        "Uniview": 1,
        "Axis Communications": 1,
        None: 1,
    }
    assert [(g.key, g.levels) for g in summary.by_area] == [
        ("Centrum", LevelCounts(high=1, low=1)),
        ("Zuid", LevelCounts(medium=1)),
        (None, LevelCounts(unknown=1)),
    ]
    assert [(m.name, m.declared_manufacturer, m.origin_vendor, m.level) for m in summary.mismatches] == [
        ("A2", "Axis", "Hikvision", RiskLevel.HIGH)
    ]


async def test_reassess_all_after_a_policy_change(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    await _fleet(database, cipher, settings)
    strict = settings.model_copy(update={"risk": RiskSettings(entity_list_is_high=True)})
    async with database.unit_of_work() as session:
        assert await service.reassess_all(session, strict) == 1  # Uniview: medium → high
        assert await service.reassess_all(session, strict) == 0
        uniview = await session.scalar(select(Camera).where(Camera.name == "U1"))
    assert uniview is not None and uniview.risk_level is RiskLevel.HIGH


async def test_summary_of_an_empty_fleet(database: Database) -> None:
    async with database.unit_of_work() as session:
        summary = await service.risk_summary(session)
    assert (summary.total, summary.by_level, summary.by_area, summary.mismatches) == (0, LevelCounts(), [], [])
