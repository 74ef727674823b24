"""What a collector needs to reach cameras: addresses and ports, credentials decrypted for one poll only."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.audit.service import Actor, record
from fleet.cameras.models import NETWORK_DEVICE_TYPES, Camera, CameraCredentials, DeviceType
from fleet.crypto import CredentialCipher
from fleet.db import chunks


@dataclass(frozen=True, slots=True)
class PollTarget:
    """What a collector needs to reach a camera, credentials decrypted for this poll only."""

    camera_id: int
    name: str
    host: str
    onvif_port: int
    rtsp_port: int
    snmp_port: int
    snmp_version: str | None
    secrets: dict[str, str] = field(repr=False)
    # Whether a Basic challenge over plain HTTP/RTSP may be answered (the password in clear).
    allow_basic: bool = False
    # A recorder (its SNMP check reads the disk table too).
    recorder: bool = False
    # A network device (its SNMP check walks its ports, PoE and UPS battery too).
    network_device: bool = False


async def poll_targets(
    session: AsyncSession,
    camera_ids: Sequence[int],
    *,
    decrypt: Set[int],
    cipher: CredentialCipher,
    actor: Actor,
) -> dict[int, PollTarget]:
    """Targets for the cameras; credentials are decrypted only for ``decrypt``, and one audit entry says so."""
    targets: dict[int, PollTarget] = {}
    used: list[int] = []
    # Columns, not ORM objects: a collector asks for hundreds of cameras a batch and changes none of them.
    query = select(
        Camera.id,
        Camera.name,
        Camera.host,
        Camera.onvif_port,
        Camera.rtsp_port,
        Camera.snmp_port,
        Camera.allow_basic,
        Camera.device_type,
        CameraCredentials.snmp_version,
        CameraCredentials.ciphertext,
    ).outerjoin(CameraCredentials, CameraCredentials.camera_id == Camera.id)
    for chunk in chunks(camera_ids, 1000):
        for row in await session.execute(query.where(Camera.id.in_(chunk))):
            secrets: dict[str, str] = {}
            if row.ciphertext is not None and row.id in decrypt:
                secrets = cipher.decrypt(row.ciphertext)
                used.append(row.id)
            targets[row.id] = PollTarget(
                camera_id=row.id,
                name=row.name,
                host=row.host,
                onvif_port=row.onvif_port,
                rtsp_port=row.rtsp_port,
                snmp_port=row.snmp_port,
                snmp_version=row.snmp_version.value if row.snmp_version else None,
                secrets=secrets,
                allow_basic=row.allow_basic,
                recorder=row.device_type is DeviceType.RECORDER,
                network_device=row.device_type in NETWORK_DEVICE_TYPES,
            )
    if used:
        await record(
            session,
            actor=actor,
            action="credential.use",
            target_type="camera",
            after={"purpose": "poll", "camera_ids": sorted(used)},
        )
    return targets
