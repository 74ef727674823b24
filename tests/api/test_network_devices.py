"""Network device routes and pages: the list with types, uplinks and what hangs on each; cameras naming their uplink
through the camera API; the pages escaping names."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from fleet.cameras import service
from fleet.cameras.models import Camera
from fleet.cameras.schemas import CameraCreate, NetworkDeviceCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.network import service as network
from fleet.users.models import Role
from tests.api import web
from tests.builders import TEST_ACTOR
from tests.conftest import bearer


async def _network(database: Database, cipher: CredentialCipher) -> dict[str, int]:
    async with database.unit_of_work() as session:
        made = {}
        for data in (
            NetworkDeviceCreate(name="RT-<i>", host="127.123.2.1", device_type="router"),  # type: ignore[arg-type]
            NetworkDeviceCreate(
                name="SW-MARKT",
                host="127.123.2.2",
                device_type="switch",  # type: ignore[arg-type]
                uplink_device="RT-<i>",
                uplink_port="24",
                site="Markt",
            ),
        ):
            made[data.name] = (await service.create(session, actor=TEST_ACTOR, data=data, cipher=cipher)).id
        return made


async def test_network_devices_and_the_cameras_behind_them(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    made = await _network(database, cipher)
    coordinator, viewer = bearer(tokens[Role.COORDINATOR]), bearer(tokens[Role.VIEWER])
    unknown = await client.post(
        "/api/v1/cameras", json={"name": "CAM-1", "host": "127.123.3.1", "uplink_device": "SW-X"}, headers=coordinator
    )
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"][-1] == "uplink_device"
    camera = await client.post(
        "/api/v1/cameras",
        json={"name": "CAM-1", "host": "127.123.3.1", "uplink_device": "SW-MARKT", "uplink_port": "Gi0/3"},
        headers=coordinator,
    )
    assert camera.status_code == 201, camera.text
    assert (camera.json()["uplink_device"], camera.json()["uplink_port"]) == ("SW-MARKT", "Gi0/3")

    listed = (await client.get("/api/v1/network-devices", headers=viewer)).json()
    assert listed["total"] == 2 and listed["page"] == 1
    assert [
        (d["name"], d["device_type"], d["uplink_device"], d["uplink_port"], d["devices_behind"])
        for d in listed["items"]
    ] == [("RT-<i>", "router", None, None, 1), ("SW-MARKT", "switch", "RT-<i>", "24", 1)]
    routers = (await client.get("/api/v1/network-devices?device_type=router", headers=viewer)).json()
    assert [d["name"] for d in routers["items"]] == ["RT-<i>"]
    assert (await client.get("/api/v1/network-devices?device_type=camera", headers=viewer)).status_code == 422
    one = await client.get(f"/api/v1/network-devices/{made['SW-MARKT']}", headers=viewer)
    assert one.status_code == 200 and one.json()["site"] == "Markt"
    assert (await client.get(f"/api/v1/network-devices/{camera.json()['id']}", headers=viewer)).status_code == 404
    assert (await client.get(f"/api/v1/cameras/{made['SW-MARKT']}", headers=viewer)).status_code == 404
    assert [c["name"] for c in (await client.get("/api/v1/cameras", headers=viewer)).json()["items"]] == ["CAM-1"]

    moved = await client.patch(
        f"/api/v1/cameras/{camera.json()['id']}", json={"uplink_device": "RT-<i>"}, headers=coordinator
    )
    assert (moved.json()["uplink_device"], moved.json()["uplink_port"]) == ("RT-<i>", "Gi0/3")


async def test_the_network_device_pages_list_what_hangs_on_them(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher
) -> None:
    made = await _network(database, cipher)
    async with database.unit_of_work() as session:
        await service.create(
            session,
            actor=TEST_ACTOR,
            data=CameraCreate(name="CAM-9", host="127.123.3.9", uplink_device="SW-MARKT", uplink_port="7"),
            cipher=cipher,
        )
    await web.login(pages, "viewer")
    listed = await pages.get("/network-devices")
    assert listed.status_code == 200 and f'href="/network-devices/{made["SW-MARKT"]}"' in listed.text
    assert "RT-&lt;i&gt;" in listed.text and "RT-<i>" not in listed.text
    page = await pages.get(f"/network-devices/{made['SW-MARKT']}")
    assert page.status_code == 200 and "CAM-9" in page.text
    router = await pages.get(f"/network-devices/{made['RT-<i>']}")
    assert f'href="/network-devices/{made["SW-MARKT"]}"' in router.text
    assert (await pages.get("/cameras")).text.count("SW-MARKT") == 0


async def test_the_ports_and_battery_as_last_read_on_the_page_and_in_the_api(
    pages: httpx.AsyncClient,
    client: httpx.AsyncClient,
    tokens: dict[Role, str],
    database: Database,
    cipher: CredentialCipher,
) -> None:
    made = await _network(database, cipher)
    port = {"name": "Gi1/0/<b>", "descr": "GigabitEthernet1/0/7", "alias": None, "admin_up": True, "oper_up": False}
    port |= {"speed_mbps": 1000, "in_errors": 12, "out_errors": 0, "poe_enabled": True, "poe_status": "searching"}
    ups = {"on_battery": True, "battery_status": "low", "minutes_remaining": 9, "charge_percent": 20}
    async with database.unit_of_work() as session:
        await service.create(
            session,
            actor=TEST_ACTOR,
            data=CameraCreate(name="CAM-7", host="127.123.3.7", uplink_device="SW-MARKT", uplink_port="7"),
            cipher=cipher,
        )
        switch = await session.get(Camera, made["SW-MARKT"])
        assert switch is not None
        at = datetime(2026, 12, 4, 12, tzinfo=UTC)
        [conditions] = await network.observe(
            session, [network.Reading(switch, {"ports": [{**port, "index": 7}], "ups": ups}, at)]
        )
    # Port 7 is named by CAM-7's uplink_port (its ifIndex); the switch answering UPS-MIB is watched as a UPS too.
    assert [(c.kind.value, c.port, c.bad) for c in conditions] == [
        ("port_down", "7", True),
        ("poe_off", "7", None),
        ("ups_on_battery", None, True),
        ("ups_battery_low", None, True),
    ]
    viewer = bearer(tokens[Role.VIEWER])
    body = (await client.get(f"/api/v1/network-devices/{made['SW-MARKT']}", headers=viewer)).json()
    assert body["ports"][0]["if_index"] == 7 and body["ports"][0]["devices"] == ["CAM-7"]
    assert body["ups"]["charge_percent"] == 20 and body["devices_behind"] == 1
    await web.login(pages, "viewer")
    page = await pages.get(f"/network-devices/{made['SW-MARKT']}")
    assert "Gi1/0/&lt;b&gt;" in page.text and "Gi1/0/<b>" not in page.text
    assert "CAM-7" in page.text and "searching" in page.text
