"""An RTSP server on loopback that answers like a Basic-only camera, or like a broken or hostile one."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from dataclasses import dataclass, field
from enum import StrEnum

from tests.peers.tcp import TcpListener

SDP = (
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=Media\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
    "m=video 0 RTP/AVP 97\r\na=rtpmap:97 H265/90000\r\na=x-dimensions:2560,1440\r\n"
)


class RtspBehaviour(StrEnum):
    """How the peer answers."""

    basic_only = "basic_only"  # a correct camera that only knows Basic authentication
    garbage = "garbage"
    hang = "hang"  # accepts, never answers
    huge_body = "huge_body"  # a DESCRIBE answer announcing 50 MB
    endless_header = "endless_header"  # header lines that never end
    slow_drip = "slow_drip"  # one byte every second
    no_video = "no_video"  # an SDP with audio only
    not_sdp = "not_sdp"
    server_error = "server_error"


@dataclass
class RtspPeer:
    behaviour: RtspBehaviour
    host: str
    port: int = 8554
    username: str = "viewer"
    password: str = "Basic-only-1"
    _listener: TcpListener = field(default_factory=TcpListener, repr=False)

    async def start(self) -> None:
        """Listen on host:port."""
        await self._listener.start(self._handle, self.host, self.port)

    async def stop(self) -> None:
        """Stop listening and drop every connection."""
        await self._listener.stop()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            method = head.split(" ", 1)[0]
            lines = (line.partition(":") for line in head.split("\r\n")[1:])
            headers = {key.strip().lower(): value.strip() for key, _, value in lines}
            cseq = headers.get("cseq", "0")
            if not await self._answer(writer, method, cseq, headers.get("authorization", "")):
                return
            await writer.drain()

    async def _answer(self, writer: asyncio.StreamWriter, method: str, cseq: str, authorization: str) -> bool:
        def reply(status: str, extra: str = "", body: str = "") -> None:
            length = f"Content-Length: {len(body)}\r\n" if body else ""
            writer.write(f"RTSP/1.0 {status}\r\nCSeq: {cseq}\r\n{extra}{length}\r\n{body}".encode("latin-1"))

        match self.behaviour:
            case RtspBehaviour.garbage:
                writer.write(bytes(range(256)) * 4 + b"\r\n\r\n")
            case RtspBehaviour.hang:
                await asyncio.sleep(3600)
            case RtspBehaviour.endless_header:
                writer.write(b"RTSP/1.0 200 OK\r\n")
                for n in range(100_000):
                    writer.write(f"X-Filler-{n}: {'y' * 60}\r\n".encode())
                    await writer.drain()
            case RtspBehaviour.slow_drip:
                for byte in b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n":
                    writer.write(bytes([byte]))
                    await writer.drain()
                    await asyncio.sleep(1)
            case RtspBehaviour.server_error:
                reply("500 Internal Server Error")
            case _ if method == "OPTIONS":
                reply("200 OK", "Public: OPTIONS, DESCRIBE\r\n")
            case RtspBehaviour.huge_body:
                writer.write(f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nContent-Length: {50 * 2**20}\r\n\r\n".encode())
                with contextlib.suppress(ConnectionError):
                    for _ in range(800):
                        writer.write(b"a=x\r\n" * 13_000)
                        await writer.drain()
            case RtspBehaviour.no_video:
                reply("200 OK", "Content-Type: application/sdp\r\n", SDP.split("m=video")[0])
            case RtspBehaviour.not_sdp:
                reply("200 OK", "Content-Type: text/html\r\n", "<html>login</html>")
            case RtspBehaviour.basic_only:
                expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
                if authorization != f"Basic {expected}":
                    reply("401 Unauthorized", 'WWW-Authenticate: Basic realm="cam"\r\n')
                else:
                    reply("200 OK", "Content-Type: application/sdp\r\n", SDP)
        return True
