"""The image check's fetch: Digest (simulated camera), Basic (a small real server), size caps, hostile answers."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import pytest_asyncio
from aiohttp import web
from PIL import Image

from collectors import AuthFailed, BadResponse, Collectors, ImageObservation, MediaProfile, Target
from collectors.errors import Timeout
from config.checks import CheckKind
from simulator.fleet import SimulatedFleet
from simulator.spec import CameraSpec
from simulator.state import ImageState
from tests.peers.hostile import HostileHttpCamera, HttpHostility

TIMEOUT = 1.5
PASSWORD = "Beeld-Venlo!7"
AXIS, BASIC = "127.90.4.1", "127.90.4.2"


def _target(host: str, media: MediaProfile | None = None, password: str = PASSWORD) -> Target:
    return Target(1, f"cam-{host}", host, 8080, 8554, 1161, "root", password, None, media)


def _snapshot_at(url: str) -> MediaProfile:
    return MediaProfile("p0", None, "H264", 1920, 1080, None, url)


@pytest_asyncio.fixture(scope="module")
async def fleet() -> AsyncIterator[SimulatedFleet]:
    spec = CameraSpec("AX-I", AXIS, 8080, 1161, 8554, "root", PASSWORD, declared_manufacturer="Axis Communications")
    async with SimulatedFleet([spec], snapshot_size=(640, 360)) as simulated:
        yield simulated


@pytest_asyncio.fixture(scope="module")
async def collectors() -> AsyncIterator[Collectors]:
    async with Collectors(device_timeout=TIMEOUT, max_snapshot_bytes=512 * 1024) as shared:
        yield shared


async def test_snapshot_with_digest_reduced_to_numbers(fleet: SimulatedFleet, collectors: Collectors) -> None:
    fleet.reset_counters()
    result = await collectors.run(CheckKind.IMAGE, _target(AXIS))  # snapshot URI asked over ONVIF
    assert result.ok, result.error
    seen = result.observation
    assert isinstance(seen, ImageObservation)
    assert (seen.width, seen.height) == (640, 360)
    assert seen.contrast > 15 and len(seen.signature) == 128 and seen.thumbnail is None
    assert seen.auth == "digest" and seen.auth_offered == ("digest", "basic") and len(seen.auth_challenges) == 2
    assert fleet.camera("AX-I").device.counters.snapshot == 1
    refused = await collectors.run(CheckKind.IMAGE, _target(AXIS, password="wrong"))
    assert isinstance(refused.error, AuthFailed)


async def test_thumbnail_only_when_allowed(fleet: SimulatedFleet) -> None:
    async with Collectors(device_timeout=TIMEOUT, thumbnail_width=48) as with_thumbnails:
        result = await with_thumbnails.run(CheckKind.IMAGE, _target(AXIS))
    assert isinstance(result.observation, ImageObservation) and result.observation.thumbnail is not None
    small = Image.open(io.BytesIO(base64.b64decode(result.observation.thumbnail)))
    assert small.size == (48, 27) and small.mode == "L"


@pytest_asyncio.fixture(scope="module")
async def basic_server(fleet: SimulatedFleet) -> AsyncIterator[str]:
    """A camera web server that knows only Basic, plus a redirect and an oversized picture."""
    jpeg = fleet.camera("AX-I").device.snapshotter.snapshot(ImageState.NORMAL)
    expected = "Basic " + base64.b64encode(f"root:{PASSWORD}".encode()).decode()

    async def snapshot(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != expected:
            return web.Response(status=401, headers={"WWW-Authenticate": 'Basic realm="cam"'})
        return web.Response(body=jpeg, content_type="image/jpeg")

    async def redirect(_request: web.Request) -> web.Response:
        raise web.HTTPFound("http://192.0.2.1/elsewhere.jpg")

    async def huge(_request: web.Request) -> web.Response:
        return web.Response(body=b"\xff\xd8" + b"\x00" * (600 * 1024), content_type="image/jpeg")

    app = web.Application()
    app.router.add_get("/snap.jpg", snapshot)
    app.router.add_get("/moved.jpg", redirect)
    app.router.add_get("/huge.jpg", huge)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, BASIC, 8080).start()
    yield f"http://{BASIC}:8080"
    await runner.cleanup()


async def test_basic_only_redirects_and_size_cap(basic_server: str, collectors: Collectors) -> None:
    allowed = replace(_target(BASIC, _snapshot_at(f"{basic_server}/snap.jpg")), allow_basic=True)
    ok = await collectors.run(CheckKind.IMAGE, allowed)
    assert ok.ok, ok.error
    assert isinstance(ok.observation, ImageObservation) and ok.observation.auth == "basic"
    moved = await collectors.run(CheckKind.IMAGE, _target(BASIC, _snapshot_at(f"{basic_server}/moved.jpg")))
    assert isinstance(moved.error, BadResponse) and "302" in moved.error.message  # never followed elsewhere
    huge = await collectors.run(CheckKind.IMAGE, _target(BASIC, _snapshot_at(f"{basic_server}/huge.jpg")))
    assert isinstance(huge.error, BadResponse) and "limit" in huge.error.message


@pytest_asyncio.fixture(scope="module")
async def hostile() -> AsyncIterator[dict[HttpHostility, HostileHttpCamera]]:
    cameras = {h: HostileHttpCamera(h, f"127.90.5.{n}") for n, h in enumerate(HttpHostility, start=1)}
    for camera in cameras.values():
        await camera.start()
    yield cameras
    for camera in cameras.values():
        await camera.stop()


@pytest.mark.parametrize(
    ("hostility", "error"),
    [
        (HttpHostility.garbage, BadResponse),  # 200 with bytes that are no picture
        (HttpHostility.not_http, BadResponse),
        (HttpHostility.html_500, BadResponse),
        (HttpHostility.hang, Timeout),
        (HttpHostility.slow_drip, Timeout),
        (HttpHostility.huge_content_length, BadResponse),
        (HttpHostility.huge_chunked, BadResponse),
    ],
)
async def test_hostile_snapshot_answers(
    hostile: dict[HttpHostility, HostileHttpCamera], collectors: Collectors, hostility: HttpHostility, error: type
) -> None:
    camera = hostile[hostility]
    started = time.perf_counter()
    result = await collectors.run(
        CheckKind.IMAGE, _target(camera.host, _snapshot_at(f"http://{camera.host}:8080/snapshot.jpg"))
    )
    assert not result.ok and isinstance(result.error, error), result.error
    assert time.perf_counter() - started < TIMEOUT + 0.5
