"""Reports and risk through the API: uptime as JSON and CSV, period errors, the vendor-risk summary."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import httpx

from fleet.cameras.models import CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health.models import StatusInterval
from fleet.users.models import Role
from tests.builders import make_camera
from tests.conftest import bearer


async def test_uptime_json_and_csv(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, name="A", area="Blerick")
        session.add_all(
            [
                StatusInterval(
                    camera_id=camera.id,
                    status=CameraStatus.UP,
                    started_at=datetime(2026, 1, 1, tzinfo=UTC),
                    ended_at=datetime(2026, 1, 2, tzinfo=UTC),
                ),
                StatusInterval(
                    camera_id=camera.id,
                    status=CameraStatus.DOWN,
                    started_at=datetime(2026, 1, 2, tzinfo=UTC),
                    ended_at=None,
                ),
            ]
        )
    viewer = bearer(tokens[Role.VIEWER])
    query = "from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z"
    body = (await client.get(f"/api/v1/reports/uptime?{query}&by=area", headers=viewer)).json()
    [row] = body["rows"]
    assert {k: row[k] for k in ("key", "availability", "downtime_s", "maintenance_s", "unknown_s", "outages")} == {
        "key": "Blerick",
        "availability": 0.5,
        "downtime_s": 86400.0,
        "maintenance_s": 0.0,
        "unknown_s": 0.0,
        "outages": 1,
    }
    assert row["mttr_s"] == 86400.0 and row["mtbf_s"] == 86400.0
    # Outage edges are seen at the reachability check's pace: 60 s (+10 % jitter), at most twice that while down.
    assert body["outage_edges_s"] == 120
    first = await client.get(f"/api/v1/reports/uptime?{query}&format=csv", headers=viewer)
    again = await client.get(f"/api/v1/reports/uptime?{query}&format=csv", headers=viewer)
    assert first.content == again.content and first.headers["content-type"].startswith("text/csv")
    [line] = list(csv.DictReader(io.StringIO(first.content.decode("utf-8-sig"))))
    assert line["key"] == "A" and line["availability"] == "0.5" and line["outage_edges_s"] == "120"


async def test_uptime_period_errors_are_422(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    viewer = bearer(tokens[Role.VIEWER])
    for query, field in (
        ("from=yesterday&to=2026-01-02", "from"),
        ("from=2026-01-05&to=2026-01-02", "to"),
        ("to=2026-01-02", "from"),
    ):
        response = await client.get(f"/api/v1/reports/uptime?{query}", headers=viewer)
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"] == ["query", field]
    assert (await client.get("/api/v1/reports/uptime?from=2026-01-01&to=2026-01-02")).status_code == 401


async def test_risk_summary_follows_the_registry(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    coordinator = bearer(tokens[Role.COORDINATOR])
    for name, maker in (("H-1", "Hikvision"), ("A-1", "Axis Communications"), ("U-1", "Uniview")):
        created = await client.post(
            "/api/v1/cameras",
            json={"name": name, "host": "127.0.0.1", "declared_manufacturer": maker, "area": "Centrum"},
            headers=coordinator,
        )
        assert created.status_code == 201
    hikvision = (await client.get("/api/v1/cameras?risk=high", headers=coordinator)).json()["items"]
    assert [c["name"] for c in hikvision] == ["H-1"] and hikvision[0]["risk"]["origin_country"]
    assert hikvision[0]["risk"]["evidence"][0]["signal"] == "declared_manufacturer"
    summary = (await client.get("/api/v1/risk/summary", headers=bearer(tokens[Role.VIEWER]))).json()
    assert summary


async def test_inventory_export_formats(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    coordinator = bearer(tokens[Role.COORDINATOR])
    await client.post(
        "/api/v1/cameras",
        json={"name": "X-1", "host": "127.0.0.1", "declared_manufacturer": "Dahua", "latitude": 51.3, "longitude": 6.1},
        headers=coordinator,
    )
    viewer = bearer(tokens[Role.VIEWER])
    for fmt, media in (
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv"),
        ("json", "application/json"),
        ("geojson", "application/geo+json"),
    ):
        response = await client.get(f"/api/v1/inventory/export?format={fmt}&as_of=2026-06-01", headers=viewer)
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        assert f"camfleet-inventory-2026-06-01.{fmt}" in response.headers["content-disposition"]
    bad = await client.get("/api/v1/inventory/export?format=pdf", headers=viewer)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "format"]
    assert (await client.get("/api/v1/inventory/export")).status_code == 401
