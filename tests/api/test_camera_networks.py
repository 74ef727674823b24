"""`cameras.allowed_networks` in the registry (API and import) and `allow_basic` on a camera, both engines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from config.settings import Settings
from fleet.users.models import Role
from tests.conftest import TEST_SECRET, bearer, run_cli

NETWORKS = ["127.30.0.0/24", "2001:db8:30::/48"]
CAMERA = {"name": "NET-1", "host": "127.30.0.7", "username": "root", "password": "Netwerk-Wacht-1"}


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path, database_url=database_url, secret_key=TEST_SECRET, cameras={"allowed_networks": NETWORKS}
    )


async def _post(client: httpx.AsyncClient, token: str, **fields: Any) -> httpx.Response:
    return await client.post("/api/v1/cameras", json={**CAMERA, **fields}, headers=bearer(token))


def _host_error(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "host"]
    assert "Netwerk-Wacht-1" not in response.text
    return str(error["msg"])


async def test_hosts_outside_the_allowed_networks_are_refused(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    token = tokens[Role.COORDINATOR]
    created = await _post(client, token)
    assert created.status_code == 201, created.text
    assert created.json()["allow_basic"] is False  # the default: no password in clear
    assert "is outside the allowed camera networks (127.30.0.0/24, 2001:db8:30::/48" in _host_error(
        await _post(client, token, name="NET-2", host="10.20.30.40")
    )
    # A host name is resolved and every address checked: localhost is 127.0.0.1 (and ::1), outside.
    assert "localhost (127.0.0.1" in _host_error(await _post(client, token, name="NET-3", host="localhost"))
    assert "does not resolve" in _host_error(await _post(client, token, name="NET-4", host="no-such-camera.invalid"))
    ipv6 = await _post(client, token, name="NET-5", host="2001:db8:30::5")
    assert ipv6.status_code == 201, ipv6.text

    camera_id = created.json()["id"]
    moved = await client.patch(f"/api/v1/cameras/{camera_id}", json={"host": "192.168.1.10"}, headers=bearer(token))
    assert "192.168.1.10 is outside" in _host_error(moved)
    listed = await client.get("/api/v1/cameras", headers=bearer(token))
    assert sorted(c["host"] for c in listed.json()["items"]) == ["127.30.0.7", "2001:db8:30::5"]


async def test_allow_basic_is_set_read_and_changed(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    token = tokens[Role.COORDINATOR]
    created = await _post(client, token, allow_basic=True)
    assert created.status_code == 201 and created.json()["allow_basic"] is True
    camera_id = created.json()["id"]
    changed = await client.patch(f"/api/v1/cameras/{camera_id}", json={"allow_basic": False}, headers=bearer(token))
    assert changed.status_code == 200 and changed.json()["allow_basic"] is False
    read = await client.get(f"/api/v1/cameras/{camera_id}", headers=bearer(tokens[Role.VIEWER]))
    assert read.json()["allow_basic"] is False
    cleared = await client.patch(f"/api/v1/cameras/{camera_id}", json={"allow_basic": None}, headers=bearer(token))
    assert cleared.status_code == 422
    wrong = await _post(client, token, name="NET-9", allow_basic="perhaps")
    assert wrong.status_code == 422 and "allow_basic" in wrong.text


@pytest.mark.usefixtures("database")
def test_import_names_each_row_outside_and_writes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    env = {**env, "CAMFLEET_CAMERAS__ALLOWED_NETWORKS": json.dumps(NETWORKS)}
    path = tmp_path / "fleet.csv"
    path.write_text(
        "name;host;allow_basic\nIN-1;127.30.0.1;ja\nOUT-1;10.0.0.1;nee\nIN-2;127.30.0.2;\n", encoding="utf-8"
    )
    dry = run_cli(env, "cameras", "import", "--dry-run", str(path))
    assert dry.returncode == 1
    assert dry.stderr.splitlines()[0].startswith("line 3: host: 10.0.0.1 is outside the allowed camera networks")
    assert run_cli(env, "cameras", "import", str(path)).returncode == 1
    assert json.loads(run_cli(env, "cameras", "list", "--json").stdout) == []

    path.write_text("name;host;allow_basic\nIN-1;127.30.0.1;ja\nIN-2;127.30.0.2;\n", encoding="utf-8")
    done = run_cli(env, "cameras", "import", str(path))
    assert done.returncode == 0, done.stderr
    listed = {c["name"]: c["allow_basic"] for c in json.loads(run_cli(env, "cameras", "list", "--json").stdout)}
    assert listed == {"IN-1": True, "IN-2": False}
