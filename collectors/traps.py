"""SNMP traps received (pysnmp's notification receiver): who sent one, under which community, and which trap.

pysnmp checks the community (or, for v3, the USM user); this module hands each accepted trap on as a small
dataclass with the sender's address and the community it came under, and never touches the database.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pyasn1.codec.ber import decoder
from pyasn1.error import PyAsn1Error
from pysnmp.carrier.asyncio.dgram import udp, udp6
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import ntfrcv
from pysnmp.proto import api, rfc1902
from pysnmp.proto.mpmod.rfc3412 import SNMPv3Message
from pysnmp.proto.secmod.rfc3414.service import UsmSecurityParameters

log = logging.getLogger(__name__)

_SNMP_TRAP_OID = (1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0)
_IF_INDEX = (1, 3, 6, 1, 2, 1, 2, 2, 1, 1)  # IF-MIB ifIndex, the first varbind of linkDown and linkUp
# SNMPv2-MIB's generic traps (RFC 3418): the names camfleet acts on or counts.
GENERIC_TRAPS: dict[tuple[int, ...], str] = {
    (1, 3, 6, 1, 6, 3, 1, 1, 5, 1): "coldStart",
    (1, 3, 6, 1, 6, 3, 1, 1, 5, 2): "warmStart",
    (1, 3, 6, 1, 6, 3, 1, 1, 5, 3): "linkDown",
    (1, 3, 6, 1, 6, 3, 1, 1, 5, 4): "linkUp",
    (1, 3, 6, 1, 6, 3, 1, 1, 5, 5): "authenticationFailure",
}


_AUTH = {"md5": config.USM_AUTH_HMAC96_MD5, "sha": config.USM_AUTH_HMAC96_SHA}
_PRIV = {"des": config.USM_PRIV_CBC56_DES, "aes": config.USM_PRIV_CFB128_AES}


@dataclass(frozen=True, slots=True)
class Trap:
    """One trap: the sender's address, the v2c community or the v3 user it came under, and its name
    (``snmp:coldStart``, or ``snmp:`` and the dotted trap OID for one camfleet has no name for)."""

    source: str
    community: str | None
    topic: str
    user: str | None = None
    # linkDown and linkUp (RFC 2863): the ifIndex of the port whose link changed.
    if_index: int | None = None


@dataclass(frozen=True, slots=True)
class V3User:
    """The SNMPv3 USM user a camera sends its traps as (authPriv); keys are left out of the repr."""

    user: str
    auth_key: str = field(repr=False)
    priv_key: str = field(repr=False)
    auth_protocol: str = "sha"
    priv_protocol: str = "aes"


def v3_sender(datagram: bytes) -> tuple[bytes, bytes] | None:
    """The authoritative engine id and user name of an SNMPv3 message (both in clear), or None."""
    try:
        if int(api.decodeMessageVersion(datagram)) != 3:
            return None
        message, _ = decoder.decode(datagram, asn1Spec=SNMPv3Message())
        params, _ = decoder.decode(message["msgSecurityParameters"].asOctets(), asn1Spec=UsmSecurityParameters())
        return params["msgAuthoritativeEngineId"].asOctets(), params["msgUserName"].asOctets()
    except (PyAsn1Error, ValueError, KeyError, TypeError):
        return None


class _Seen:
    """Shows each datagram to ``seen`` before pysnmp's transport reads it (a v3 sender's engine id is learnt there)."""

    seen: Callable[[str, bytes], None] | None = None

    def datagram_received(self, datagram: bytes, transportAddress: Any) -> None:  # noqa: N803 (pysnmp's name)
        if self.seen is not None:
            self.seen(str(transportAddress[0]), datagram)
        super().datagram_received(datagram, transportAddress)  # type: ignore[misc]


class _Udp(_Seen, udp.UdpAsyncioTransport):  # type: ignore[misc]
    """pysnmp's UDP transport over IPv4, showing each datagram first."""


class _Udp6(_Seen, udp6.Udp6AsyncioTransport):  # type: ignore[misc]
    """pysnmp's UDP transport over IPv6, showing each datagram first."""


def _if_index(varbinds: Any) -> int | None:
    """The port a linkDown or linkUp names: its ifIndex.N varbind (the index is the OID's last arc)."""
    for oid, _ in varbinds:
        arcs = tuple(oid)
        if len(arcs) == len(_IF_INDEX) + 1 and arcs[: len(_IF_INDEX)] == _IF_INDEX and 0 < arcs[-1] < 2**31:
            return int(arcs[-1])
    return None


def trap_topic(trap_oid: tuple[int, ...] | None) -> str:
    """The topic a trap is counted under."""
    if trap_oid is None:
        return "snmp:unknown"
    return f"snmp:{GENERIC_TRAPS.get(trap_oid) or '.'.join(map(str, trap_oid))}"


class TrapReceiver:
    """Listens on one UDP address for v2c traps under the communities it is given."""

    def __init__(self, host: str, port: int, on_trap: Callable[[Trap], None]) -> None:
        self._address = (host, port)
        self._on_trap = on_trap
        self._engine = engine.SnmpEngine()
        self._communities: dict[str, str] = {}  # pysnmp's community index -> community
        self._receiver: ntfrcv.NotificationReceiver | None = None
        # SNMPv3: the user each sender address may send as, and the engine ids learnt from its traps. A v3 trap's
        # sender is its authoritative engine: its user is registered with that engine id on its first trap, so
        # pysnmp then checks the trap's digest and decrypts it with that camera's keys.
        self._v3: dict[str, V3User] = {}
        self._engines: set[tuple[str, bytes]] = set()

    def start(self) -> None:
        """Open the UDP socket (OSError at once when the address is taken or not ours)."""
        # Bound here, not by pysnmp (which binds in a task later): an error is the caller's at once, and traps that
        # come before the loop turns wait in the socket's buffer.
        six = ":" in self._address[0]
        sock = socket.socket(socket.AF_INET6 if six else socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind(self._address)
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        transport = _Udp6() if six else _Udp()
        transport.seen = self._seen
        domain = udp6.DOMAIN_NAME if six else udp.DOMAIN_NAME
        config.add_transport(self._engine, domain, transport.open_server_mode(sock=sock))
        self._receiver = ntfrcv.NotificationReceiver(self._engine, self._received)

    def accept(self, communities: Iterable[str]) -> None:
        """Accept traps under these communities too (one registration each, however many cameras share one)."""
        known = set(self._communities.values())
        for community in sorted(set(communities) - known):
            index = f"camfleet-{len(self._communities)}"
            config.add_v1_system(self._engine, index, community)
            self._communities[index] = community

    def accept_v3(self, users: Mapping[str, V3User]) -> None:
        """Accept v3 traps from these addresses as these users (the address a camera's host stands for)."""
        self._v3 = dict(users)

    def _seen(self, source: str, datagram: bytes) -> None:
        user = self._v3.get(source)
        sender = v3_sender(datagram) if user is not None else None
        if user is None or sender is None or sender[1] != user.user.encode():
            return
        engine_id = sender[0]
        if (user.user, engine_id) in self._engines or not 5 <= len(engine_id) <= 32:
            return
        config.add_v3_user(
            self._engine,
            user.user,
            _AUTH.get(user.auth_protocol, config.USM_AUTH_HMAC96_SHA),
            user.auth_key,
            _PRIV.get(user.priv_protocol, config.USM_PRIV_CFB128_AES),
            user.priv_key,
            securityEngineId=rfc1902.OctetString(engine_id),
        )
        self._engines.add((user.user, engine_id))

    def close(self) -> None:
        """Close the socket."""
        if self._receiver is not None:
            self._receiver.close(self._engine)
        self._engine.close_dispatcher()

    def _received(self, snmp_engine: Any, state: Any, context_id: Any, context: Any, varbinds: Any, cb: Any) -> None:
        where = snmp_engine.observer.get_execution_context("rfc3412.receiveMessage:request")
        address, name = where.get("transportAddress"), str(where.get("securityName", ""))
        if address is None:
            return
        v3 = int(where.get("securityModel", 0)) == 3
        community = None if v3 else self._communities.get(name)
        if not v3 and community is None:
            return
        trap_oid = next((tuple(value) for oid, value in varbinds if tuple(oid) == _SNMP_TRAP_OID), None)
        try:
            trap = Trap(str(address[0]), community, trap_topic(trap_oid), name if v3 else None, _if_index(varbinds))
            self._on_trap(trap)
        except Exception:  # a receiver callback must never take the dispatcher down
            log.exception("trap from %s could not be handled", address[0])
