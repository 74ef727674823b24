"""A camera's web server: ONVIF SOAP endpoints, the snapshot JPEG and (state `isapi`) Hikvision ISAPI's user calls."""

from __future__ import annotations

import asyncio
import ssl

from aiohttp import web
from multidict import CIMultiDict

from simulator import events, httpauth, isapi, onvif, pullpoint, recording, soap
from simulator.device import Device
from simulator.users import DropConnection

DEVICE_PATH = "/onvif/device_service"
_SERVER = "httpd"


class CameraWebServer:
    """Listens on the camera's own address and ONVIF port while the camera is online."""

    def __init__(self, device: Device, endpoint: soap.Endpoint, tls: ssl.SSLContext | None = None) -> None:
        self.device = device
        self.endpoint = endpoint
        # Set: the same service over HTTPS on the endpoint's port.
        self.tls = tls
        self._handler: web.Server | None = None
        self._listener: asyncio.Server | None = None

    async def start(self) -> None:
        """Open the listening socket."""
        if self._listener is not None:
            return
        loop = asyncio.get_running_loop()
        self._handler = web.Server(self._handle, access_log=None)
        # Kept before serving starts: a start cancelled at its last step must not leave an unknown socket bound.
        self._listener = await loop.create_server(
            self._handler,
            self.endpoint.host,
            self.endpoint.http_port,
            reuse_address=True,
            ssl=self.tls,
            start_serving=False,
        )
        await self._listener.start_serving()

    async def stop(self) -> None:
        """Close the socket and drop every open connection, as a camera losing power does."""
        listener, handler = self._listener, self._handler
        self._listener = self._handler = None
        if listener is not None:
            listener.close()
        if handler is not None:
            for connection in handler.connections:
                if connection.transport is not None:
                    connection.transport.abort()
            await handler.shutdown(0.1)

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        await self.device.delay()
        profile = self.device.profile
        services = {DEVICE_PATH: "device", profile.media_path: "media"}
        if self.device.state.recordings:
            services |= {recording.RECORDING_PATH: "recording", recording.SEARCH_PATH: "search"}
        if request.method == "POST" and (
            request.path == events.EVENTS_PATH or request.path.startswith(events.PULLPOINT_PATH)
        ):
            reply = await pullpoint.handle(self.device, self.endpoint, request.path, await request.read())
        elif request.method == "POST" and request.path in services:
            try:
                reply = onvif.handle(self.device, self.endpoint, services[request.path], await request.read())
            except DropConnection:
                if request.transport is not None:
                    request.transport.abort()
                return web.Response(status=500, headers={"Server": _SERVER})
        else:
            reply = None
        if reply is not None:
            return web.Response(
                status=reply.status,
                body=reply.body.encode(),
                headers={"Content-Type": soap.CONTENT_TYPE, "Server": _SERVER},
            )
        try:
            answer = await isapi.handle(self.device, request)
        except DropConnection:
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500, headers={"Server": _SERVER})
        if answer is not None:
            return answer
        if request.method == "GET" and request.path == profile.snapshot_path.split("?")[0]:
            return await self._snapshot(request)
        return web.Response(status=404, text="Not Found", headers={"Server": _SERVER})

    async def _snapshot(self, request: web.BaseRequest) -> web.StreamResponse:
        if not self.device.accepts_login(request.headers.get("Authorization", ""), request.method):
            headers = CIMultiDict([("Server", _SERVER)])
            for challenge in httpauth.challenges(self.device.realm, basic_only=self.device.state.basic_only):
                headers.add("WWW-Authenticate", challenge)
            return web.Response(status=401, text="Unauthorized", headers=headers)
        self.device.counters.snapshot += 1
        jpeg = await asyncio.to_thread(self.device.snapshotter.snapshot, self.device.state.image)
        return web.Response(body=jpeg, headers={"Content-Type": "image/jpeg", "Server": _SERVER})
