"""Network devices in the registry beside cameras and recorders (both engines): their own import, the uplink
columns of every device, the tree they make (no loops), and the camera-only reads leaving them out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from config.checks import CheckKind
from fleet.cameras import importer, reading, service, uplinks
from fleet.cameras.filters import CameraFilter
from fleet.cameras.models import NETWORK_DEVICE_TYPES, Camera, DeviceType
from fleet.cameras.schemas import CameraCreate, CameraUpdate, NetworkDeviceCreate, NetworkDeviceUpdate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.errors import Conflict, ImportRejected, InvalidInput, NotFound
from fleet.health.claims import ensure_check_states
from fleet.health.models import CheckState
from fleet.pagination import Window
from fleet.uptime.facts import camera_facts
from tests.builders import TEST_ACTOR

# The access switch hangs on the media converter of the fibre, which hangs on the core router; listed child first.
NETWORK = (
    "name,host,device_type,site,uplink_device,uplink_port,snmp_community\n"
    "SW-MARKT,127.123.0.3,Switch,Markt,MC-MARKT,2,public\n"
    "MC-MARKT,127.123.0.2,media_converter,Markt,RT-CORE,ge-0/0/7,\n"
    "RT-CORE,127.123.0.1,router,Stadhuis,,,public\n"
    "UPS-MARKT,127.123.0.4,ups,Markt,,,public\n"
)


def _rows(text: str, model: type = CameraCreate) -> list[importer.ValidRow]:
    header, rows = importer.read_csv(text.encode(), importer.known_columns(model))
    return importer.validate_rows(header, rows, model)


async def _import(database: Database, cipher: CredentialCipher, text: str, model: type = CameraCreate) -> None:
    rows = _rows(text, model)
    network = model is NetworkDeviceCreate
    async with database.unit_of_work() as session:
        await uplinks.check_names(session, importer.uplink_names(rows), network_devices=network)
        await service.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(rows), cipher=cipher)


async def test_network_devices_and_cameras_make_a_tree(database: Database, cipher: CredentialCipher) -> None:
    await _import(database, cipher, NETWORK, NetworkDeviceCreate)
    await _import(
        database,
        cipher,
        "name,host,uplink_device,uplink_port\n"
        "CAM-1,127.123.1.1,SW-MARKT,1\n"
        "CAM-2,127.123.1.2,SW-MARKT,Gi0/2\n"
        "CAM-3,127.123.1.3,,\n",
    )
    everything = CameraFilter(device_type=NETWORK_DEVICE_TYPES)
    async with database.unit_of_work() as session:
        page = await reading.network_device_page(session, everything, page=1, size=10, maintenance=set())
        listed = await reading.page_of(
            session, CameraFilter(), Window(size=10), maintenance=set(), now=datetime.now(UTC)
        )
        cameras = {c.name: (c.uplink_device, c.uplink_port) for c in listed.items}
        switches = await reading.network_device_page(
            session, CameraFilter(device_type=DeviceType.SWITCH), page=1, size=10, maintenance=set()
        )
    assert [(d.name, d.device_type, d.uplink_device, d.uplink_port, d.devices_behind) for d in page.items] == [
        ("MC-MARKT", DeviceType.MEDIA_CONVERTER, "RT-CORE", "ge-0/0/7", 1),
        ("RT-CORE", DeviceType.ROUTER, None, None, 1),
        ("SW-MARKT", DeviceType.SWITCH, "MC-MARKT", "2", 2),
        ("UPS-MARKT", DeviceType.UPS, None, None, 0),
    ]
    assert page.items[2].credentials.snmp_version == "2c"
    assert cameras == {"CAM-1": ("SW-MARKT", "1"), "CAM-2": ("SW-MARKT", "Gi0/2"), "CAM-3": (None, None)}
    assert [d.name for d in switches.items] == ["SW-MARKT"]


async def test_unknown_uplinks_and_loops_reject_the_whole_file_by_line(
    database: Database, cipher: CredentialCipher
) -> None:
    await _import(database, cipher, NETWORK, NetworkDeviceCreate)
    with pytest.raises(ImportRejected) as unknown:
        await _import(
            database,
            cipher,
            "name,host,uplink_device\nCAM-1,127.123.1.1,SW-MARKT\nCAM-2,127.123.1.2,SW-NOWHERE\n"
            "CAM-3,127.123.1.3,CAM-1\n",
        )
    assert [(p.line, p.column) for p in unknown.value.problems] == [(3, "uplink_device"), (4, "uplink_device")]
    assert "SW-NOWHERE" in unknown.value.problems[0].reason
    with pytest.raises(ImportRejected) as looped:
        await _import(
            database,
            cipher,
            "name,host,device_type,uplink_device\nSW-A,127.123.0.8,switch,SW-B\nSW-B,127.123.0.9,switch,SW-A\n"
            "SW-C,127.123.0.10,switch,RT-CORE\n",
            NetworkDeviceCreate,
        )
    assert [(p.line, p.column) for p in looped.value.problems] == [(2, "uplink_device"), (3, "uplink_device")]
    assert "SW-A → SW-B → SW-A" in looped.value.problems[0].reason
    with pytest.raises(ImportRejected) as bad:
        _rows("name,host,device_type\nSW-A,127.123.0.8,camera\nSW-B,127.123.0.9,switch\n", NetworkDeviceCreate)
    assert [(p.line, p.column) for p in bad.value.problems] == [(2, "device_type")]
    with pytest.raises(ImportRejected) as portless:
        _rows("name,host,uplink_port\nCAM-1,127.123.1.1,3\n")
    assert [(p.line, p.column) for p in portless.value.problems] == [(2, "uplink_port")]
    async with database.unit_of_work() as session:
        names = (await session.scalars(select(Camera.name).where(Camera.device_type == DeviceType.CAMERA))).all()
        assert names == [] and await service.get_by_name(session, "SW-A") is None


async def test_a_change_that_closes_a_loop_is_refused(database: Database, cipher: CredentialCipher) -> None:
    await _import(database, cipher, NETWORK, NetworkDeviceCreate)
    async with database.unit_of_work() as session:
        core = await service.get_by_name(session, "RT-CORE")
        assert core is not None
        with pytest.raises(InvalidInput, match="RT-CORE → SW-MARKT → MC-MARKT → RT-CORE"):
            await service.update(
                session,
                actor=TEST_ACTOR,
                camera=core,
                data=NetworkDeviceUpdate(uplink_device="SW-MARKT"),
                cipher=cipher,
            )
    with pytest.raises(InvalidInput, match="loop"):
        await _import(
            database,
            cipher,
            "name,host,device_type,uplink_device\nRT-CORE,127.123.0.1,router,SW-MARKT\n",
            NetworkDeviceCreate,
        )
    async with database.unit_of_work() as session:
        core = await service.get_by_name(session, "RT-CORE")
        ups = await service.get_by_name(session, "UPS-MARKT")
        assert core is not None and ups is not None and core.uplink_id is None
        await service.update(
            session,
            actor=TEST_ACTOR,
            camera=core,
            data=NetworkDeviceUpdate(uplink_device="UPS-MARKT", uplink_port="1", device_type="switch"),  # type: ignore[arg-type]
            cipher=cipher,
        )
        shaped = await reading.one_network_device(session, core.id, now=datetime.now(UTC))
    assert (shaped.device_type, shaped.uplink_device, shaped.uplink_port) == (DeviceType.SWITCH, "UPS-MARKT", "1")


async def test_a_device_others_hang_on_is_not_deleted_and_names_are_one_space(
    database: Database, cipher: CredentialCipher
) -> None:
    await _import(database, cipher, NETWORK, NetworkDeviceCreate)
    await _import(database, cipher, "name,host,uplink_device,uplink_port\nCAM-1,127.123.1.1,SW-MARKT,1\n")
    with pytest.raises(Conflict, match="switch"):
        await _import(database, cipher, "name,host\nSW-MARKT,127.123.1.9\n")
    async with database.unit_of_work() as session:
        switch = await service.get_by_name(session, "SW-MARKT")
        assert switch is not None
        with pytest.raises(Conflict, match="CAM-1"):
            await service.delete(session, actor=TEST_ACTOR, camera=switch)
        camera = await service.get_by_name(session, "CAM-1")
        assert camera is not None
        with pytest.raises(InvalidInput, match="no network device named 'CAM-1'"):
            await service.create(
                session,
                actor=TEST_ACTOR,
                data=CameraCreate(name="CAM-2", host="127.123.1.2", uplink_device="CAM-1"),
                cipher=cipher,
            )
        await service.update(
            session, actor=TEST_ACTOR, camera=camera, data=CameraUpdate(uplink_device=None), cipher=cipher
        )
        assert (camera.uplink_id, camera.uplink_port) == (None, None)
        await service.delete(session, actor=TEST_ACTOR, camera=switch)


async def test_network_devices_are_polled_like_devices_and_left_out_of_camera_reads(
    database: Database, cipher: CredentialCipher
) -> None:
    await _import(database, cipher, NETWORK, NetworkDeviceCreate)
    await _import(database, cipher, "name,host,uplink_device\nCAM-1,127.123.1.1,SW-MARKT\n")
    async with database.unit_of_work() as session:
        await ensure_check_states(session, now=datetime.now(UTC))
    async with database.unit_of_work() as session:
        states = (await session.execute(select(Camera.name, CheckState.kind).join(Camera))).all()
        facts = await camera_facts(session)
        switch = await service.get_by_name(session, "SW-MARKT")
        assert switch is not None
        with pytest.raises(NotFound, match="camera"):
            await service.get_or_raise(session, switch.id)
        camera = await service.get_by_name(session, "CAM-1")
        assert camera is not None
        with pytest.raises(NotFound, match="network device"):
            await reading.one_network_device(session, camera.id, now=datetime.now(UTC))
    kinds: dict[str, set[CheckKind]] = {}
    for name, kind in states:
        kinds.setdefault(name, set()).add(kind)
    assert kinds["SW-MARKT"] == {CheckKind.REACHABILITY, CheckKind.SNMP}
    assert kinds["MC-MARKT"] == {CheckKind.REACHABILITY}
    assert CheckKind.ONVIF_HEALTH in kinds["CAM-1"]
    assert [f.name for f in facts] == ["CAM-1"]
