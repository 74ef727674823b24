"""The inventory's recording columns on both engines, from recording checks as stored: the recorder column, the
state the last answer leaves each camera in, and how far back its footage reaches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from config.checks import CheckKind
from config.settings import Settings
from fleet.cameras import service as registry
from fleet.cameras.schemas import RecorderCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health.models import CheckResult
from fleet.inventory.service import COLUMNS, build_inventory
from tests.builders import TEST_ACTOR, make_camera

NOW = datetime.now(UTC).replace(microsecond=0)


def _recording(source: str, kept_days: float, job: str = "active") -> dict[str, object]:
    return {
        "token": f"REC-{source}",
        "source_id": source,
        "earliest": (NOW - timedelta(days=kept_days)).isoformat(),
        "latest": NOW.isoformat(),
        "job_state": job,
        "gaps": [],
    }


def _result(device_id: int, *recordings: dict[str, object], at: datetime = NOW) -> CheckResult:
    values = {"asked_at": at.isoformat(), "recordings": list(recordings), "history_searched": True}
    return CheckResult(camera_id=device_id, kind=CheckKind.RECORDING, at=at, ok=True, duration_ms=5.0, values=values)


async def test_recorder_state_and_retention_days(
    settings: Settings, database: Database, cipher: CredentialCipher
) -> None:
    async with database.unit_of_work() as session:
        nvr = await registry.create(
            session, actor=TEST_ACTOR, data=RecorderCreate(name="NVR-1", host="127.118.6.1"), cipher=cipher
        )
        await make_camera(session, cipher, name="CAM-OK", recorder="NVR-1")
        await make_camera(session, cipher, name="CAM-STOPPED", recorder="NVR-1")
        await make_camera(session, cipher, name="CAM-MISSING", recorder="NVR-1")
        edge = await make_camera(session, cipher, name="CAM-EDGE", recorder="edge", retention_max_days=14)
        await make_camera(session, cipher, name="CAM-LIVE", recorder="none")
        await make_camera(session, cipher, name="CAM-UNDECLARED")
        await make_camera(session, cipher, name="CAM-EDGE-NEW", recorder="edge")
        session.add_all(
            [
                # An older answer of the same recorder does not count: only the latest does.
                _result(nvr.id, _recording("CAM-MISSING", 10.0), at=NOW - timedelta(hours=1)),
                _result(nvr.id, _recording("CAM-OK", 20.25), _recording("CAM-STOPPED", 12.0, job="idle")),
                _result(edge.id, _recording("anything", 16.0)),
            ]
        )
    async with database.unit_of_work() as session:
        rows = await build_inventory(session, settings=settings, as_of=NOW.date())
    first = COLUMNS.index("recorder")
    assert COLUMNS[first : first + 3] == ("recorder", "recording_state", "retention_days")
    found = {r.values["name"]: tuple(r.values[c] for c in COLUMNS[first : first + 3]) for r in rows}
    assert found == {
        "CAM-OK": ("NVR-1", "recording", 20.2),
        "CAM-STOPPED": ("NVR-1", "recording_stopped", 12.0),
        "CAM-MISSING": ("NVR-1", "recording_stopped", None),
        "CAM-EDGE": ("edge", "retention_exceeded", 16.0),
        "CAM-LIVE": ("none", "not_recorded", None),
        "CAM-UNDECLARED": (None, None, None),
        "CAM-EDGE-NEW": ("edge", "unchecked", None),
    }
