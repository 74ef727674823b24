"""A camera on loopback that asks for Basic only (snapshot over HTTP, RTSP DESCRIBE) or refuses every ONVIF login, and
records every byte it receives, so a test can assert which secrets ever reached it."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field

from tests.peers.rtsp_peer import SDP
from tests.peers.tcp import TcpListener

_NOT_AUTHORIZED = (
    '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:ter="http://www.onvif.org/ver10/error"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode>'
    '<s:Value>ter:NotAuthorized</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">Sender not '
    "Authorized</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"
)


@dataclass
class BasicOnlyCamera:
    """HTTP on ``http_port`` (``GET /snap.jpg``; ``POST`` to any path answers an ONVIF NotAuthorized fault) and RTSP on
    ``rtsp_port``; a correct Basic login gets the picture or the SDP. ``received`` is everything sent to it."""

    host: str
    jpeg: bytes
    username: str = "root"
    password: str = "Basic-Klartext-9"
    http_port: int = 8080
    rtsp_port: int = 8554
    received: bytearray = field(default_factory=bytearray)
    _http: TcpListener = field(default_factory=TcpListener, repr=False)
    _rtsp: TcpListener = field(default_factory=TcpListener, repr=False)

    @property
    def basic(self) -> str:
        """The Authorization value a correct Basic login sends."""
        return "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()

    async def start(self) -> None:
        """Listen on both ports."""
        await self._http.start(self._serve_http, self.host, self.http_port)
        await self._rtsp.start(self._serve_rtsp, self.host, self.rtsp_port)

    async def stop(self) -> None:
        """Stop listening and drop every connection."""
        await self._http.stop()
        await self._rtsp.stop()

    async def _head(self, reader: asyncio.StreamReader) -> tuple[str, dict[str, str]]:
        raw = await reader.readuntil(b"\r\n\r\n")
        self.received += raw
        request_line, *lines = raw.decode("latin-1").split("\r\n")
        headers = {key.strip().lower(): value.strip() for key, sep, value in (ln.partition(":") for ln in lines) if sep}
        length = int(headers.get("content-length", "0") or 0)
        if length:
            self.received += await reader.readexactly(length)
        return request_line, headers

    async def _serve_http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request_line, headers = await self._head(reader)
            if request_line.startswith("POST "):
                body = _NOT_AUTHORIZED.encode()
                status, extra = "400 Bad Request", "Content-Type: application/soap+xml; charset=utf-8\r\n"
            elif headers.get("authorization") == self.basic:
                body, status, extra = self.jpeg, "200 OK", "Content-Type: image/jpeg\r\n"
            else:
                body, status, extra = b"Unauthorized", "401 Unauthorized", 'WWW-Authenticate: Basic realm="cam"\r\n'
            writer.write(f"HTTP/1.1 {status}\r\n{extra}Content-Length: {len(body)}\r\n\r\n".encode() + body)
            await writer.drain()

    async def _serve_rtsp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request_line, headers = await self._head(reader)
            cseq = headers.get("cseq", "0")
            if request_line.startswith("OPTIONS "):
                answer = f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n"
            elif headers.get("authorization") == self.basic:
                answer = (
                    f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nContent-Type: application/sdp\r\n"
                    f"Content-Length: {len(SDP)}\r\n\r\n{SDP}"
                )
            else:
                answer = f'RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\nWWW-Authenticate: Basic realm="cam"\r\n\r\n'
            writer.write(answer.encode("latin-1"))
            await writer.drain()
