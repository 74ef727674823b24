"""Legal holds on both engines: placed and released with audit entries, and exempting held footage from
retention_exceeded as the recording check judges it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from config.recording import RecordingSettings
from fleet.audit.models import AuditEntry
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.errors import Conflict, InvalidInput
from fleet.faults.models import FaultKind
from fleet.recording import holds
from fleet.recording import service as recording
from fleet.recording.schemas import LegalHoldIn
from tests.builders import TEST_ACTOR, make_camera

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)


def _values(kept: timedelta) -> dict[str, object]:
    recording_values = {
        "token": "SD",
        "source_id": "CAM-EDGE",
        "earliest": (NOW - kept).isoformat(),
        "latest": NOW.isoformat(),
        "job_state": "active",
        "gaps": [],
    }
    return {"asked_at": NOW.isoformat(), "recordings": [recording_values], "history_searched": True}


async def test_a_hold_suppresses_retention_exceeded_until_released_and_both_are_audited(
    database: Database, cipher: CredentialCipher
) -> None:
    settings = RecordingSettings()
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, name="CAM-EDGE", recorder="edge")
        verdict = await recording.judge_device(session, camera, _values(40 * DAY), settings)
        assert verdict.cameras[FaultKind.RETENTION_EXCEEDED] == ["CAM-EDGE"]
        data = LegalHoldIn.model_validate(
            {
                "camera_id": camera.id,
                "from": NOW - 45 * DAY,
                "to": NOW - 20 * DAY,
                "case": "PL2300-2026123456",
                "reason": "robbery at the Markt, footage requested by the police",
            }
        )
        placed = await holds.place(session, actor=TEST_ACTOR, camera=camera, data=data)
        verdict = await recording.judge_device(session, camera, _values(40 * DAY), settings)
        assert verdict.cameras[FaultKind.RETENTION_EXCEEDED] == []
        with pytest.raises(InvalidInput):
            await holds.place(
                session, actor=TEST_ACTOR, camera=camera, data=data.model_copy(update={"ends_at": data.starts_at})
            )
    async with database.unit_of_work() as session:
        listed = await holds.listed(session, current=True)
        assert [(h.camera_name, h.case_ref, h.placed_by) for h in listed] == [("CAM-EDGE", "PL2300-2026123456", "test")]
        await holds.release(session, actor=TEST_ACTOR, hold_id=placed.id, now=NOW)
        with pytest.raises(Conflict):
            await holds.release(session, actor=TEST_ACTOR, hold_id=placed.id, now=NOW)
        camera_again = await recording.recorded_cameras(session, camera, settings)
        assert camera_again[0].holds == ()
        verdict = await recording.judge_device(session, camera, _values(40 * DAY), settings)
        assert verdict.cameras[FaultKind.RETENTION_EXCEEDED] == ["CAM-EDGE"]
    async with database.unit_of_work() as session:
        audit = (
            await session.execute(
                select(AuditEntry.action, AuditEntry.after).where(AuditEntry.target_type == "legal_hold")
            )
        ).all()
        assert await holds.listed(session, current=True) == []
        assert len(await holds.listed(session, current=False)) == 1
    assert [action for action, _ in audit] == ["recording.hold", "recording.release"]
    assert audit[0][1]["case"] == "PL2300-2026123456" and "robbery" in audit[0][1]["reason"]
