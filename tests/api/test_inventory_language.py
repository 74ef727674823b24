"""`GET /api/v1/inventory/export?lang=`: the spreadsheet's summary and replacement plan in Dutch or English."""

from __future__ import annotations

import io

import httpx
from openpyxl import load_workbook

from fleet.users.models import Role
from tests.conftest import bearer


async def test_inventory_xlsx_language(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    await client.post(
        "/api/v1/cameras",
        json={"name": "X-1", "host": "127.0.0.1", "declared_manufacturer": "Dahua"},
        headers=bearer(tokens[Role.COORDINATOR]),
    )
    viewer = bearer(tokens[Role.VIEWER])
    found = {}
    for lang in ("nl", "en"):
        response = await client.get(f"/api/v1/inventory/export?format=xlsx&lang={lang}", headers=viewer)
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        found[lang] = [c.value for c in book["Replacement plan"][2]][-1]
    assert found == {
        "nl": "hoog herkomstrisico (Dahua); installatiedatum onbekend",
        "en": "high origin risk (Dahua); installation date unknown",
    }
    bad = await client.get("/api/v1/inventory/export?format=xlsx&lang=de", headers=viewer)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "lang"]
