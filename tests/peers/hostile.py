"""Hostile peers on loopback: HTTP servers and an SNMP agent that answer the way broken or
malicious cameras do (bombs, entities, garbage, error pages, hangs, drips, floods, resets)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import struct
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pyasn1.codec.ber import decoder, encoder
from pyasn1.error import PyAsn1Error
from pysnmp.proto import api

from tests.peers.onvif_replay import fault
from tests.peers.tcp import TcpListener

_V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
FIFTY_MB = 50 * 1024 * 1024

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>
<tds:GetSystemDateAndTimeResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl">&lol9;
</tds:GetSystemDateAndTimeResponse></env:Body></env:Envelope>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE env:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>
<tds:GetDeviceInformationResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl">
<tds:Manufacturer>&xxe;</tds:Manufacturer></tds:GetDeviceInformationResponse></env:Body></env:Envelope>"""

# External entities and an external DTD that point at a listener on loopback: a parser that
# resolved any of them would contact it (the "{recorder}" placeholder is its base URL).
EXTERNAL_ENTITY_HTTP = """<?xml version="1.0"?>
<!DOCTYPE env:Envelope SYSTEM "{recorder}/dtd" [
 <!ENTITY % remote SYSTEM "{recorder}/parameter-entity"> %remote;
 <!ENTITY xxe SYSTEM "{recorder}/entity">
]>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>
<tds:GetDeviceInformationResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl">
<tds:Manufacturer>&xxe;</tds:Manufacturer></tds:GetDeviceInformationResponse></env:Body></env:Envelope>"""

HTML_ERROR = b"<html><head><title>500 Internal Server Error</title></head><body><h1>Oops</h1></body></html>"


class HttpHostility(StrEnum):
    """How a hostile HTTP camera answers any request."""

    xml_bomb = "xml_bomb"
    external_entity = "external_entity"
    garbage = "garbage"
    not_http = "not_http"
    html_500 = "html_500"
    hang = "hang"
    slow_drip = "slow_drip"
    huge_content_length = "huge_content_length"
    huge_chunked = "huge_chunked"
    reset = "reset"
    close = "close"
    not_authorized = "not_authorized"
    # Entities and a DTD that would make the parser fetch from the recorder.
    external_entity_http = "external_entity_http"
    # A redirect to the recorder: following it would let a camera send us to any host.
    redirect = "redirect"
    # 401 with a fresh Digest challenge on every request, however we authenticate.
    unauthorized_loop = "unauthorized_loop"


def _response(status: str, body: bytes, content_type: str = "application/soap+xml; charset=utf-8") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"Connection: close\r\n\r\n" + body


async def _read_request(reader: asyncio.StreamReader) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    await reader.readexactly(length)


@dataclass
class HostileHttpCamera:
    """An HTTP server on host:port that answers every request with one hostility."""

    hostility: HttpHostility
    host: str
    port: int = 8080
    # Base URL of a Recorder, for the hostilities that point the client elsewhere.
    recorder: str = "http://127.0.0.1:9"
    _listener: TcpListener = field(default_factory=TcpListener, repr=False)

    async def start(self) -> None:
        """Listen on host:port."""
        await self._listener.start(self._handle, self.host, self.port)

    async def stop(self) -> None:
        """Stop listening and drop every connection."""
        await self._listener.stop()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        await self._misbehave(writer)

    async def _misbehave(self, writer: asyncio.StreamWriter) -> None:
        match self.hostility:
            case HttpHostility.xml_bomb:
                writer.write(_response("200 OK", BILLION_LAUGHS))
            case HttpHostility.external_entity:
                writer.write(_response("200 OK", EXTERNAL_ENTITY))
            case HttpHostility.garbage:
                writer.write(_response("200 OK", bytes(range(256)) * 8))
            case HttpHostility.not_http:
                writer.write(b"\x00\x01\x02 this is not HTTP at all \xff\xfe\r\n\r\n")
            case HttpHostility.html_500:
                writer.write(_response("500 Internal Server Error", HTML_ERROR, "text/html"))
            case HttpHostility.not_authorized:
                refusal = fault("ter:NotAuthorized", "Sender not Authorized")
                writer.write(_response("400 Bad Request", refusal))
            case HttpHostility.external_entity_http:
                writer.write(_response("200 OK", EXTERNAL_ENTITY_HTTP.format(recorder=self.recorder).encode()))
            case HttpHostility.redirect:
                location = f"{self.recorder}/onvif/device_service"
                writer.write(
                    f"HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\n"
                    "Connection: close\r\n\r\n".encode()
                )
            case HttpHostility.unauthorized_loop:
                nonce = os.urandom(8).hex()
                writer.write(
                    f'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="cam", qop="auth", '
                    f'nonce="{nonce}"\r\nContent-Type: text/html\r\nContent-Length: {len(HTML_ERROR)}\r\n'
                    "Connection: close\r\n\r\n".encode()
                    + HTML_ERROR
                )
            case HttpHostility.hang:
                await asyncio.sleep(3600)
            case HttpHostility.slow_drip:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 4000\r\n\r\n")
                for _ in range(4000):
                    writer.write(b"<")
                    await writer.drain()
                    await asyncio.sleep(2)
            case HttpHostility.huge_content_length:
                writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {FIFTY_MB}\r\n\r\n".encode())
                await self._flood(writer, chunked=False)
            case HttpHostility.huge_chunked:
                writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                await self._flood(writer, chunked=True)
            case HttpHostility.reset:
                # SO_LINGER with a zero timeout turns the close in _handle into a TCP RST.
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            case HttpHostility.close:
                pass
        with contextlib.suppress(ConnectionError):
            await writer.drain()

    @staticmethod
    async def _flood(writer: asyncio.StreamWriter, *, chunked: bool) -> None:
        block = b"<a>" + b"x" * (64 * 1024 - 7) + b"</a>"
        for _ in range(FIFTY_MB // len(block)):
            writer.write(f"{len(block):x}\r\n".encode() + block + b"\r\n" if chunked else block)
            await writer.drain()


@dataclass
class Recorder:
    """A TCP listener on host:port that records every connection made to it (and the first line sent)."""

    host: str
    port: int = 8081
    contacts: list[bytes] = field(default_factory=list)
    _server: asyncio.Server | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """Its base URL."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Listen on host:port."""
        self._server = await asyncio.start_server(self._handle, self.host, self.port)

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            self.contacts.append(await asyncio.wait_for(reader.readline(), 1.0))
        except (TimeoutError, ConnectionError):
            self.contacts.append(b"")
        finally:
            writer.transport.abort()


class SnmpHostility(StrEnum):
    """How a hostile SNMP agent answers any GET."""

    garbage = "garbage"
    oversized = "oversized"
    wrong_community = "wrong_community"
    silent = "silent"
    # A correct answer under another request-id: an answer to somebody else's question.
    wrong_request_id = "wrong_request_id"
    # A correct answer cut off in the middle of its BER encoding.
    truncated = "truncated"
    # A correct answer sent from another address: a host forging answers for a camera.
    other_address = "other_address"


class _HostileAgent(asyncio.DatagramProtocol):
    def __init__(self, hostility: SnmpHostility, sender: asyncio.DatagramTransport | None) -> None:
        self.hostility = hostility
        self.sender = sender
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        answer = self._answer(data)
        sender = self.sender or self.transport
        if answer is not None and sender is not None:
            sender.sendto(answer, addr)

    def _answer(self, data: bytes) -> bytes | None:
        if self.hostility is SnmpHostility.silent:
            return None
        if self.hostility is SnmpHostility.garbage:
            return b"this is not SNMP" * 4
        try:
            request, _ = decoder.decode(data, asn1Spec=_V2C.Message())
        except PyAsn1Error:
            # Not a v2c request (SNMPv3): answer as a v2c agent would, for a request nobody sent.
            request = _v2c_request(b"public", 1)
        community = bytes(_V2C.apiMessage.get_community(request))
        request_pdu = _V2C.apiMessage.get_pdu(request)
        size = 2000 if self.hostility is SnmpHostility.oversized else 10
        response_pdu = _V2C.apiPDU.get_response(request_pdu)
        if self.hostility is SnmpHostility.wrong_request_id:
            _V2C.apiPDU.set_request_id(response_pdu, int(_V2C.apiPDU.get_request_id(request_pdu)) ^ 0x5A5A)
        _V2C.apiPDU.set_varbinds(
            response_pdu,
            [(oid, _V2C.OctetString(b"A" * size)) for oid, _ in _V2C.apiPDU.get_varbinds(request_pdu)],
        )
        response = _V2C.Message()
        _V2C.apiMessage.set_defaults(response)
        wrong = self.hostility is SnmpHostility.wrong_community
        _V2C.apiMessage.set_community(response, b"not-" + community if wrong else community)
        _V2C.apiMessage.set_pdu(response, response_pdu)
        encoded = bytes(encoder.encode(response))
        return encoded[: len(encoded) // 2] if self.hostility is SnmpHostility.truncated else encoded


def _v2c_request(community: bytes, request_id: int) -> Any:
    pdu = _V2C.GetRequestPDU()
    _V2C.apiPDU.set_defaults(pdu)
    _V2C.apiPDU.set_request_id(pdu, request_id)
    _V2C.apiPDU.set_varbinds(pdu, [("1.3.6.1.2.1.1.1.0", _V2C.Null(""))])
    message = _V2C.Message()
    _V2C.apiMessage.set_defaults(message)
    _V2C.apiMessage.set_community(message, community)
    _V2C.apiMessage.set_pdu(message, pdu)
    return message


@dataclass
class HostileSnmpAgent:
    """A UDP agent on host:port that answers every GET with one hostility."""

    hostility: SnmpHostility
    host: str
    port: int = 1161
    _transports: list[asyncio.BaseTransport] = field(default_factory=list, repr=False)

    async def start(self) -> None:
        """Listen on host:port (and for other_address, answer from host's neighbour .+100)."""
        loop = asyncio.get_running_loop()
        sender: asyncio.DatagramTransport | None = None
        if self.hostility is SnmpHostility.other_address:
            prefix, last = self.host.rsplit(".", 1)
            sender, _ = await loop.create_datagram_endpoint(
                asyncio.DatagramProtocol, local_addr=(f"{prefix}.{int(last) + 100}", self.port)
            )
            self._transports.append(sender)
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _HostileAgent(self.hostility, sender), local_addr=(self.host, self.port)
        )
        self._transports.append(transport)

    async def stop(self) -> None:
        """Stop listening."""
        for transport in self._transports:
            transport.close()
