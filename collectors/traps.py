"""SNMP traps received (pysnmp's notification receiver): who sent one, under which community, and which trap.

pysnmp checks the community (or, for v3, the USM user); this module hands each accepted trap on as a small
dataclass with the sender's address and the community it came under, and never touches the database.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pysnmp.carrier.asyncio.dgram import udp, udp6
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import ntfrcv

log = logging.getLogger(__name__)

_SNMP_TRAP_OID = (1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0)
# SNMPv2-MIB's generic traps (RFC 3418): the names camfleet acts on or counts.
GENERIC_TRAPS: dict[tuple[int, ...], str] = {
    (1, 3, 6, 1, 6, 3, 1, 1, 5, 1): "coldStart",
    (1, 3, 6, 1, 6, 3, 1, 1, 5, 2): "warmStart",
    (1, 3, 6, 1, 6, 3, 1, 1, 5, 3): "linkDown",
    (1, 3, 6, 1, 6, 3, 1, 1, 5, 4): "linkUp",
    (1, 3, 6, 1, 6, 3, 1, 1, 5, 5): "authenticationFailure",
}


@dataclass(frozen=True, slots=True)
class Trap:
    """One trap: the sender's address, the community it came under, and its name (``snmp:coldStart``, or
    ``snmp:`` and the dotted trap OID for one camfleet has no name for)."""

    source: str
    community: str
    topic: str


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
        if six:
            config.add_transport(
                self._engine, udp6.DOMAIN_NAME, udp6.Udp6AsyncioTransport().open_server_mode(sock=sock)
            )
        else:
            config.add_transport(self._engine, udp.DOMAIN_NAME, udp.UdpAsyncioTransport().open_server_mode(sock=sock))
        self._receiver = ntfrcv.NotificationReceiver(self._engine, self._received)

    def accept(self, communities: Iterable[str]) -> None:
        """Accept traps under these communities too (one registration each, however many cameras share one)."""
        known = set(self._communities.values())
        for community in sorted(set(communities) - known):
            index = f"camfleet-{len(self._communities)}"
            config.add_v1_system(self._engine, index, community)
            self._communities[index] = community

    def close(self) -> None:
        """Close the socket."""
        if self._receiver is not None:
            self._receiver.close(self._engine)
        self._engine.close_dispatcher()

    def _received(self, snmp_engine: Any, state: Any, context_id: Any, context: Any, varbinds: Any, cb: Any) -> None:
        where = snmp_engine.observer.get_execution_context("rfc3412.receiveMessage:request")
        address, index = where.get("transportAddress"), str(where.get("securityName", ""))
        community = self._communities.get(index)
        if address is None or community is None:
            return
        trap_oid = next((tuple(value) for oid, value in varbinds if tuple(oid) == _SNMP_TRAP_OID), None)
        try:
            self._on_trap(Trap(str(address[0]), community, trap_topic(trap_oid)))
        except Exception:  # a receiver callback must never take the dispatcher down
            log.exception("trap from %s could not be handled", address[0])
