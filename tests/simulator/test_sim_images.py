"""Snapshots over HTTP: real JPEGs, every image state, live noise, frozen bytes, HTTP auth."""

from __future__ import annotations

import io
import random

import aiohttp
import numpy as np
import pytest
from PIL import Image

from simulator.fleet import SimulatedFleet
from simulator.images import SceneCache, Snapshotter
from simulator.state import ImageState

SNAPSHOT = "http://127.40.1.5:8080/snapshot.jpg"


def _gray(jpeg: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    return np.asarray(image.convert("L"), dtype=np.float32)


def _sharpness(pixels: np.ndarray) -> float:
    return float(np.abs(np.diff(pixels, axis=1)).mean() + np.abs(np.diff(pixels, axis=0)).mean())


async def _fetch(http: aiohttp.ClientSession, url: str = SNAPSHOT) -> bytes:
    async with http.get(url) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "image/jpeg"
        return await response.read()


async def test_normal_frames_are_a_structured_scene_that_changes(fleet: SimulatedFleet) -> None:
    async with aiohttp.ClientSession() as http:
        first, second = await _fetch(http), await _fetch(http)
    a, b = _gray(first), _gray(second)
    assert a.shape == (180, 320)
    # Buildings, road and sky, not a flat colour: spread and edges relative to the light of the moment.
    assert a.std() / a.mean() > 0.3 and _sharpness(a) / a.mean() > 0.15
    assert first != second and np.abs(a - b).mean() > 0.3  # sensor noise and light differ between frames
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.8  # the same scene
    assert fleet.camera("GEN-1").device.counters.snapshot == 2


async def test_frozen_frames_are_identical(fleet: SimulatedFleet) -> None:
    await fleet.camera("GEN-1").update(image="frozen")
    async with aiohttp.ClientSession() as http:
        assert await _fetch(http) == await _fetch(http)


@pytest.mark.parametrize("state", list(ImageState))
def test_each_state_has_its_signature(state: ImageState) -> None:
    cache = SceneCache(320, 180)
    normal = _gray(Snapshotter(cache, 7, _rng=random.Random(1)).snapshot(ImageState.NORMAL))
    pixels = _gray(Snapshotter(cache, 7, _rng=random.Random(2)).snapshot(state))
    daylight = np.asarray(Image.fromarray(cache.base(7, ImageState.NORMAL)).convert("L"), dtype=np.float32)
    if state is ImageState.BLACK:
        assert pixels.mean() < 5
    elif state is ImageState.COVERED:
        assert pixels.mean() < 45 and pixels.std() < 8
    elif state is ImageState.BLURRED:
        assert _sharpness(pixels) < _sharpness(normal) / 3
    elif state is ImageState.MOVED:
        assert np.corrcoef(pixels.ravel(), daylight.ravel())[0, 1] < 0.5
    elif state is ImageState.NIGHT:
        # A quarter of daylight, give or take the light of the moment (lamps 0.8–1.15, a cloud shadow).
        assert 0.12 < pixels.mean() / daylight.mean() < 0.3
    else:
        assert np.corrcoef(pixels.ravel(), daylight.ravel())[0, 1] > 0.85


def test_light_changes_between_frames_of_one_scene() -> None:
    snapshotter = Snapshotter(SceneCache(320, 180), 11, _rng=random.Random(3))
    frames = [_gray(snapshotter.snapshot(ImageState.NORMAL)) for _ in range(12)]
    means = [frame.mean() for frame in frames]
    assert max(means) / min(means) > 1.2  # sun, overcast and dusk
    assert min(np.corrcoef(frames[0].ravel(), f.ravel())[0, 1] for f in frames[1:]) > 0.8


def test_scenes_differ_between_cameras_and_repeat_for_one() -> None:
    cache = SceneCache(320, 180)
    assert np.array_equal(cache.base(1, ImageState.NORMAL), SceneCache(320, 180).base(1, ImageState.NORMAL))
    assert not np.array_equal(cache.base(1, ImageState.NORMAL), cache.base(2, ImageState.NORMAL))


async def test_snapshot_needs_digest_or_basic_auth(fleet: SimulatedFleet) -> None:
    spec = fleet.camera("AX-1").device.spec
    url = "http://127.40.1.1:8080/axis-cgi/jpg/image.cgi?camera=1"
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            assert response.status == 401
            assert response.headers.getall("WWW-Authenticate")[0].startswith("Digest ")
        digest = aiohttp.DigestAuthMiddleware(spec.username, spec.password)
        async with http.get(url, middlewares=(digest,)) as response:
            assert response.status == 200
        async with http.get(
            url, headers={"Authorization": aiohttp.encode_basic_auth(spec.username, spec.password)}
        ) as response:
            assert response.status == 200
        async with http.get(
            url, headers={"Authorization": aiohttp.encode_basic_auth(spec.username, "wrong")}
        ) as response:
            assert response.status == 401
    assert fleet.camera("AX-1").device.counters.snapshot == 2
