"""A snapshot reduced to numbers: brightness, contrast, sharpness, a frame digest and a structure signature.

Privacy by design: the picture is decoded, measured and dropped inside the collector. What leaves is statistics
and a signature of edge directions per cell of a coarse grid (where lines run, not what anything looks like) —
nothing from which a person, a face or a number plate could be recovered.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image, UnidentifiedImageError

from collectors.errors import BadResponse

# Measured about 480 pixels wide (a quarter-size decode of 1080p): JPEG decoders scale by 1/2, 1/4 or 1/8 almost
# for free, and averaging pixels also averages out sensor noise, which would otherwise look like fine detail.
WORK_WIDTH = 480
GRID = (4, 4)
ORIENTATIONS = 8
MAX_PIXELS = 40_000_000  # a decompression bomb announces more pixels than any camera sends

Gray = NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class ImageStats:
    """What the image check keeps of a snapshot."""

    width: int
    height: int
    brightness: float  # mean grey level, 0–255
    contrast: float  # standard deviation of the grey levels
    sharpness: float  # mean gradient energy over contrast: falls when the image is blurred, not when it is dark
    digest: str  # of the measured pixels: identical for a frozen picture, different for every live frame
    signature: tuple[float, ...]  # edge-direction histogram per grid cell, normalised

    def similarity(self, other: ImageStats) -> float:
        """Cosine similarity of two structure signatures (1: same scene, about 0: unrelated)."""
        a = np.asarray(self.signature, dtype=np.float64)
        b = np.asarray(other.signature, dtype=np.float64)
        norm = float(np.linalg.norm(a) * np.linalg.norm(b))
        return 0.0 if norm == 0 else float(np.dot(a, b) / norm)


def decode(jpeg: bytes) -> tuple[Gray, int, int]:
    """The snapshot in grey at about WORK_WIDTH pixels wide, and its real size."""
    try:
        image = Image.open(io.BytesIO(jpeg))
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise BadResponse(f"snapshot claims {width}×{height} pixels; refused as a decompression bomb")
        # Sharpness depends on the scale it is measured at: every snapshot is measured about WORK_WIDTH wide
        # (the decoder's own scaling down to no less than that, then averaging), whatever the camera sends.
        image.draft("L", (WORK_WIDTH, max(1, height * WORK_WIDTH // max(1, width))))
        grey = image.convert("L")
        if grey.width > WORK_WIDTH:
            grey = grey.resize((WORK_WIDTH, max(1, round(grey.height * WORK_WIDTH / grey.width))), Image.Resampling.BOX)
        pixels = np.asarray(grey, dtype=np.float32)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise BadResponse(f"snapshot is not a readable image ({type(exc).__name__})") from exc
    return pixels, width, height


def _gradients(pixels: Gray) -> tuple[Gray, Gray]:
    gx = np.zeros_like(pixels)
    gy = np.zeros_like(pixels)
    gx[:, 1:-1] = pixels[:, 2:] - pixels[:, :-2]
    gy[1:-1, :] = pixels[2:, :] - pixels[:-2, :]
    return gx, gy


def _signature(gx: Gray, gy: Gray, floor: float) -> tuple[float, ...]:
    magnitude = np.hypot(gx, gy)
    # Gradients below the noise floor say nothing about the scene; above it, only their direction counts.
    weight = np.where(magnitude > floor, magnitude, 0.0)
    angle = (np.arctan2(gy, gx) % np.pi) / np.pi * ORIENTATIONS
    bins = np.minimum(angle.astype(np.int32), ORIENTATIONS - 1)
    rows, cols = GRID
    h, w = magnitude.shape
    values: list[float] = []
    for r in range(rows):
        for c in range(cols):
            cell = (slice(r * h // rows, (r + 1) * h // rows), slice(c * w // cols, (c + 1) * w // cols))
            histogram = np.bincount(bins[cell].ravel(), weights=weight[cell].ravel(), minlength=ORIENTATIONS)
            values.extend(histogram.tolist())
    vector = np.asarray(values)
    total = float(np.linalg.norm(vector))
    return tuple(round(float(v), 4) for v in (vector / total if total else vector))


def analyse(jpeg: bytes) -> ImageStats:
    """Measure a snapshot; BadResponse when it is not a usable image."""
    pixels, width, height = decode(jpeg)
    contrast = float(pixels.std())
    gx, gy = _gradients(pixels)
    energy = float(np.mean(np.abs(gx)) + np.mean(np.abs(gy)))
    return ImageStats(
        width=width,
        height=height,
        brightness=round(float(pixels.mean()), 2),
        contrast=round(contrast, 2),
        sharpness=round(energy / max(contrast, 1.0), 4),
        digest=hashlib.sha256(pixels.astype(np.uint8).tobytes()).hexdigest()[:16],
        signature=_signature(gx, gy, floor=max(4.0, contrast * 0.25)),
    )


def thumbnail(jpeg: bytes, width: int) -> bytes:
    """A tiny grey JPEG of the snapshot (only made when the settings allow a reference thumbnail)."""
    pixels, _, _ = decode(jpeg)
    image = Image.fromarray(pixels.astype(np.uint8))
    small = image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.BOX)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=70)
    return out.getvalue()
