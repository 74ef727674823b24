"""Snapshot statistics separate every image state of the simulator's scenes, fast, from numbers only."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from collectors.errors import BadResponse
from collectors.image_analysis import analyse
from simulator.images import SceneCache, Snapshotter
from simulator.state import ImageState

CACHE = SceneCache(1920, 1080)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_states_separate(seed: int) -> None:
    snap = Snapshotter(CACHE, seed)
    reference = analyse(snap.snapshot(ImageState.NORMAL))
    normal = analyse(snap.snapshot(ImageState.NORMAL))
    night = analyse(snap.snapshot(ImageState.NIGHT))
    black = analyse(snap.snapshot(ImageState.BLACK))
    covered = analyse(snap.snapshot(ImageState.COVERED))
    blurred = analyse(snap.snapshot(ImageState.BLURRED))
    moved = analyse(snap.snapshot(ImageState.MOVED))
    assert normal.digest != reference.digest  # live frames differ by sensor noise
    assert min(reference.similarity(normal), reference.similarity(night)) > 0.95
    assert black.brightness < 5 and black.contrast < 2
    assert covered.contrast < 4 and covered.brightness > 10
    assert blurred.sharpness < 0.15 < 0.25 < min(normal.sharpness, night.sharpness)
    assert reference.similarity(moved) < 0.7
    assert (normal.width, normal.height) == (1920, 1080) and len(normal.signature) == 128


def test_frozen_picture_has_the_same_digest() -> None:
    snap = Snapshotter(CACHE, 14)
    first = analyse(snap.snapshot(ImageState.FROZEN))
    again = analyse(snap.snapshot(ImageState.FROZEN))
    assert first.digest == again.digest


@pytest.mark.parametrize("payload", [b"", b"not a jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 50])
def test_garbage_is_a_bad_response(payload: bytes) -> None:
    with pytest.raises(BadResponse):
        analyse(payload)


def test_decompression_bomb_is_refused() -> None:
    out = io.BytesIO()
    Image.new("L", (8000, 6000)).save(out, "PNG")
    with pytest.raises(BadResponse, match="decompression bomb"):
        analyse(out.getvalue())
