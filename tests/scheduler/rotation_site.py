"""What the password-rotation tests share: simulated cameras from fleet rows, the same cameras registered, and what
is stored of their logins."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from collectors import Collectors, Target
from fleet.cameras import importer
from fleet.cameras import service as cameras
from fleet.cameras.models import Camera, CameraCredentials
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.passwords.models import PasswordRotation
from scheduler.rotation import run_pending
from simulator.fleet import SimulatedFleet
from tests.builders import TEST_ACTOR

HEADER = "name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,username,password"


@asynccontextmanager
async def simulated(csv: Path, rows: Sequence[str]) -> AsyncIterator[SimulatedFleet]:
    """The fleet file of these rows (after the header), its cameras running."""
    csv.write_text("\n".join([HEADER, *rows]) + "\n")
    async with SimulatedFleet.from_csv(csv, snapshot_size=(320, 180)) as fleet:
        yield fleet


async def register(database: Database, cipher: CredentialCipher, csv: Path) -> dict[str, int]:
    """Import the fleet file; camera ids by name."""
    async with database.unit_of_work() as session:
        rows = importer.read_camera_file(csv)
        await cameras.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(rows), cipher=cipher)
        return {c.name: c.id for c in await session.scalars(select(Camera))}


async def stored(database: Database, cipher: CredentialCipher) -> dict[int, str]:
    """Each camera's stored password."""
    async with database.unit_of_work() as session:
        return {
            c.camera_id: cipher.decrypt(c.ciphertext)["password"]
            for c in await session.scalars(select(CameraCredentials))
        }


def target(fleet: SimulatedFleet, camera_id: int, name: str) -> Target:
    """The collectors' view of a simulated camera."""
    spec = fleet.camera(name).device.spec
    return Target(camera_id, name, spec.host, spec.onvif_port, spec.rtsp_port, spec.snmp_port)


async def rotate(
    database: Database, cipher: CredentialCipher, collectors: Collectors, run_id: int | None = None
) -> PasswordRotation | None:
    """Carry out a pending run (that one, or the oldest) as a collector named test would."""
    return await run_pending(
        database, cipher, collectors.account_transports, owner="test", lease=timedelta(minutes=2), run_id=run_id
    )
