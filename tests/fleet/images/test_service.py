"""The image baseline: reference taken and re-taken, the optional thumbnail kept only while allowed."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.images import service as images
from fleet.users.models import Role
from tests.builders import TEST_ACTOR, make_camera
from tests.conftest import bearer

T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)
LIMITS = Settings().image
THUMBNAIL = base64.b64encode(b"\xff\xd8tiny grey jpeg\xff\xd9").decode()


def _snapshot(signature: list[float], digest: str, **overrides: Any) -> dict[str, Any]:
    values = {"brightness": 90.0, "contrast": 35.0, "sharpness": 0.33, "digest": digest, "signature": signature}
    return values | {"thumbnail": THUMBNAIL} | overrides


async def test_reference_thumbnail_and_retake(database: Database, cipher: CredentialCipher) -> None:
    street, elsewhere = [1.0, 0.0] * 64, [0.0, 1.0] * 64
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
        # A covered first picture is no reference.
        verdict, _ = await images.observe(
            session, camera.id, _snapshot(street, "a", contrast=1.0), T0, limits=LIMITS, keep_thumbnail=True
        )
        assert verdict.covered and (await images.get_baseline(session, camera.id)).reference_signature is None
        await images.observe(session, camera.id, _snapshot(street, "b"), T0, limits=LIMITS, keep_thumbnail=True)
        baseline = await images.get_baseline(session, camera.id)
        assert baseline.reference_signature == street and baseline.reference_thumbnail.startswith(b"\xff\xd8")
        verdict, retaken = await images.observe(
            session, camera.id, _snapshot(elsewhere, "c"), T0 + timedelta(hours=1), limits=LIMITS, keep_thumbnail=True
        )
        assert verdict.moved is True and verdict.frozen is False and not retaken
        await images.request_reference(session, camera=camera, actor=TEST_ACTOR, now=T0 + timedelta(hours=2))
        # Thumbnails switched off meanwhile: the new reference has none and the old one is gone.
        verdict, retaken = await images.observe(
            session, camera.id, _snapshot(elsewhere, "d"), T0 + timedelta(hours=3), limits=LIMITS, keep_thumbnail=False
        )
        assert retaken and verdict.moved is False
        baseline = await images.get_baseline(session, camera.id)
        assert baseline.reference_signature == elsewhere and baseline.reference_thumbnail is None
        assert baseline.reference_requested_at is None and baseline.last_digest == "d"


async def test_reference_api_refuses_unknown_cameras(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    coordinator = bearer(tokens[Role.COORDINATOR])
    assert (await client.post("/api/v1/cameras/9999/image-reference", headers=coordinator)).status_code == 404
    assert (await client.get("/api/v1/cameras/9999/image-reference", headers=coordinator)).status_code == 404
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    shown = await client.get(f"/api/v1/cameras/{camera.id}/image-reference", headers=bearer(tokens[Role.VIEWER]))
    assert shown.status_code == 200
    assert shown.json() == {
        "camera_id": camera.id,
        "reference_taken_at": None,
        "reference_requested_at": None,
        "reference_requested_by": None,
        "has_thumbnail": False,
        "last_snapshot_at": None,
    }
    assert (await client.post(f"/api/v1/cameras/{camera.id}/image-reference")).status_code == 401
