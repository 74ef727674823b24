"""Camera registry: list, read, create, change, delete, upsert; credentials encrypted at rest."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from config.networks import IpNetwork
from fleet.audit.service import Actor, record
from fleet.cameras import network_types, recorders, uplinks
from fleet.cameras.models import (
    NETWORK_DEVICE_TYPES,
    Camera,
    CameraCredentials,
    DeviceType,
)
from fleet.cameras.networks import check_host
from fleet.cameras.schemas import (
    CREDENTIAL_FIELDS,
    CameraCreate,
    CameraCredentialsIn,
    CameraUpdate,
    DeviceUpdate,
    NetworkDeviceCreate,
    NetworkDeviceUpdate,
    RecorderCreate,
    RecorderUpdate,
    check_retention,
    check_service_days,
)
from fleet.crypto import CredentialCipher
from fleet.db import chunks, utcnow
from fleet.errors import Conflict, InvalidInput, NotFound
from fleet.uptime import rollup

Networks = Sequence[IpNetwork]  # cameras.allowed_networks; empty: anywhere
# The registry columns an audit entry shows (a camera's recorder and uplink as the row holds them).
REGISTRY_FIELDS = tuple(
    sorted(
        (CameraCreate.model_fields.keys() - CameraCredentialsIn.model_fields.keys() - {"recorder", "uplink_device"})
        | {"recorded_by", "recorder_id", "uplink_id", "device_type"}
    )
)
DeviceCreate = CameraCreate | RecorderCreate | NetworkDeviceCreate
# Each device type's partial change.
_NETWORK_UPDATES: dict[DeviceType, type[DeviceUpdate]] = dict.fromkeys(NETWORK_DEVICE_TYPES, NetworkDeviceUpdate)
UPDATES: dict[DeviceType, type[DeviceUpdate]] = {
    DeviceType.CAMERA: CameraUpdate,
    DeviceType.RECORDER: RecorderUpdate,
    **_NETWORK_UPDATES,
}


def family(device_type: DeviceType) -> frozenset[DeviceType]:
    """The device types one list, page and import hold together: a camera's, a recorder's, or the network's."""
    return NETWORK_DEVICE_TYPES if device_type in NETWORK_DEVICE_TYPES else frozenset({device_type})


def _snapshot(camera: Camera) -> dict[str, Any]:
    return {name: getattr(camera, name) for name in REGISTRY_FIELDS}


def with_credentials() -> Select[Camera]:
    """A device query that loads each device's credentials, a camera's recorder and the uplink with it."""
    return select(Camera).options(
        selectinload(Camera.credentials), selectinload(Camera.recorder), selectinload(Camera.uplink)
    )


async def get(session: AsyncSession, camera_id: int) -> Camera | None:
    """The camera with that id, or None."""
    found: Camera | None = await session.scalar(with_credentials().where(Camera.id == camera_id))
    return found


async def get_or_raise(session: AsyncSession, camera_id: int, device_type: DeviceType = DeviceType.CAMERA) -> Camera:
    """The camera (or device of that type's family: any network device for a switch) with that id; NotFound
    otherwise."""
    camera = await get(session, camera_id)
    if camera is None or camera.device_type not in family(device_type):
        noun = "network device" if device_type in NETWORK_DEVICE_TYPES else device_type.value
        raise NotFound(noun, camera_id)
    return camera


async def get_by_name(session: AsyncSession, name: str) -> Camera | None:
    """The camera with that name, or None."""
    found: Camera | None = await session.scalar(with_credentials().where(Camera.name == name))
    return found


def _store_credentials(camera: Camera, creds: CameraCredentialsIn, cipher: CredentialCipher) -> bool:
    """Replace the camera's credentials; returns whether they changed."""
    secrets = creds.secrets()
    current = camera.credentials
    if not secrets and creds.snmp_version is None:
        camera.credentials = None
        return current is not None
    before = cipher.decrypt(current.ciphertext) if current is not None else None
    if current is not None and current.snmp_version == creds.snmp_version and before == secrets:
        return False
    login = (secrets.get("username"), secrets.get("password"))
    same_login = before is not None and (before.get("username"), before.get("password")) == login
    camera.credentials = CameraCredentials(
        has_onvif=creds.username is not None,
        snmp_version=creds.snmp_version,
        ciphertext=cipher.encrypt(secrets),
        password_fingerprint=cipher.fingerprint(login[1]) if login[1] else None,
        password_changed_at=current.password_changed_at if same_login and current is not None else utcnow(),
    )
    return True


async def _ensure_unique_name(session: AsyncSession, name: str, except_id: int | None = None) -> None:
    # Cameras and recorders share one name space: a fault, ticket or poll names its device by it.
    query = select(Camera.device_type).where(Camera.name == name)
    if except_id is not None:
        query = query.where(Camera.id != except_id)
    found = await session.scalar(query)
    if found is not None:
        raise Conflict(f"a {found.value} named {name} already exists")


async def create(
    session: AsyncSession, *, actor: Actor, data: DeviceCreate, cipher: CredentialCipher, networks: Networks = ()
) -> Camera:
    """Add a camera or recorder to the registry; its host must lie in ``networks`` (cameras.allowed_networks)."""
    await check_host(data.host, networks)
    await _ensure_unique_name(session, data.name)
    fields = data.registry_fields()
    if "recorder" in fields:
        fields.update(await recorders.resolve(session, fields.pop("recorder")))
    fields.update(await uplinks.resolve(session, None, fields.pop("uplink_device"), fields.pop("uplink_port")))
    camera = Camera(**fields, device_type=data.device_type, credentials=None)
    _store_credentials(camera, data.credentials(), cipher)
    session.add(camera)
    await session.flush()
    await network_types.note(session, camera, actor=actor)
    await record(
        session,
        actor=actor,
        action=f"{data.device_type.value}.create",
        target_type=data.device_type.value,
        target_id=camera.id,
        after={**_snapshot(camera), **_credential_audit(data.credentials())},
    )
    return camera


def _credential_audit(creds: CameraCredentialsIn) -> dict[str, Any]:
    # Which credential fields were set; audit.redact hides their values.
    return {name: value for name in CREDENTIAL_FIELDS if (value := getattr(creds, name)) is not None}


async def update(
    session: AsyncSession,
    *,
    actor: Actor,
    camera: Camera,
    data: DeviceUpdate,
    cipher: CredentialCipher,
    networks: Networks = (),
) -> bool:
    """Change the fields that were sent; returns whether anything changed. A new host must lie in ``networks``."""
    changes = data.model_dump(exclude_unset=True, exclude={"credentials"})
    if "recorder" in changes:
        changes.update(await recorders.resolve(session, changes.pop("recorder")))
    if "uplink_device" in changes:
        uplink = changes.pop("uplink_device")
        port = changes.pop("uplink_port", camera.uplink_port if uplink is not None else None)
        changes.update(await uplinks.resolve(session, camera, uplink, port))
    elif changes.get("uplink_port") is not None and camera.uplink_id is None:
        raise InvalidInput("uplink_port", "a port needs its uplink_device")
    check_retention(
        changes.get("retention_min_days", camera.retention_min_days),
        changes.get("retention_max_days", camera.retention_max_days),
    )
    if "host" in changes and changes["host"] != camera.host:
        await check_host(changes["host"], networks)
    latitude = changes.get("latitude", camera.latitude)
    longitude = changes.get("longitude", camera.longitude)
    if (latitude is None) != (longitude is None):
        raise InvalidInput("latitude", "latitude and longitude go together; give both or neither")
    check_service_days(changes.get("installed_on", camera.installed_on), changes.get("retired_on", camera.retired_on))
    if "name" in changes and changes["name"] != camera.name:
        await _ensure_unique_name(session, changes["name"], except_id=camera.id)
    before = _snapshot(camera)
    for name, value in changes.items():
        setattr(camera, name, value)
    after = {k: v for k, v in _snapshot(camera).items() if before[k] != v}
    if data.credentials is not None and _store_credentials(camera, data.credentials, cipher):
        after.update(_credential_audit(data.credentials) or {"credentials": "removed"})
    if not after:
        return False
    if "network" in after:
        await network_types.note(session, camera, actor=actor)
    await session.flush()
    # The recorder and uplink loaded with the device name the old ones: loaded again when next read.
    session.expire(camera, ["recorder", "uplink"])
    await rollup.camera_changed(session, camera, {k: before[k] for k in after if k in before})
    await record(
        session,
        actor=actor,
        action=f"{camera.device_type.value}.update",
        target_type=camera.device_type.value,
        target_id=camera.id,
        before={k: before[k] for k in after if k in before},
        after=after,
    )
    return True


async def delete(session: AsyncSession, *, actor: Actor, camera: Camera) -> None:
    """Remove a device and its credentials from the registry; not a recorder cameras still name, nor a network
    device others hang on."""
    await recorders.ensure_unrecorded(session, camera)
    await uplinks.ensure_nothing_behind(session, camera)
    await record(
        session,
        actor=actor,
        action=f"{camera.device_type.value}.delete",
        target_type=camera.device_type.value,
        target_id=camera.id,
        before=_snapshot(camera),
    )
    await session.delete(camera)
    await session.flush()


@dataclass
class UpsertResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


async def upsert_many(
    session: AsyncSession,
    *,
    actor: Actor,
    rows: Iterable[tuple[DeviceCreate, frozenset[str]]],
    cipher: CredentialCipher,
    progress: Callable[[int], None] | None = None,
    networks: Networks = (),
) -> UpsertResult:
    """Create or update cameras (or recorders) by name; each row brings the columns its file had.

    A name held by a device of the other type is a conflict, not a change of type.
    """
    batch = list(rows)
    names = [data.name for data, _ in batch]
    existing: dict[str, Camera] = {}
    for chunk in chunks(names):
        found = await session.scalars(with_credentials().where(Camera.name.in_(chunk)))
        existing.update({camera.name: camera for camera in found})
    result = UpsertResult()
    for done, (data, columns) in enumerate(batch, start=1):
        camera = existing.get(data.name)
        if camera is not None and camera.device_type not in family(data.device_type):
            raise Conflict(f"{data.name} is a {camera.device_type.value} in the registry, not a {data.noun}")
        if camera is None:
            await create(session, actor=actor, data=data, cipher=cipher, networks=networks)
            result.created.append(data.name)
        else:
            fields = {k: v for k, v in data.model_dump().items() if k in columns - set(CREDENTIAL_FIELDS) - {"name"}}
            change = UPDATES[data.device_type].model_validate(fields)
            if columns & set(CameraCredentialsIn.model_fields):
                change.credentials = data.credentials()
            if await update(session, actor=actor, camera=camera, data=change, cipher=cipher, networks=networks):
                result.updated.append(data.name)
            else:
                result.unchanged.append(data.name)
        if progress is not None:
            progress(done)
    return result
