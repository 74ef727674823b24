"""Image thresholds on 1920×1080 simulator frames: every fault state found, no false alarm by day or night.

The defaults in config/settings.py (ImageSettings) come from these frames; the margins printed by
benchmarks/image_analysis.py --thresholds show how far each state is from its threshold.
"""

from __future__ import annotations

import random
from dataclasses import asdict
from typing import Any

import pytest

from collectors.image_analysis import analyse
from config.settings import ImageSettings
from fleet.faults.models import FaultKind
from fleet.images.rules import judge, similarity
from simulator.images import SceneCache, Snapshotter
from simulator.state import ImageState

LIMITS = ImageSettings()
SCENES = range(10)


@pytest.fixture(scope="module")
def scenes() -> SceneCache:
    return SceneCache(1920, 1080)


def _values(jpeg: bytes) -> dict[str, Any]:
    stats = asdict(analyse(jpeg))
    stats["signature"] = list(stats["signature"])
    return stats


def _camera(scenes: SceneCache, scene: int) -> Snapshotter:
    snapshotter = Snapshotter(scenes, 7_000 + scene)
    snapshotter._rng = random.Random(scene)  # varied light per frame, reproducible per run
    return snapshotter


def test_no_false_alarm_over_100_day_and_night_frames(scenes: SceneCache) -> None:
    judged = 0
    for scene in SCENES:
        camera = _camera(scenes, scene)
        reference = _values(camera.snapshot(ImageState.NORMAL))
        previous = reference["digest"]
        states = [ImageState.NORMAL] * 5 + [ImageState.NIGHT] * 5
        random.Random(scene).shuffle(states)
        for state in states:
            values = _values(camera.snapshot(state))
            verdict = judge(values, previous_digest=previous, reference=reference["signature"], limits=LIMITS)
            assert not any(verdict.faults().values()), (scene, state, values["brightness"], verdict)
            assert verdict.usable
            previous = values["digest"]
            judged += 1
    assert judged == 100


@pytest.mark.parametrize("state", [ImageState.BLACK, ImageState.COVERED, ImageState.BLURRED, ImageState.MOVED])
def test_each_fault_state_is_found(scenes: SceneCache, state: ImageState) -> None:
    expected = {
        ImageState.BLACK: FaultKind.IMAGE_BLACK,
        ImageState.COVERED: FaultKind.IMAGE_COVERED,
        ImageState.BLURRED: FaultKind.IMAGE_BLURRED,
        ImageState.MOVED: FaultKind.IMAGE_MOVED,
    }[state]
    for scene in SCENES[:4]:
        camera = _camera(scenes, scene)
        reference = _values(camera.snapshot(ImageState.NORMAL))
        values = _values(camera.snapshot(state))
        verdict = judge(values, previous_digest=reference["digest"], reference=reference["signature"], limits=LIMITS)
        assert {kind for kind, bad in verdict.faults().items() if bad} == {expected}, (scene, verdict)


def test_frozen_is_the_same_frame_again(scenes: SceneCache) -> None:
    camera = _camera(scenes, 3)
    reference = _values(camera.snapshot(ImageState.NORMAL))
    first = _values(camera.snapshot(ImageState.FROZEN))
    again = _values(camera.snapshot(ImageState.FROZEN))
    verdict = judge(again, previous_digest=first["digest"], reference=reference["signature"], limits=LIMITS)
    assert verdict.frozen is True and verdict.moved is False


def test_what_cannot_be_judged_is_not() -> None:
    dark = {"brightness": 0.3, "contrast": 0.4, "sharpness": 0.6, "digest": "a", "signature": [0.0] * 128}
    verdict = judge(dark, previous_digest="a", reference=[1.0] * 128, limits=LIMITS)
    # A black frame repeating is black, not also frozen, moved or blurred.
    assert verdict.faults() == {
        FaultKind.IMAGE_BLACK: True,
        FaultKind.IMAGE_COVERED: False,
        FaultKind.IMAGE_BLURRED: None,
        FaultKind.IMAGE_FROZEN: None,
        FaultKind.IMAGE_MOVED: None,
    }
    first = {"brightness": 90, "contrast": 40, "sharpness": 0.3, "digest": "b", "signature": [1.0] * 128}
    assert judge(first, previous_digest=None, reference=None, limits=LIMITS).faults()[FaultKind.IMAGE_FROZEN] is None
    assert similarity([1.0, 0.0], [0.0, 1.0]) == 0.0 and similarity([1.0, 2.0], [2.0, 4.0]) == pytest.approx(1.0)
