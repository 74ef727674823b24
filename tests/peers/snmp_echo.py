"""A fast SNMP v2c agent for load tests: answers every GET at once with fixed MIB-II values."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field

from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api, rfc1902

_V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
_VALUES = {
    "1.3.6.1.2.1.1.1.0": rfc1902.OctetString(b"echo agent"),
    "1.3.6.1.2.1.1.2.0": rfc1902.ObjectIdentifier("1.3.6.1.4.1.368.1"),
    "1.3.6.1.2.1.1.3.0": rfc1902.TimeTicks(12345),
    "1.3.6.1.2.1.1.5.0": rfc1902.OctetString(b"echo"),
    "1.3.6.1.2.1.2.2.1.8.1": rfc1902.Integer(1),
    "1.3.6.1.2.1.2.2.1.14.1": rfc1902.Counter32(7),
}


class _Echo(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.answered = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        request, _ = decoder.decode(data, asn1Spec=_V2C.Message())
        request_pdu = _V2C.apiMessage.get_pdu(request)
        response_pdu = _V2C.apiPDU.get_response(request_pdu)
        _V2C.apiPDU.set_varbinds(
            response_pdu,
            [(oid, _VALUES.get(str(oid), _V2C.Null(""))) for oid, _ in _V2C.apiPDU.get_varbinds(request_pdu)],
        )
        _V2C.apiMessage.set_pdu(request, response_pdu)
        if self.transport is not None:
            self.transport.sendto(encoder.encode(request), addr)
            self.answered += 1


@dataclass
class EchoSnmpAgent:
    """Answers on host:port; its receive buffer is large so the agent itself drops nothing."""

    host: str
    port: int = 1161
    _transport: asyncio.BaseTransport | None = field(default=None, repr=False)
    _protocol: _Echo | None = field(default=None, repr=False)

    @property
    def answered(self) -> int:
        """How many GETs were answered."""
        return self._protocol.answered if self._protocol is not None else 0

    async def start(self) -> None:
        """Listen on host:port."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
        sock.bind((self.host, self.port))
        self._transport, self._protocol = await asyncio.get_running_loop().create_datagram_endpoint(_Echo, sock=sock)

    async def stop(self) -> None:
        """Stop listening."""
        if self._transport is not None:
            self._transport.close()
