"""A street of the registry for the discovery tests: a router, a switch behind it, four cameras on its ports."""

from __future__ import annotations

from sqlalchemy import select, update

from fleet.cameras import importer, service, uplinks
from fleet.cameras.models import Camera
from fleet.cameras.schemas import CameraCreate, NetworkDeviceCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from tests.builders import TEST_ACTOR

# MAC addresses by number under an Axis OUI (low risk) and a Hikvision one (high).
AXIS = {n: f"00:40:8c:00:01:{n:02x}" for n in range(1, 64)}
HIKVISION = {n: f"44:19:b6:00:02:{n:02x}" for n in range(1, 64)}

NETWORK = (
    "name,host,device_type,uplink_device,uplink_port,snmp_community\n"
    "RT-STRAAT,127.136.0.1,router,,,public\n"
    "SW-STRAAT,127.136.0.2,switch,RT-STRAAT,1,public\n"
)
CAMERAS = "name,host,uplink_device,uplink_port\n" + "".join(
    f"CAM-{n},127.136.1.{n},SW-STRAAT,{n}\n" for n in range(1, 5)
)


async def _import(database: Database, cipher: CredentialCipher, text: str, model: type) -> None:
    header, rows = importer.read_csv(text.encode(), importer.known_columns(model))
    valid = importer.validate_rows(header, rows, model)
    async with database.unit_of_work() as session:
        await uplinks.check_names(session, importer.uplink_names(valid), network_devices=model is NetworkDeviceCreate)
        await service.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(valid), cipher=cipher)


async def import_devices(database: Database, cipher: CredentialCipher, network: str, cameras: str) -> None:
    """Import network devices, then cameras, from CSV text as `camfleet ... import` does."""
    await _import(database, cipher, network, NetworkDeviceCreate)
    await _import(database, cipher, cameras, CameraCreate)


async def register_street(database: Database, cipher: CredentialCipher) -> dict[str, int]:
    """Register the street (CAM-n observed with MAC AXIS[n]; the switch's trunk learns AXIS[30], the router's);
    the ids by name."""
    await import_devices(database, cipher, NETWORK, CAMERAS)
    async with database.unit_of_work() as session:
        for n in range(1, 5):
            await session.execute(update(Camera).where(Camera.name == f"CAM-{n}").values(observed_mac=AXIS[n]))
        await session.execute(update(Camera).where(Camera.name == "RT-STRAAT").values(observed_mac=AXIS[30]))
        return {name: id_ for id_, name in await session.execute(select(Camera.id, Camera.name))}
