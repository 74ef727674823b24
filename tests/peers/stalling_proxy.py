"""A loopback TCP proxy that can stall: every byte stops moving, but no connection is closed or refused.

That is how a database looks when the network drops its packets (a firewall change, a dead switch, a frozen VM):
nothing fails, everything waits. `resume()` lets new connections through again and drops the stalled ones.
"""

from __future__ import annotations

import asyncio
import contextlib


class StallingProxy:
    """Forward 127.0.0.1:<port> to a backend until `stall()`; connections made while stalled hang too."""

    def __init__(self, backend_host: str, backend_port: int) -> None:
        self._backend = (backend_host, backend_port)
        self._server: asyncio.Server | None = None
        self._moving = asyncio.Event()
        self._moving.set()
        self._transports: set[asyncio.WriteTransport] = set()
        self.port = 0

    async def __aenter__(self) -> StallingProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._drop_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def stall(self) -> None:
        """From now on no byte is passed on, in either direction, on old or new connections."""
        self._moving.clear()

    def resume(self) -> None:
        """Drop the connections that stalled (their peers gave up on them) and pass new ones on again."""
        self._drop_all()
        self._moving.set()

    def _drop_all(self) -> None:
        for transport in list(self._transports):
            transport.abort()
        self._transports.clear()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self._transports.add(client_writer.transport)
        await self._moving.wait()
        try:
            backend_reader, backend_writer = await asyncio.open_connection(*self._backend)
        except OSError:
            client_writer.transport.abort()
            return
        self._transports.add(backend_writer.transport)
        await asyncio.gather(
            self._pipe(client_reader, backend_writer), self._pipe(backend_reader, client_writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            while data := await reader.read(65536):
                await self._moving.wait()
                if writer.transport.is_closing():
                    return
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
