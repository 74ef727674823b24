"""What a collector needs to reach cameras: addresses and ports, credentials decrypted for one poll only."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera
from fleet.cameras.service import with_credentials
from fleet.crypto import CredentialCipher


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
    for start in range(0, len(camera_ids), 1000):
        chunk = camera_ids[start : start + 1000]
        for camera in await session.scalars(with_credentials().where(Camera.id.in_(chunk))):
            creds = camera.credentials
            secrets: dict[str, str] = {}
            if creds is not None and camera.id in decrypt:
                secrets = cipher.decrypt(creds.ciphertext)
                used.append(camera.id)
            targets[camera.id] = PollTarget(
                camera_id=camera.id,
                name=camera.name,
                host=camera.host,
                onvif_port=camera.onvif_port,
                rtsp_port=camera.rtsp_port,
                snmp_port=camera.snmp_port,
                snmp_version=creds.snmp_version.value if creds is not None and creds.snmp_version else None,
                secrets=secrets,
                allow_basic=camera.allow_basic,
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
