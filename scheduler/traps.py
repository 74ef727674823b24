"""SNMP traps between polls (``camfleet collector --traps HOST:PORT``): each one matched to a camera of this
collector's poller group by its source address and its community (v2c) or user (v3, whose engine id the receiver
learns from the camera's first trap), and handed to the event listener as evidence.

coldStart and warmStart make the identity check run now (the camera restarted). linkDown and linkUp from a network
device carry the port's ifIndex: the checks of the devices behind that port, and the device's own SNMP check (which
reads the port), run now.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from sqlalchemy import select

from collectors.traps import Trap, TrapReceiver, V3User
from fleet import metrics
from fleet.audit.service import Actor
from fleet.cameras.models import Camera, CameraCredentials, SnmpVersion
from fleet.cameras.targets import poll_targets
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.events.service import Received
from fleet.health.claims import polled_cameras
from scheduler.events import EventListener

log = logging.getLogger(__name__)


class TrapListener:
    """The cameras a trap may come from (address and community, kept current) and what to do with one."""

    def __init__(
        self,
        database: Database,
        cipher: CredentialCipher,
        receiver_address: tuple[str, int],
        events: EventListener,
        *,
        owner: str,
        poller_group: str | None,
    ) -> None:
        self.database = database
        self.cipher = cipher
        self.events = events
        self.poller_group = poller_group
        self.receiver = TrapReceiver(*receiver_address, self.on_trap)
        self._actor = Actor.system(f"collector:{owner}")
        # camera id -> (when its row last changed, its addresses, its v2c community or v3 user)
        self._cameras: dict[int, tuple[datetime, frozenset[str], str | V3User]] = {}

    async def refresh(self) -> None:
        """Learn the SNMP cameras of this collector's group; credentials are decrypted only for new or changed
        ones."""
        query = (
            select(Camera.id, Camera.updated_at)
            .join(CameraCredentials, CameraCredentials.camera_id == Camera.id)
            .where(polled_cameras(self.poller_group, None), CameraCredentials.snmp_version.is_not(None))
        )
        async with self.database.unit_of_work() as session:
            rows: dict[int, datetime] = {camera_id: at for camera_id, at in await session.execute(query)}
            changed = [i for i, at in rows.items() if i not in self._cameras or self._cameras[i][0] != at]
            targets = (
                await poll_targets(session, changed, decrypt=set(changed), cipher=self.cipher, actor=self._actor)
                if changed
                else {}
            )
        for camera_id in set(self._cameras) - set(rows):
            del self._cameras[camera_id]
        for camera_id, target in targets.items():
            secrets = target.secrets
            login: str | V3User = secrets.get("snmp_community") or "public"
            if target.snmp_version == SnmpVersion.V3:
                login = V3User(
                    secrets.get("snmp_user", ""), secrets.get("snmp_auth_key", ""), secrets.get("snmp_priv_key", "")
                )
            self._cameras[camera_id] = (rows[camera_id], await _addresses(target.host), login)
        self.receiver.accept(login for _, _, login in self._cameras.values() if isinstance(login, str))
        self.receiver.accept_v3(
            {
                address: login
                for _, addresses, login in self._cameras.values()
                if isinstance(login, V3User)
                for address in addresses
            }
        )

    def on_trap(self, trap: Trap) -> None:
        """Hand a trap to the event listener when it comes from a known camera under that camera's community."""
        for camera_id, (_, addresses, login) in self._cameras.items():
            if trap.source in addresses and _same(trap, login):
                # A link trap's source is its port's ifIndex: the devices behind that port are checked now.
                port = str(trap.if_index) if trap.if_index is not None else None
                self.events.hear(Received(camera_id, trap.topic, port, None, datetime.now(UTC)))
                return
        metrics.EVENTS.labels(evidence="none", outcome="unmatched").inc()
        log.debug("trap %s from %s matches no camera of this collector", trap.topic, trap.source)


def _same(trap: Trap, login: str | V3User) -> bool:
    """Whether the trap came under the camera's own community, or as its own v3 user."""
    if isinstance(login, V3User):
        return trap.user is not None and hmac.compare_digest(trap.user, login.user)
    return trap.community is not None and hmac.compare_digest(trap.community, login)


async def _addresses(host: str) -> frozenset[str]:
    """The addresses a camera's host stands for (a name is resolved once, when the camera is learnt)."""
    try:
        return frozenset({str(ipaddress.ip_address(host))})
    except ValueError:
        pass
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None, proto=socket.IPPROTO_UDP)
        return frozenset(str(info[4][0]) for info in found)
    except OSError:
        return frozenset()


@contextlib.asynccontextmanager
async def receiving_traps(
    database: Database,
    cipher: CredentialCipher,
    address: tuple[str, int],
    events: EventListener,
    *,
    owner: str,
    poller_group: str | None,
) -> AsyncIterator[TrapListener]:
    """Traps received on ``address`` for the block."""
    listener = TrapListener(database, cipher, address, events, owner=owner, poller_group=poller_group)
    listener.receiver.start()
    try:
        await listener.refresh()
        yield listener
    finally:
        listener.receiver.close()
