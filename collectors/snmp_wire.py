"""A lean SNMP v2c GET and GETBULK client, hardened for hostile networks and cheap enough for a fleet.

Why not pysnmp's SnmpDispatcher: it matches answers by request-id alone (any host can answer
for any camera), never checks the community, lets a malformed datagram raise inside the event
loop, checks time-outs on a 0.5 s timer, and uses one socket whose default receive buffer
overflows at about 200 answers in flight. Here every answer must come from the address asked,
carry the community sent and read cleanly, and requests spread over as many sockets as the
receive buffers need, so no answer is lost at full concurrency and no caller waits for a slot.

The request is built once per (community, OIDs) by pysnmp's v1arch protocol layer and only its
request-id is patched per call; answers are read by collectors.ber (pyasn1 costs ≈1 ms each).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
import socket
from dataclasses import dataclass, field
from typing import cast

from pyasn1.codec.ber import encoder
from pysnmp.proto import api

from collectors.ber import GET_RESPONSE, BerError, Value, read_message, tlv
from collectors.errors import BadResponse, CollectorError, Timeout, Unreachable

log = logging.getLogger(__name__)

_V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
_V2C_VERSION = 1
_WANTED_RCVBUF = 4 * 1024 * 1024
# Budget per answer waiting in the kernel queue: the payload plus the socket-buffer overhead
# (skb truesize) of one datagram, rounded up generously.
_BYTES_PER_ANSWER = 4096
# A GET of a dozen scalars answers in well under 2 KiB; more than this is not an answer we want. A GETBULK answer
# carries up to max-repetitions rows of a table: no limit of its own but UDP's (65,507 bytes, which the kernel
# enforces), and the walk bounds the whole table (collectors.snmp_walk.WalkLimits).
MAX_DATAGRAM = 8192
# Request-ids in this range always encode in four bytes, so the template can be patched in place.
_LOWEST_ID, _HIGHEST_ID = 0x0080_0000, 0x7FFF_FFFF

Address = tuple[str, int]
VarBinds = list[tuple[str, Value]]


@functools.lru_cache(maxsize=512)
def _template(community: bytes, oids: tuple[str, ...], max_repetitions: int | None = None) -> tuple[bytes, int]:
    """Return an encoded GetRequest (or GetBulkRequest with max_repetitions) and the offset of its four request-id
    bytes."""
    if max_repetitions is None:
        pdu = _V2C.GetRequestPDU()
        _V2C.apiPDU.set_defaults(pdu)
    else:
        pdu = _V2C.GetBulkRequestPDU()
        _V2C.apiBulkPDU.set_defaults(pdu)
        _V2C.apiBulkPDU.set_non_repeaters(pdu, 0)
        _V2C.apiBulkPDU.set_max_repetitions(pdu, max_repetitions)
    _V2C.apiPDU.set_request_id(pdu, _HIGHEST_ID)
    _V2C.apiPDU.set_varbinds(pdu, [(oid, _V2C.Null("")) for oid in oids])
    message = _V2C.Message()
    _V2C.apiMessage.set_defaults(message)
    _V2C.apiMessage.set_community(message, community)
    _V2C.apiMessage.set_pdu(message, pdu)
    encoded = bytes(encoder.encode(message))
    _, start, end = tlv(encoded, 0, len(encoded))
    for _ in range(2):  # skip version and community
        _, _, start = tlv(encoded, start, end)
    _, pdu_start, pdu_end = tlv(encoded, start, end)
    _, id_start, id_end = tlv(encoded, pdu_start, pdu_end)
    assert id_end - id_start == 4
    return encoded, id_start


def encode_get(community: bytes, oids: tuple[str, ...], request_id: int, max_repetitions: int | None = None) -> bytes:
    """Return a v2c GetRequest datagram for oids with request_id (a GetBulkRequest with max_repetitions)."""
    encoded, offset = _template(community, oids, max_repetitions)
    return encoded[:offset] + request_id.to_bytes(4, "big") + encoded[offset + 4 :]


@dataclass
class _Pending:
    address: Address
    community: bytes
    datagram: bytes
    timeout: float
    retries_left: int
    max_size: int | None
    future: asyncio.Future[VarBinds] = field(repr=False)
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)


class _Channel(asyncio.DatagramProtocol):
    """One UDP socket and the requests waiting on it."""

    def __init__(self, window: int) -> None:
        self.window = window
        self.pending: dict[int, _Pending] = {}
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def send(self, request_id: int, request: _Pending) -> None:
        """Send (or resend) a request and arm its retry timer."""
        if self.transport is None or self.transport.is_closing():
            self.fail([request_id], Unreachable("SNMP socket is closed"))
            return
        self.transport.sendto(request.datagram, request.address)
        request.timer = asyncio.get_running_loop().call_later(request.timeout, self._expired, request_id)

    def _expired(self, request_id: int) -> None:
        request = self.pending.get(request_id)
        if request is None:
            return
        if request.retries_left > 0:
            request.retries_left -= 1
            self.send(request_id, request)
        else:
            self.fail([request_id], Timeout("no SNMP answer"))

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable arrives here without saying which request it belongs to; the
        # affected request simply times out.
        log.debug("SNMP socket error: %s", exc)

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        address = (str(addr[0]), int(str(addr[1])))
        try:
            message = read_message(data)
        except BerError:
            self._fail_address(address, BadResponse("SNMP answer is not a valid v2c message"))
            return
        request = self.pending.get(message.request_id)
        if request is None or request.address != address:
            # A late answer to a retried request, or a host answering for another: not ours.
            log.debug("SNMP answer from %s:%d for an unknown request, dropped", *address)
            return
        del self.pending[message.request_id]
        if request.timer is not None:
            request.timer.cancel()
        if request.max_size is not None and len(data) > request.max_size:
            request.future.set_exception(BadResponse(f"SNMP answer of {len(data)} bytes is over the limit"))
        elif message.community != request.community or message.version != _V2C_VERSION:
            request.future.set_exception(BadResponse("SNMP answer carries a different community or version"))
        elif message.pdu_tag != GET_RESPONSE:
            request.future.set_exception(BadResponse("SNMP answer is not a Response PDU"))
        elif message.error_status:
            # A v2c agent reports per-value absence in the values; a whole-PDU error means none.
            log.debug("SNMP error-status %d from %s:%d", message.error_status, *address)
            request.future.set_result([])
        else:
            request.future.set_result(message.varbinds)

    def _fail_address(self, address: Address, error: CollectorError) -> None:
        """Fail the requests waiting on address: the host answered, with something unusable."""
        waiting = [request_id for request_id, request in self.pending.items() if request.address == address]
        if not waiting:
            log.debug("SNMP datagram from %s:%d that nobody asked for, dropped", *address)
        self.fail(waiting, error)

    def fail(self, request_ids: list[int], error: CollectorError) -> None:
        """End the given requests with error."""
        for request_id in request_ids:
            request = self.pending.pop(request_id, None)
            if request is None:
                continue
            if request.timer is not None:
                request.timer.cancel()
            if not request.future.done():
                request.future.set_exception(error)


class SnmpV2cClient:
    """Send v2c GETs over a pool of UDP sockets sized so that no answer is lost."""

    def __init__(self, receive_buffer: int = _WANTED_RCVBUF) -> None:
        self._receive_buffer = receive_buffer
        self._channels: list[_Channel] = []

    async def _open_channel(self) -> _Channel:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._receive_buffer)
        # The kernel caps the buffer at net.core.rmem_max; size the window from what we got.
        granted = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        sock.bind(("0.0.0.0", 0))
        sock.setblocking(False)
        channel = _Channel(window=max(8, granted // _BYTES_PER_ANSWER))
        await asyncio.get_running_loop().create_datagram_endpoint(lambda: channel, sock=sock)
        self._channels.append(channel)
        log.debug("SNMP socket opened: receive buffer %d bytes, window %d", granted, channel.window)
        return channel

    async def _channel(self) -> _Channel:
        for channel in self._channels:
            if len(channel.pending) < channel.window:
                return channel
        return await self._open_channel()

    @property
    def sockets(self) -> int:
        """How many UDP sockets are open."""
        return len(self._channels)

    async def get(
        self, address: Address, community: str, oids: tuple[str, ...], timeout: float, retries: int
    ) -> VarBinds:
        """GET oids from address; raise Timeout, BadResponse or Unreachable."""
        return await self._request(address, community, oids, timeout, retries, None)

    async def bulk(
        self,
        address: Address,
        community: str,
        oids: tuple[str, ...],
        max_repetitions: int,
        timeout: float,
        retries: int,
    ) -> VarBinds:
        """GETBULK (no non-repeaters) from address: up to max_repetitions successors of each OID, row by row."""
        return await self._request(address, community, oids, timeout, retries, max_repetitions)

    async def _request(
        self,
        address: Address,
        community: str,
        oids: tuple[str, ...],
        timeout: float,
        retries: int,
        max_repetitions: int | None,
    ) -> VarBinds:
        channel = await self._channel()
        encoded_community = community.encode()
        # An unpredictable request-id, so another host cannot forge an answer for this camera.
        request_id = _LOWEST_ID + secrets.randbelow(_HIGHEST_ID - _LOWEST_ID)
        while request_id in channel.pending:
            request_id = _LOWEST_ID + secrets.randbelow(_HIGHEST_ID - _LOWEST_ID)
        future: asyncio.Future[VarBinds] = asyncio.get_running_loop().create_future()
        datagram = encode_get(encoded_community, oids, request_id, max_repetitions)
        max_size = MAX_DATAGRAM if max_repetitions is None else None
        request = _Pending(address, encoded_community, datagram, timeout, retries, max_size, future)
        channel.pending[request_id] = request
        channel.send(request_id, request)
        try:
            return await future
        finally:
            if channel.pending.pop(request_id, None) is not None and request.timer is not None:
                request.timer.cancel()

    def close(self) -> None:
        """Close every socket; requests still waiting end with Unreachable."""
        for channel in self._channels:
            channel.fail(list(channel.pending), Unreachable("SNMP client closed"))
            if channel.transport is not None:
                channel.transport.close()
        self._channels.clear()
