"""The camera page shows whether the camera is allowed Basic, what its login endpoints offered, and a downgrade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from config.checks import CheckKind
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health.claims import ensure_check_states
from fleet.health.recording import Outcome, record
from tests.api import web
from tests.builders import make_camera

T0 = datetime.now(UTC) - timedelta(hours=1)


def _stream(camera_id: int, minutes: int, offered: list[str]) -> Outcome:
    at = T0 + timedelta(minutes=minutes)
    values = {"auth": offered[0], "auth_endpoint": "rtsp", "auth_uri": "rtsp://127.60.1.1:554/main",
              "auth_offered": offered, "auth_challenges": [f'{o.title()} realm="cam"' for o in offered]}  # fmt: skip
    return Outcome(camera_id, CheckKind.STREAM, at, True, 0.01, at + timedelta(minutes=5), values=values)


async def test_camera_page_shows_logins_and_the_downgrade(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        strict = await make_camera(session, cipher, name="LOGIN-STRICT", username="root", password="pw-12345678")
        allowed = await make_camera(session, cipher, name="LOGIN-BASIC", allow_basic="ja")
        await ensure_check_states(session, now=T0)
        await record(session, [_stream(strict.id, 0, ["digest"])], settings=settings)
        await record(session, [_stream(strict.id, 5, ["basic"])], settings=settings)
    await web.login(pages, "viewer")
    page = (await pages.get(f"/cameras/{strict.id}")).text
    assert "Aanmelding" in page and "niet toegestaan: het wachtwoord wordt nooit onversleuteld verstuurd" in page
    assert "<td>rtsp</td><td>basic</td>" in page and "Digest laatst gezien" in page
    assert "Aanmelding verzwakt van Digest naar Basic" in page  # the open fault, in the viewer's language
    other = (await pages.get(f"/cameras/{allowed.id}")).text
    assert "toegestaan: het wachtwoord gaat onversleuteld over het netwerk" in other
    assert "Nog niet om aanmelding gevraagd." in other
