"""The raw baseline: the poll's device work in plain asyncio sockets, without aiohttp, zeep or pysnmp's engine.

Reachability is two TCP connects; the clock is an HTTP/1.1 POST of GetSystemDateAndTime parsed with lxml; SNMP is
one v2c GET of two OIDs from one UDP socket, encoded with the collectors' encoder and read with their BER reader
(`collectors.ber`).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from lxml import etree

from _fleet import CLOCK_BODY, CLOCK_CONTENT_TYPE, ONVIF_PORT, RTSP_PORT, SNMP_PORT, BenchCamera
from _rounds import Bench, Round, bounded
from collectors import ber
from collectors.snmp_wire import encode_get

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_UTC_PATH = "{*}Body/{*}GetSystemDateAndTimeResponse/{*}SystemDateAndTime/{*}UTCDateTime"


class _WholeAnswer(asyncio.Protocol):
    """Send one request, collect the answer until the server closes (we ask for Connection: close)."""

    def __init__(self, request: bytes, answer: asyncio.Future[bytes]) -> None:
        self._request = request
        self._answer = answer
        self._chunks: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        self._chunks.append(data)

    def eof_received(self) -> bool:
        if not self._answer.done():
            self._answer.set_result(b"".join(self._chunks))
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._answer.done():
            self._answer.set_exception(exc or ConnectionResetError("closed before the answer"))


async def raw_clock(cam: BenchCamera) -> bool:
    """TCP connect, HTTP/1.1 POST of GetSystemDateAndTime, lxml parse of the UTC time in the answer."""
    request = (
        f"POST /onvif/device_service HTTP/1.1\r\nHost: {cam.host}:{ONVIF_PORT}\r\n"
        f"Content-Type: {CLOCK_CONTENT_TYPE}\r\nAccept-Encoding: identity\r\n"
        f"Content-Length: {len(CLOCK_BODY)}\r\nConnection: close\r\n\r\n"
    ).encode("latin-1") + CLOCK_BODY
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[bytes] = loop.create_future()
    transport, _ = await loop.create_connection(lambda: _WholeAnswer(request, answer), cam.host, ONVIF_PORT)
    try:
        data = await answer
    finally:
        answer.cancel()  # so a connection lost after a cancellation leaves no unretrieved error
        transport.abort()
    head, _, body = data.partition(b"\r\n\r\n")
    if head.split(b" ", 2)[1] != b"200":
        return False
    utc = etree.fromstring(body, _XML_PARSER).find(_UTC_PATH)
    if utc is None:
        return False
    date, clock = utc.find("{*}Date"), utc.find("{*}Time")
    if date is None or clock is None:
        return False
    year, month, day = (int(date.findtext(f"{{*}}{name}") or 0) for name in ("Year", "Month", "Day"))
    hour, minute, second = (int(clock.findtext(f"{{*}}{name}") or 0) for name in ("Hour", "Minute", "Second"))
    datetime(year, month, day, hour, minute, second, tzinfo=UTC)  # raises ValueError on a nonsense clock
    return True


async def raw_reachability(cam: BenchCamera) -> bool:
    """TCP connect to the ONVIF and RTSP ports at once; ok when the ONVIF port accepts."""
    loop = asyncio.get_running_loop()

    async def connect(port: int) -> bool:
        try:
            transport, _ = await loop.create_connection(asyncio.Protocol, cam.host, port)
        except OSError:
            return False
        transport.abort()
        return True

    onvif_open, _ = await asyncio.gather(connect(ONVIF_PORT), connect(RTSP_PORT))
    return onvif_open


class RawSnmp(asyncio.DatagramProtocol):
    """Plain v2c GETs of sysUpTime.0 and sysObjectID.0 from one UDP socket; replies matched by source address."""

    OIDS = ("1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.2.0")
    # One request id for every GET: replies are matched by source address, as each camera has its own.
    REQUEST_ID = 0x0080_0000

    def __init__(self, attempt_timeout: float) -> None:
        self.attempt_timeout = attempt_timeout
        self.lost = 0
        self.bad = 0
        self._requests: dict[bytes, bytes] = {}
        self._waiting: dict[tuple[str, int], tuple[bytes, asyncio.Future[bool]]] = {}
        self._transport: asyncio.DatagramTransport | None = None

    @classmethod
    async def open(cls, attempt_timeout: float) -> RawSnmp:
        """Bind one loopback UDP socket with a receive buffer large enough for a full window of replies."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        client = cls(attempt_timeout)
        await asyncio.get_running_loop().create_datagram_endpoint(lambda: client, sock=sock)
        return client

    def close(self) -> None:
        """Close the socket."""
        if self._transport is not None:
            self._transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def request_for(self, community: str) -> bytes:
        """The GET datagram for a community, encoded once with the collectors' encoder."""
        key = community.encode()
        if key not in self._requests:
            self._requests[key] = encode_get(key, self.OIDS, self.REQUEST_ID)
        return self._requests[key]

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        waiting = self._waiting.pop((str(addr[0]), int(addr[1])), None)
        if waiting is None or waiting[1].done():
            return
        community, future = waiting
        try:
            message = ber.read_message(data)
            ok = message.community == community and message.pdu_tag == ber.GET_RESPONSE and not message.error_status
        except ber.BerError:
            ok = False
        self.bad += not ok
        future.set_result(ok)

    async def get(self, cam: BenchCamera) -> bool:
        """One GET with one retry, as the collector does; each attempt that times out counts as lost."""
        assert self._transport is not None
        address = (cam.host, SNMP_PORT)
        datagram = self.request_for(cam.community)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting[address] = (cam.community.encode(), future)
        try:
            for _ in range(2):
                self._transport.sendto(datagram, address)
                done, _ = await asyncio.wait((future,), timeout=self.attempt_timeout)
                if done:
                    return future.result()
                self.lost += 1
            return False
        finally:
            self._waiting.pop(address, None)


async def baseline_round(bench: Bench, name: str, parts: Sequence[str]) -> Round:
    """The same device work in plain asyncio: `reach`, `clock` (SOAP POST) and/or `snmp` per camera."""
    # The collector's SNMP attempt time-out: half the device time-out, one retry.
    snmp = await RawSnmp.open(attempt_timeout=bench.device_timeout / 2)

    async def guarded(kind: str, call: Awaitable[bool]) -> bool | str:
        try:
            return True if await call else f"raw_{kind}:refused"
        except (OSError, ValueError, IndexError, etree.XMLSyntaxError) as exc:
            return f"raw_{kind}:{type(exc).__name__}"

    def job(kind: str, cam: BenchCamera) -> Callable[[], Awaitable[bool | str]]:
        calls: dict[str, Callable[[], Awaitable[bool]]] = {
            "reach": lambda: raw_reachability(cam),
            "clock": lambda: raw_clock(cam),
            "snmp": lambda: snmp.get(cam),
        }
        return lambda: guarded(kind, calls[kind]())

    async def run() -> list[bool | str]:
        return await bounded([job(kind, cam) for cam in bench.fleet for kind in parts], bench.concurrency)

    try:
        measured = await bench.measure(name, run, len(bench.fleet))
    finally:
        snmp.close()
    if "snmp" in parts:
        measured.snmp_lost = snmp.lost
        print(f"{'':<42} SNMP lost replies (attempts that timed out): {snmp.lost}; unusable replies: {snmp.bad}")
    return measured
