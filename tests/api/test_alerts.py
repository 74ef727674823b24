"""Notification channels through the API: admins manage them, URLs never come back, send test."""

from __future__ import annotations

import httpx

from fleet.users.models import Role
from tests.conftest import bearer
from tests.peers.receivers import WebhookReceiver


async def test_channels_crud_and_send_test(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    admin = bearer(tokens[Role.ADMIN])
    async with WebhookReceiver() as webhook:
        secret_url = webhook.url + "?+X-Token=s3cret"
        body = {"name": "team-noord", "url": secret_url, "areas": ["Blerick"], "min_severity": "major"}
        denied = await client.post("/api/v1/notification-channels", json=body, headers=bearer(tokens[Role.COORDINATOR]))
        assert denied.status_code == 403
        created = await client.post("/api/v1/notification-channels", json=body, headers=admin)
        assert created.status_code == 201, created.text
        assert created.json()["service"] == "json" and "s3cret" not in created.text and "url" not in created.json()
        channel_id = created.json()["id"]
        listed = await client.get("/api/v1/notification-channels", headers=bearer(tokens[Role.TECHNICIAN]))
        assert [c["name"] for c in listed.json()] == ["team-noord"] and "s3cret" not in listed.text

        tested = await client.post(f"/api/v1/notification-channels/{channel_id}/test", headers=admin)
        assert tested.json() == {"delivered": True, "error": None}
        assert webhook.posts and "Testbericht" in webhook.posts[0]["message"]
        webhook.mode = "error"
        failed = await client.post(f"/api/v1/notification-channels/{channel_id}/test", headers=admin)
        assert failed.json()["delivered"] is False and failed.json()["error"]

        audit = await client.get("/api/v1/audit?target_type=notification_channel", headers=admin)
        assert "s3cret" not in audit.text
        duplicate = await client.post("/api/v1/notification-channels", json=body, headers=admin)
        assert duplicate.status_code == 409
        assert (await client.delete(f"/api/v1/notification-channels/{channel_id}", headers=admin)).status_code == 204


async def test_invalid_channels_are_422_with_the_reason(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    admin = bearer(tokens[Role.ADMIN])
    for url, words in (("slack://nope", "Slack"), ("someone@venlo.nl", "Apprise URL"), ("foo://bar", "Unparseable")):
        response = await client.post("/api/v1/notification-channels", json={"name": "x", "url": url}, headers=admin)
        assert response.status_code == 422, response.text
        [error] = response.json()["detail"]
        assert error["loc"] == ["body", "url"] and words in error["msg"]
    quiet = await client.post(
        "/api/v1/notification-channels",
        json={"name": "x", "url": "json://127.0.0.1:9/x", "quiet_from": "22:00"},
        headers=admin,
    )
    assert quiet.status_code == 422 and quiet.json()["detail"][0]["loc"] == ["body", "quiet_until"]
    bad_clock = await client.post(
        "/api/v1/notification-channels",
        json={"name": "x", "url": "json://127.0.0.1:9/x", "quiet_from": "25:00", "quiet_until": "07:00"},
        headers=admin,
    )
    assert bad_clock.status_code == 422


async def test_outbox_is_visible_to_technicians(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    response = await client.get("/api/v1/alerts?status=pending", headers=bearer(tokens[Role.TECHNICIAN]))
    assert response.status_code == 200 and response.json()["total"] == 0
    assert (await client.get("/api/v1/alerts", headers=bearer(tokens[Role.VIEWER]))).status_code == 403
