"""One HTTP/1.1 POST on a fresh connection, read with a size cap: the lean path of the health call.

aiohttp costs about 0.8 ms of CPU per request on a fresh connection (happy-eyeballs, pooling,
the client machinery); this protocol does what one SOAP POST with "Connection: close" needs in
a fraction of that: a status line, headers, a Content-Length, chunked or until-close body.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from collectors.errors import BadResponse, CollectorError, Unreachable

_MAX_HEAD = 16 * 1024


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """Status and body of an HTTP answer."""

    status: int
    body: bytes


class _Exchange(asyncio.Protocol):
    def __init__(self, request: bytes, max_body: int, answer: asyncio.Future[HttpAnswer]) -> None:
        self._request = request
        self._max_body = max_body
        self._answer = answer
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._status = 0
        self._length: int | None = None  # Content-Length, when declared
        self._chunked = False
        self._head_done = False
        self._body = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        if self._answer.done():
            return
        self._buffer += data
        try:
            if not self._head_done and not self._read_head():
                return
            self._read_body()
        except CollectorError as error:
            self._finish(error)

    def eof_received(self) -> bool:
        if not self._answer.done():
            if not self._head_done:
                self._finish(Unreachable("device closed the connection without answering"))
            elif self._length is None and not self._chunked:
                self._finish(HttpAnswer(self._status, bytes(self._buffer)))
            else:
                self._finish(BadResponse("answer was cut short"))
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._answer.done():
            reason = type(exc).__name__ if exc is not None else "closed"
            self._finish(Unreachable(f"connection failed ({reason})"))

    def _finish(self, outcome: HttpAnswer | CollectorError) -> None:
        if not self._answer.done():
            if isinstance(outcome, HttpAnswer):
                self._answer.set_result(outcome)
            else:
                self._answer.set_exception(outcome)
        if self._transport is not None:
            self._transport.abort()

    def _read_head(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > _MAX_HEAD:
                raise BadResponse("HTTP head is over the limit")
            return False
        lines = bytes(self._buffer[:end]).split(b"\r\n")
        del self._buffer[: end + 4]
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise BadResponse("answer is not HTTP")
        self._status = int(parts[1])
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            self._header(name.strip().lower(), value.strip().lower())
        self._head_done = True
        return True

    def _header(self, name: bytes, value: bytes) -> None:
        if name == b"content-length":
            if not value.isdigit():
                raise BadResponse("HTTP Content-Length is not a number")
            self._length = int(value)
            if self._length > self._max_body:
                raise BadResponse(f"answer of {self._length} bytes is over the {self._max_body}-byte limit")
        elif name == b"transfer-encoding" and value != b"identity":
            if value != b"chunked":
                raise BadResponse(f"answer has transfer-encoding {value.decode(errors='replace')}")
            self._chunked = True
        elif name == b"content-encoding" and value != b"identity":
            # We ask for identity; a camera that compresses anyway could hide a zip bomb.
            raise BadResponse("answer is compressed although identity was asked for")

    def _read_body(self) -> None:
        if self._chunked:
            self._read_chunks()
        elif len(self._buffer) > self._max_body:
            raise BadResponse(f"answer is over the {self._max_body}-byte limit")
        elif self._length is not None and len(self._buffer) >= self._length:
            self._finish(HttpAnswer(self._status, bytes(self._buffer[: self._length])))

    def _read_chunks(self) -> None:
        while True:
            line_end = self._buffer.find(b"\r\n")
            if line_end < 0:
                if len(self._buffer) > 64:
                    raise BadResponse("HTTP chunk size line is too long")
                return
            size_text = bytes(self._buffer[:line_end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError as exc:
                raise BadResponse("HTTP chunk size is not a number") from exc
            if size < 0 or len(self._body) + size > self._max_body:
                raise BadResponse(f"answer is over the {self._max_body}-byte limit")
            chunk_start = line_end + 2
            if len(self._buffer) < chunk_start + size + 2:
                return
            if size == 0:
                self._finish(HttpAnswer(self._status, bytes(self._body)))
                return
            self._body += self._buffer[chunk_start : chunk_start + size]
            del self._buffer[: chunk_start + size + 2]


async def post(host: str, port: int, path: str, headers: dict[str, str], body: bytes, max_body: int) -> HttpAnswer:
    """POST body to http://host:port/path on a fresh connection; raise Unreachable or BadResponse."""
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {authority}\r\n{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode("latin-1") + body
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[HttpAnswer] = loop.create_future()
    try:
        transport, _ = await loop.create_connection(lambda: _Exchange(request, max_body, answer), host, port)
    except OSError as exc:
        raise Unreachable(f"connection failed ({type(exc).__name__})") from exc
    try:
        return await answer
    finally:
        transport.abort()
