"""The control API: list cameras with state and poll counters, inject faults at run time (HTTP, JSON)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from simulator import recording
from simulator.events import Topic
from simulator.recording import SimRecording
from simulator.snmp import TRAPS

if TYPE_CHECKING:
    from simulator.camera import SimulatedCamera
    from simulator.fleet import SimulatedFleet

_FLEET: web.AppKey[SimulatedFleet] = web.AppKey("fleet")


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"detail": message}, status=status)


def _refuse(kind: type[web.HTTPClientError], message: str) -> web.HTTPClientError:
    return kind(text=json.dumps({"detail": message}), content_type="application/json")


def _camera(request: web.Request) -> SimulatedCamera:
    name = request.match_info["name"]
    try:
        return request.app[_FLEET].camera(name)
    except KeyError:
        raise _refuse(web.HTTPNotFound, f"no camera named {name}") from None


async def _json_object(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise _refuse(web.HTTPBadRequest, "body is not JSON") from None
    if not isinstance(body, dict):
        raise _refuse(web.HTTPBadRequest, "body must be a JSON object")
    return body


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "cameras": len(request.app[_FLEET].cameras)})


async def _list(request: web.Request) -> web.Response:
    cameras = [camera.describe() for camera in request.app[_FLEET].cameras.values()]
    return web.json_response({"items": cameras, "total": len(cameras)})


async def _show(request: web.Request) -> web.Response:
    return web.json_response(_camera(request).describe())


async def _patch(request: web.Request) -> web.Response:
    camera = _camera(request)
    try:
        await camera.update(**await _json_object(request))
    except ValueError as error:
        return _error(400, str(error))
    return web.json_response(camera.describe())


async def _reboot(request: web.Request) -> web.Response:
    camera = _camera(request)
    downtime = (await _json_object(request)).get("downtime_s", 0)
    if not isinstance(downtime, int | float) or isinstance(downtime, bool) or downtime < 0:
        return _error(400, "downtime_s: expected a number of seconds >= 0")
    await camera.reboot(float(downtime))
    return web.json_response(camera.describe())


async def _event(request: web.Request) -> web.Response:
    camera = _camera(request)
    body = await _json_object(request)
    try:
        topic = Topic(str(body.get("topic")))
    except ValueError:
        return _error(400, f"topic: expected one of {', '.join(Topic)}")
    state, source = body.get("state", True), body.get("source")
    if not isinstance(state, bool):
        return _error(400, "state: expected true or false")
    if source is not None and (not isinstance(source, str) or not source.strip() or len(source) > 64):
        return _error(400, "source: expected a short non-empty string")
    raised = camera.raise_event(topic, state, source)
    return web.json_response({"topic": raised.topic.value, "source": raised.source, "state": raised.state})


async def _trap(request: web.Request) -> web.Response:
    camera = _camera(request)
    name = (await _json_object(request)).get("trap")
    if name not in TRAPS:
        return _error(400, f"trap: expected one of {', '.join(TRAPS)}")
    if not camera.send_trap(str(name)):
        return _error(409, "no trap_to set, or the camera is offline")
    return web.json_response({"trap": name, "to": camera.state.trap_to})


def _recording(request: web.Request) -> tuple[SimulatedCamera, SimRecording]:
    camera, token = _camera(request), request.match_info["token"]
    found = next((r for r in camera.state.recordings if r.token == token), None)
    if found is None:
        raise _refuse(web.HTTPNotFound, f"{camera.name} keeps no recording {token}")
    return camera, found


async def _recordings(request: web.Request) -> web.Response:
    recordings = [recording.describe(r) for r in _camera(request).state.recordings]
    return web.json_response({"items": recordings, "total": len(recordings)})


async def _patch_recording(request: web.Request) -> web.Response:
    _, found = _recording(request)
    try:
        recording.change(found, await _json_object(request), datetime.now(UTC))
    except ValueError as error:
        return _error(400, str(error))
    return web.json_response(recording.describe(found))


async def _reset_all(request: web.Request) -> web.Response:
    request.app[_FLEET].reset_counters()
    return web.json_response({"reset": len(request.app[_FLEET].cameras)})


async def _reset_one(request: web.Request) -> web.Response:
    camera = _camera(request)
    camera.device.counters.reset()
    return web.json_response(camera.describe())


def create_control_app(fleet: SimulatedFleet) -> web.Application:
    """The aiohttp application; routes are documented in simulator/README.md."""
    app = web.Application()
    app[_FLEET] = fleet
    app.router.add_get("/health", _health)
    app.router.add_get("/cameras", _list)
    app.router.add_get("/cameras/{name}", _show)
    app.router.add_patch("/cameras/{name}", _patch)
    app.router.add_post("/cameras/{name}/reboot", _reboot)
    app.router.add_post("/cameras/{name}/events", _event)
    app.router.add_post("/cameras/{name}/traps", _trap)
    app.router.add_get("/cameras/{name}/recordings", _recordings)
    app.router.add_patch("/cameras/{name}/recordings/{token}", _patch_recording)
    app.router.add_post("/cameras/{name}/counters/reset", _reset_one)
    app.router.add_post("/counters/reset", _reset_all)
    return app


class ControlServer:
    """Runs the control API on one loopback address and port."""

    def __init__(self, fleet: SimulatedFleet, host: str, port: int) -> None:
        self._runner = web.AppRunner(create_control_app(fleet), access_log=None)
        self.host, self.port = host, port

    async def start(self) -> None:
        """Start listening."""
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()

    async def stop(self) -> None:
        """Stop listening."""
        await self._runner.cleanup()
