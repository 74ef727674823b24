"""Hostile SNMP table agents: they answer GETNEXT/GETBULK with loops, steps backwards or a table without end."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import Any

from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api, rfc1902

_V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
# Every row these agents serve is ifDescr.N, whatever is asked.
IF_DESCR = (1, 3, 6, 1, 2, 1, 2, 2, 1, 2)


class TableHostility(StrEnum):
    """How the agent answers a walk."""

    loop = "loop"  # the OID asked for, again: a walk that never moves
    backwards = "backwards"  # one row, then an OID before it
    endless = "endless"  # a table that never ends, each row a little after the last
    fat = "fat"  # every value 1,000 bytes: the walk's byte bound


class _Agent(asyncio.DatagramProtocol):
    def __init__(self, hostility: TableHostility) -> None:
        self.hostility = hostility
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        request, _ = decoder.decode(data, asn1Spec=_V2C.Message())
        pdu = _V2C.apiMessage.get_pdu(request)
        cursors = [tuple(oid) for oid, _ in _V2C.apiPDU.get_varbinds(pdu)]
        answers: list[tuple[tuple[int, ...], Any]] = []
        for _ in range(8):
            row = [self._next(oid) for oid in cursors]
            answers += row
            cursors = [oid for oid, _ in row]
        response = _V2C.apiPDU.get_response(pdu)
        _V2C.apiPDU.set_varbinds(response, answers)
        _V2C.apiMessage.set_pdu(request, response)
        if self.transport is not None:
            self.transport.sendto(encoder.encode(request), addr)

    def _next(self, oid: tuple[int, ...]) -> tuple[tuple[int, ...], Any]:
        row = oid[len(IF_DESCR)] if len(oid) > len(IF_DESCR) else 0
        if self.hostility is TableHostility.loop:
            return oid, rfc1902.Integer32(1)
        if self.hostility is TableHostility.backwards:
            return (*IF_DESCR, 5 if row == 0 else row - 1), rfc1902.Integer32(1)
        value = rfc1902.OctetString(b"x" * 1000) if self.hostility is TableHostility.fat else rfc1902.Integer32(1)
        return (*IF_DESCR, row + 1), value


class HostileTableAgent:
    """One hostile v2c table agent on host:port (any community)."""

    def __init__(self, hostility: TableHostility, host: str, port: int = 1161) -> None:
        self.hostility, self.host, self.port = hostility, host, port
        self._transport: asyncio.BaseTransport | None = None

    async def start(self) -> None:
        """Listen."""
        self._transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: _Agent(self.hostility), local_addr=(self.host, self.port)
        )

    async def stop(self) -> None:
        """Stop listening."""
        if self._transport is not None:
            self._transport.close()
