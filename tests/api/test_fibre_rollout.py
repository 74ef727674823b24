"""The fibre roll-out on both engines: the cameras still on copper or 4G inside a GeoJSON fibre area, through the
API (JSON, CSV, XLSX), the page and its download; without a usable area, a 409 that says why."""

from __future__ import annotations

import io
import json
from csv import DictReader
from pathlib import Path

import httpx
from openpyxl import load_workbook
from sqlalchemy import select

from cli.demo import DEMO_FLEET, _demo_settings
from config.settings import Settings
from fleet.cameras import fibre
from fleet.cameras.models import Camera
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.users.models import Role
from tests.api import web
from tests.builders import make_camera
from tests.conftest import TEST_SECRET, bearer, run_cli

# A square around Venlo's centre (longitude, latitude), with a hole: the Maas bridge's cameras are not reached.
AREA = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "glasvezel fase 1"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[6.16, 51.36], [6.18, 51.36], [6.18, 51.38], [6.16, 51.38], [6.16, 51.36]],
                    [[6.175, 51.375], [6.178, 51.375], [6.178, 51.378], [6.175, 51.378], [6.175, 51.375]],
                ],
            },
        }
    ],
}


async def _fleet(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        for name, network, place in (
            ("IN-COPPER", "copper", (51.37, 6.17)),
            ("IN-4G", "lte", (51.365, 6.175)),
            ("ON-EDGE", "koper", (51.36, 6.17)),  # on the area's edge: inside
            ("IN-FIBRE", "fiber", (51.37, 6.171)),
            ("IN-RADIO", "radio", (51.37, 6.172)),
            ("IN-HOLE", "copper", (51.376, 6.176)),
            ("OUTSIDE", "4g", (51.40, 6.17)),
            ("NOWHERE", "4g", None),
        ):
            coordinates = {"latitude": place[0], "longitude": place[1]} if place else {}
            await make_camera(session, cipher, name=name, network=network, area="Centrum", **coordinates)


async def test_the_cameras_to_move_onto_fibre(
    client: httpx.AsyncClient,
    tokens: dict[Role, str],
    database: Database,
    cipher: CredentialCipher,
    settings: Settings,
    tmp_path: Path,
) -> None:
    await _fleet(database, cipher)
    url, auth = "/api/v1/reports/fibre-rollout", bearer(tokens[Role.VIEWER])
    unset = await client.get(url, headers=auth)
    assert unset.status_code == 409 and "network.fibre_area" in unset.json()["detail"][0]["msg"]
    path = tmp_path / "fibre.geojson"
    path.write_text(json.dumps({"type": "Point", "coordinates": [6.17, 51.37]}))
    settings.network.fibre_area = path
    assert (await client.get(url, headers=auth)).status_code == 409  # not a polygon
    path.write_text(json.dumps(AREA))
    answer = await client.get(url, headers=auth)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [i["name"] for i in body["items"]] == ["IN-4G", "IN-COPPER", "ON-EDGE"]
    assert (body["total"], body["unplaced"], body["items"][0]["network"]) == (3, 1, "4g")
    assert body["items"][0]["network_since"] is not None
    csv = (await client.get(url, params={"format": "csv"}, headers=auth)).content.decode("utf-8-sig").splitlines()
    assert csv[0].startswith("name,area,site,location,latitude,longitude,network,network_since,status")
    assert [line.split(",")[0] for line in csv[1:]] == ["IN-4G", "IN-COPPER", "ON-EDGE"]
    xlsx = await client.get(url, params={"format": "xlsx"}, headers=auth)
    sheet = load_workbook(io.BytesIO(xlsx.content))["Fibre roll-out"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["IN-4G", "IN-COPPER", "ON-EDGE"]


async def test_the_page_lists_them_and_says_when_no_area_is_set(
    database: Database, cipher: CredentialCipher, settings: Settings, tmp_path: Path
) -> None:
    await web.people(database)
    await _fleet(database, cipher)
    async with web.client(settings, database) as http:
        await web.login(http, "viewer")
        page = await http.get("/fibre-rollout")
        assert page.status_code == 200 and "network.fibre_area" in page.text and "IN-COPPER" not in page.text
        path = tmp_path / "fibre.geojson"
        path.write_text(json.dumps(AREA))
        settings.network.fibre_area = path
        page = await http.get("/fibre-rollout")
        assert "IN-COPPER" in page.text and "OUTSIDE" not in page.text and "IN-HOLE" not in page.text
        download = await http.get("/fibre-rollout/export", params={"format": "csv"})
        assert download.status_code == 200 and "ON-EDGE" in download.text
        async with database.unit_of_work() as session:
            camera_id = await session.scalar(select(Camera.id).where(Camera.name == "IN-COPPER"))
        camera_page = (await http.get(f"/cameras/{camera_id}")).text
        assert 'id="h-network"' in camera_page and ("koper" in camera_page or "copper" in camera_page)


async def test_the_command_line_export(
    database: Database, cipher: CredentialCipher, env: dict[str, str], tmp_path: Path
) -> None:
    await _fleet(database, cipher)
    target = tmp_path / "rollout.csv"
    unset = run_cli(env, "export", "fibre-rollout", "--format", "csv", "--output", str(target))
    assert unset.returncode == 1 and "network.fibre_area" in unset.stderr
    area = tmp_path / "fibre.geojson"
    area.write_text(json.dumps(AREA))
    done = run_cli(
        {**env, "CAMFLEET_NETWORK__FIBRE_AREA": str(area)},
        *("export", "fibre-rollout", "--format", "csv", "--output", str(target)),
    )
    assert done.returncode == 0, done.stderr
    assert (
        "wrote 3 cameras to move onto fibre" in done.stdout and "1 on copper or 4G without coordinates" in done.stdout
    )
    assert [line.split(",")[0] for line in target.read_text("utf-8-sig").splitlines()[1:]] == [
        "IN-4G",
        "IN-COPPER",
        "ON-EDGE",
    ]


async def test_a_cameras_network_history(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, name="MOVING", network="copper")
    auth = bearer(tokens[Role.ADMIN])
    changed = await client.patch(f"/api/v1/cameras/{camera.id}", json={"network": "glasvezel"}, headers=auth)
    assert changed.status_code == 200 and changed.json()["network"] == "fiber"
    history = (await client.get(f"/api/v1/cameras/{camera.id}/network-history", headers=auth)).json()
    assert [h["network"] for h in history] == ["copper", "fiber"]
    assert history[0]["changed_at"] <= history[1]["changed_at"] and history[1]["changed_by"]
    assert (await client.get("/api/v1/cameras/999999/network-history", headers=auth)).status_code == 404


def test_the_demo_fibre_area_reaches_the_city_centre(tmp_path: Path) -> None:
    demo = _demo_settings(Settings(data_dir=tmp_path, secret_key=TEST_SECRET))
    area = fibre.load_area(demo.network.fibre_area)
    with DEMO_FLEET.open(encoding="utf-8") as lines:
        rows = list(DictReader(lines))
    inside = [r["name"] for r in rows if fibre.inside(area, float(r["latitude"]), float(r["longitude"]))]
    still = [r["name"] for r in rows if r["name"] in inside and r["network"] in ("copper", "4g")]
    assert "VL-F002" in still and "VL-F011" not in inside  # Vleesstraat on copper; Blerick across the Maas
    assert 0 < len(still) < len(inside)
