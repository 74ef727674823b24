"""RTSP responder: OPTIONS and DESCRIBE with an SDP naming codec and resolution; no media is ever sent."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import zlib
from dataclasses import replace
from urllib.parse import urlsplit

from simulator import httpauth
from simulator.device import Device, Stream
from simulator.sps import PROFILE_LEVEL_ID, h265_sprop, sprop_parameter_sets

_SERVER = "Rtsp Server/3.0"
_PUBLIC = "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER"
_MAX_HEADER = 16 * 1024


def sdp(device: Device, stream: Stream, host: str) -> str:
    """Session description for one stream."""
    ident = device.identity
    payload = "H264" if stream.codec == "H264" else "H265"
    if stream.codec == "H264":
        sprop = sprop_parameter_sets(stream.width, stream.height)
        fmtp = f"packetization-mode=1;profile-level-id={PROFILE_LEVEL_ID};sprop-parameter-sets={sprop}"
    else:
        fmtp = f"profile-id=1;{h265_sprop(stream.width, stream.height)}"
    lines = (
        "v=0",
        f"o=- {zlib.crc32(device.spec.name.encode())} 1 IN IP4 {host}",
        "s=Media Presentation",
        f"i={ident.manufacturer} {ident.model}",
        "c=IN IP4 0.0.0.0",
        "t=0 0",
        "a=control:*",
        "a=range:npt=now-",
        "m=video 0 RTP/AVP 96",
        f"b=AS:{stream.bitrate_kbps}",
        f"a=rtpmap:96 {payload}/90000",
        f"a=fmtp:96 {fmtp}",
        f"a=framesize:96 {stream.width}-{stream.height}",
        f"a=x-dimensions:{stream.width},{stream.height}",
        f"a=framerate:{stream.frame_rate}",
        "a=control:trackID=1",
    )
    return "\r\n".join(lines) + "\r\n"


class RtspServer:
    """Listens on the camera's RTSP port while the camera is online and its streaming service is up."""

    def __init__(self, device: Device, host: str, port: int, tls: ssl.SSLContext | None = None) -> None:
        self.device = device
        self.host = host
        self.port = port
        # Set: RTSP over TLS (RTSPS) from the first byte.
        self.tls = tls
        self._listener: asyncio.Server | None = None
        self._clients: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        """Open the listening socket."""
        if self._listener is None:
            # Kept before serving starts: a start cancelled at its last step must not leave an unknown socket bound.
            self._listener = await asyncio.start_server(
                self._serve, self.host, self.port, reuse_address=True, ssl=self.tls, start_serving=False
            )
            await self._listener.start_serving()

    async def stop(self) -> None:
        """Close the socket and drop open sessions."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        for writer in list(self._clients):
            writer.transport.abort()
        self._clients.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._clients.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                if len(head) > _MAX_HEADER:
                    return
                request_line, *header_lines = head.decode("latin-1").split("\r\n")
                headers = {}
                for line in header_lines:
                    key, sep, value = line.partition(":")
                    if sep:
                        headers[key.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                if length > _MAX_HEADER:
                    return
                if length:
                    await reader.readexactly(length)
                await self.device.delay()
                writer.write(self._answer(request_line, headers).encode("latin-1"))
                await writer.drain()
        except (ConnectionError, ssl.SSLError):
            return
        finally:
            self._clients.discard(writer)
            with contextlib.suppress(ConnectionError, RuntimeError):
                writer.close()

    def _answer(self, request_line: str, headers: dict[str, str]) -> str:
        parts = request_line.split()
        if len(parts) != 3 or not parts[2].startswith("RTSP/"):
            return self._reply(400, "Bad Request", headers)
        method, url, _ = parts
        self.device.counters.rtsp[method] += 1
        if method == "OPTIONS":
            return self._reply(200, "OK", headers, extra={"Public": _PUBLIC})
        if method != "DESCRIBE":
            return self._reply(501, "Not Implemented", headers)
        if not self.device.accepts_login(headers.get("authorization", ""), method):
            challenge = httpauth.challenges(self.device.realm, basic_only=self.device.state.basic_only)[0]
            return self._reply(401, "Unauthorized", headers, extra={"WWW-Authenticate": challenge})
        target = urlsplit(url)
        wanted = target.path + (f"?{target.query}" if target.query else "")
        for stream in self.device.streams:
            if stream.path == wanted or stream.path.split("?")[0] == wanted:
                if self.device.state.stream_mismatch:
                    stream = replace(stream, width=stream.width // 2, height=stream.height // 2)
                body = sdp(self.device, stream, self.host)
                base = f"{target.scheme}://{target.netloc}{target.path.rstrip('/')}/"
                extra = {"Content-Base": base, "Content-Type": "application/sdp"}
                return self._reply(200, "OK", headers, extra=extra, body=body)
        return self._reply(404, "Stream Not Found", headers)

    @staticmethod
    def _reply(
        code: int,
        reason: str,
        headers: dict[str, str],
        *,
        extra: dict[str, str] | None = None,
        body: str = "",
    ) -> str:
        lines = [f"RTSP/1.0 {code} {reason}", f"CSeq: {headers.get('cseq', '0')}", f"Server: {_SERVER}"]
        lines += [f"{key}: {value}" for key, value in (extra or {}).items()]
        if body:
            lines.append(f"Content-Length: {len(body.encode('latin-1'))}")
        return "\r\n".join(lines) + "\r\n\r\n" + body
