"""The uptime report as a document: Dutch and English HTML with charts, and the same as PDF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from config.settings import SchedulerSettings
from config.zone import LOCAL as AMS
from fleet.cameras.models import CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.health.models import StatusInterval
from fleet.reports.uptime import months, uptime_document
from fleet.uptime.service import GroupBy
from tests.builders import make_camera

# The first quarter of 2026 in Amsterdam time: 2,159 hours (summer time starts on 29 March).
PERIOD = (datetime(2026, 1, 1, tzinfo=AMS).astimezone(UTC), datetime(2026, 4, 1, tzinfo=AMS).astimezone(UTC))


async def _history(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        a = await make_camera(session, cipher, name="VL-F012", area="Binnenstad")
        b = await make_camera(session, cipher, name="VL-F027", area="Blerick")
        session.add_all(
            [
                StatusInterval(
                    camera_id=a.id,
                    status=CameraStatus.UP,
                    started_at=PERIOD[0],
                    ended_at=datetime(2026, 2, 1, tzinfo=UTC),
                ),
                StatusInterval(
                    camera_id=a.id,
                    status=CameraStatus.DOWN,
                    started_at=datetime(2026, 2, 1, tzinfo=UTC),
                    ended_at=datetime(2026, 2, 3, tzinfo=UTC),
                ),
                StatusInterval(
                    camera_id=a.id, status=CameraStatus.UP, started_at=datetime(2026, 2, 3, tzinfo=UTC), ended_at=None
                ),
                StatusInterval(camera_id=b.id, status=CameraStatus.UP, started_at=PERIOD[0], ended_at=None),
                Fault(
                    camera_id=a.id,
                    kind=FaultKind.OFFLINE,
                    severity=Severity.CRITICAL,
                    summary="offline",
                    opened_at=datetime(2026, 2, 1, tzinfo=UTC),
                    closed_at=datetime(2026, 2, 3, tzinfo=UTC),
                ),
            ]
        )


@pytest.mark.parametrize(
    ("language", "words", "fleet_share", "edges"),
    [
        ("nl", "Beschikbaarheid per maand", "98,89\u00a0%", "Begin en einde van storingen tot op 150 s nauwkeurig"),
        ("en", "Availability per month", "98.89%", "Outage edges to within 150 s"),
    ],
)
async def test_html_in_both_languages(
    database: Database, cipher: CredentialCipher, language: str, words: str, fleet_share: str, edges: str
) -> None:
    await _history(database, cipher)
    async with database.unit_of_work() as session:
        document = await uptime_document(
            session,
            period=PERIOD,
            by=GroupBy.AREA,
            now=datetime(2026, 5, 1, tzinfo=UTC),
            language=language,  # type: ignore[arg-type]
            # Every 75 s (±10 %), while down at most every 150 s less a tick and a confirmation: edges to within 150 s.
            scheduler=SchedulerSettings(reachability_interval=timedelta(seconds=75)),
        )
    html = document.html
    assert edges in html and "75 s" in html and "135 s" in html
    assert words in html and html.count("<svg") == 5
    assert "VL-F012" in html  # the worst cameras chart names it
    assert "Binnenstad" in html and "Blerick" in html
    assert fleet_share in html  # fleet: 48 h down of 2 × 2,159 h, written as the language writes it


async def test_pdf(database: Database, cipher: CredentialCipher) -> None:
    await _history(database, cipher)
    async with database.unit_of_work() as session:
        document = await uptime_document(
            session, period=PERIOD, by=GroupBy.CAMERA, now=datetime(2026, 5, 1, tzinfo=UTC), language="nl"
        )
    pdf = document.pdf()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000


def test_months_follow_local_calendar() -> None:
    assert [label for label, _ in months(PERIOD)] == ["2026-01", "2026-02", "2026-03"]
    first = months(PERIOD)[0][1]
    assert first == (datetime(2025, 12, 31, 23, tzinfo=UTC), datetime(2026, 1, 31, 23, tzinfo=UTC))
