"""Small builders for test data: one function per thing, overrides as keyword arguments."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fleet.audit.service import Actor
from fleet.cameras import importer
from fleet.cameras import service as cameras
from fleet.cameras.models import Camera
from fleet.cameras.schemas import CameraCreate, NetworkDeviceCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.users import service as users
from fleet.users.models import Role, User
from fleet.users.passwords import PasswordPolicy

TEST_ACTOR = Actor(name="test")
_numbers = itertools.count(1)


async def make_user(session: AsyncSession, role: Role, **overrides: Any) -> tuple[User, str]:
    """A user with the role and an API token for it."""
    username = overrides.pop("username", f"{role.value}-{next(_numbers)}")
    overrides.setdefault("policy", PasswordPolicy())
    user = await users.create_user(session, actor=TEST_ACTOR, username=username, role=role, **overrides)
    _row, token = await users.create_token(session, actor=TEST_ACTOR, user=user, name="test", expires_at=None)
    return user, token


async def make_camera(session: AsyncSession, cipher: CredentialCipher, **overrides: Any) -> Camera:
    """A registered camera; any import column can be overridden."""
    number = next(_numbers)
    fields: dict[str, Any] = {
        "name": f"CAM-{number:04d}",
        "host": f"127.60.{number // 250}.{number % 250 + 1}",
    }
    fields.update(overrides)
    return await cameras.create(session, actor=TEST_ACTOR, data=CameraCreate.model_validate(fields), cipher=cipher)


async def register_file(database: Database, cipher: CredentialCipher, path: Path) -> None:
    """Register the cameras of an import file (the simulator's fleet files are import files too), in one transaction."""
    async with database.unit_of_work() as session:
        rows = importer.read_camera_file(path)
        await cameras.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(rows), cipher=cipher)


async def make_network_device(session: AsyncSession, cipher: CredentialCipher, **overrides: Any) -> Camera:
    """A registered network device (a switch unless `device_type` says otherwise); any import column can be
    overridden."""
    number = next(_numbers)
    fields: dict[str, Any] = {"name": f"SW-{number:04d}", "host": f"127.61.{number // 250}.{number % 250 + 1}"}
    fields.setdefault("device_type", "switch")
    fields.update(overrides)
    return await cameras.create(
        session, actor=TEST_ACTOR, data=NetworkDeviceCreate.model_validate(fields), cipher=cipher
    )
