"""The legal-hold page on both engines: everyone sees the holds, a coordinator places and releases them through the
form (audited as through the API), the others get neither form nor action; in Dutch and English."""

from __future__ import annotations

import httpx

from fleet.crypto import CredentialCipher
from fleet.db import Database
from tests.api import web
from tests.builders import make_camera


async def test_a_coordinator_places_and_releases_a_hold_through_the_page(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, name="VL-MARKT", recorder="edge")
        await make_camera(session, cipher, name="VL-DARK", recorder="none")  # nothing recorded: nothing to hold
    await web.login(pages, "coordinator")
    page = await pages.get("/recording-holds")
    assert page.status_code == 200 and "Geen juridische bewaringen." in page.text  # Dutch unless asked otherwise
    assert "VL-MARKT" in page.text and "VL-DARK" not in page.text
    token = web.hidden(page.text, "csrf_token")
    form = {
        "csrf_token": token,
        "camera_id": str(camera.id),
        "starts_at": "2026-11-02T21:00",
        "ends_at": "2026-11-02T20:00",
        "case_ref": "PL2300-2026123456",
        "reason": "Overval Markt",
    }
    bad = await pages.post("/recording-holds", data=form)
    assert bad.status_code == 422 and "must be after from" in bad.text and "Overval Markt" in bad.text
    assert await web.audit(database, "recording.hold") == []
    made = await pages.post("/recording-holds", data={**form, "ends_at": "2026-11-03T02:00"})
    assert made.status_code == 303
    listed = (await pages.get("/recording-holds")).text
    assert "PL2300-2026123456" in listed and "2026-11-02 21:00" in listed  # shown in local time
    placed = await web.audit(database, "recording.hold")
    assert len(placed) == 1 and "coordinator" in placed[0].actor and placed[0].after["case"] == "PL2300-2026123456"
    assert placed[0].after["from"].startswith("2026-11-02T21:00:00+01:00")

    hold_id = placed[0].target_id
    released = await pages.post(f"/recording-holds/{hold_id}/release", data={"csrf_token": token})
    assert released.status_code == 303
    assert "PL2300-2026123456" not in (await pages.get("/recording-holds")).text
    assert "PL2300-2026123456" in (await pages.get("/recording-holds?released=true")).text
    assert [e.target_id for e in await web.audit(database, "recording.release")] == [hold_id]
    assert "/release" not in (await pages.get("/recording-holds?released=true")).text  # released already


async def test_other_roles_see_the_holds_without_form_or_action_in_english(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher
) -> None:
    await web.login(pages, "technician")
    await pages.post("/language", data={"csrf_token": await web.csrf(pages), "language": "en"})
    page = await pages.get("/recording-holds")
    assert page.status_code == 200 and "No legal holds." in page.text
    assert 'action="/recording-holds"' not in page.text
    refused = await pages.post("/recording-holds", data={"csrf_token": web.hidden(page.text, "csrf_token")})
    assert refused.status_code == 403
