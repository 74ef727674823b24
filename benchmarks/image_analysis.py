"""Image analysis CPU time per 1920×1080 JPEG snapshot (issue 7), and the margins of the image thresholds.

    .venv/bin/python benchmarks/image_analysis.py [--frames 60] [--thresholds]

Target: under 50 ms of CPU per snapshot. The snapshots are the simulator's street scenes (ten cameras, day and
night, noise and changing light), encoded once before timing. Each frame is measured twice in turn: the baseline
is a plain full-size decode of the same JPEG to grey with Pillow (what any analysis must at least read), then
`collectors.image_analysis.analyse` (quarter-size decode, statistics, digest, signature). Both use
`time.process_time()`, the fastest of `--repeat` runs per frame counts (other work on a shared machine only slows
a run down). `--thresholds` also prints, per image state, the range of each measured value beside its threshold.
The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from _common import ratio, target
from collectors.image_analysis import ImageStats, analyse
from config.settings import ImageSettings
from simulator.images import SceneCache, Snapshotter
from simulator.state import ImageState

TARGET_MS = 50.0
_FIRST = (ImageState.NORMAL, ImageState.FROZEN)


def _cpu_ms(work: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        work()
        best = min(best, (time.process_time() - started) * 1000)
    return best


def _full_decode(jpeg: bytes) -> None:
    Image.open(io.BytesIO(jpeg)).convert("L").load()


@dataclass
class Frames:
    jpegs: list[bytes]
    by_state: dict[ImageState, list[tuple[ImageStats, ImageStats]]]  # (frame, the camera's reference frame)


def _frames(count: int, thresholds: bool) -> Frames:
    scenes = SceneCache(1920, 1080)
    jpegs: list[bytes] = []
    by_state: dict[ImageState, list[tuple[ImageStats, ImageStats]]] = {}
    cameras = [Snapshotter(scenes, 9_000 + n, _rng=random.Random(n)) for n in range(10)]
    for n in range(count):
        camera = cameras[n % len(cameras)]
        jpegs.append(camera.snapshot(ImageState.NIGHT if n % 2 else ImageState.NORMAL))
    if thresholds:
        for camera in cameras:
            reference = analyse(camera.snapshot(ImageState.NORMAL))
            # Frozen right after normal: a frozen camera repeats the last frame it sent.
            order = [ImageState.NORMAL, ImageState.FROZEN, *(s for s in ImageState if s not in _FIRST)]
            for state in order:
                for _ in range(5 if state in (ImageState.NORMAL, ImageState.NIGHT) else 2):
                    by_state.setdefault(state, []).append((analyse(camera.snapshot(state)), reference))
    return Frames(jpegs, by_state)


def _print_thresholds(frames: Frames) -> None:
    limits = ImageSettings()
    print(f"\n{'state':<9}{'n':>4}{'brightness':>15}{'contrast':>15}{'sharpness':>15}{'similarity':>15}")
    for state, pairs in frames.by_state.items():
        columns = [
            [s.brightness for s, _ in pairs],
            [s.contrast for s, _ in pairs],
            [s.sharpness for s, _ in pairs],
            [s.similarity(r) for s, r in pairs],
        ]
        cells = "".join(f"{min(c):>7.2f}–{max(c):<7.2f}" for c in columns)
        print(f"{state.value:<9}{len(pairs):>4}{cells}")
    print(
        f"thresholds: black brightness ≤ {limits.black_max_brightness} and contrast ≤ {limits.black_max_contrast}; "
        f"covered contrast ≤ {limits.covered_max_contrast}; blurred sharpness < {limits.blurred_max_sharpness}; "
        f"moved similarity < {limits.moved_min_similarity}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--thresholds", action="store_true", help="also print the threshold margins")
    args = parser.parse_args()
    frames = _frames(args.frames, args.thresholds)
    ours: list[float] = []
    baseline: list[float] = []
    for jpeg in frames.jpegs:
        baseline.append(_cpu_ms(lambda jpeg=jpeg: _full_decode(jpeg), args.repeat))
        ours.append(_cpu_ms(lambda jpeg=jpeg: analyse(jpeg), args.repeat))
    size_kb = statistics.mean(len(j) for j in frames.jpegs) / 1024
    median, p95 = statistics.median(ours), sorted(ours)[int(len(ours) * 0.95) - 1]
    base = statistics.median(baseline)
    print(f"{len(ours)} snapshots, 1920×1080 JPEG, mean {size_kb:.0f} KiB (day and night, ten street scenes)")
    print(f"{'':<28}{'median ms':>10}{'p95 ms':>10}")
    print(f"{'baseline: full grey decode':<28}{base:>10.1f}{sorted(baseline)[int(len(baseline) * 0.95) - 1]:>10.1f}")
    print(f"{'analyse()':<28}{median:>10.1f}{p95:>10.1f}")
    target(f"under {TARGET_MS:.0f} ms CPU per snapshot", p95 < TARGET_MS, f"p95 {p95:.1f}")
    if args.thresholds:
        _print_thresholds(frames)
    print(
        f"frames={len(ours)} cpu_ms_median={median:.2f} cpu_ms_p95={p95:.2f} baseline_ms={base:.2f} "
        f"ratio={ratio(median, base):.2f} target_ms={TARGET_MS:.0f}"
    )


if __name__ == "__main__":
    main()
