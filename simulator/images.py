"""Snapshots: a procedurally drawn street scene per camera, sensor noise and changing light per frame, and
image faults."""

from __future__ import annotations

import io
import random
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFilter

from simulator.state import ImageState

Pixels = NDArray[np.uint8]

_NOISE_ROWS = 61  # a prime, so successive row offsets walk through every noise slice
_JPEG_QUALITY = 80

_WALLS = ((150, 72, 52), (189, 160, 120), (128, 128, 124), (222, 214, 196), (110, 60, 44), (170, 150, 140))
_CARS = ((180, 20, 24), (30, 30, 34), (220, 222, 225), (30, 60, 140), (120, 124, 130))


def render_scene(seed: int, width: int, height: int) -> Pixels:
    """A daylight street: sky, facades with windows, pavement, road with markings, poles, trees, cars."""
    rng = random.Random(seed)
    w, h = width, height
    horizon = h * rng.uniform(0.40, 0.50)
    ground = horizon + h * rng.uniform(0.08, 0.14)
    rows = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    top, low = np.array((70, 120, 190), np.float32), np.array((185, 210, 235), np.float32)
    sky = (top + (low - top) * rows)[:, None, :].repeat(w, axis=1)
    image = Image.fromarray(sky.astype(np.uint8).reshape(h, w, 3))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(2, 5)):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, horizon * 0.5), rng.uniform(0.03, 0.08) * w
        draw.ellipse((cx - r * 2, cy - r * 0.5, cx + r * 2, cy + r * 0.5), fill=(236, 238, 242))
    _draw_facades(draw, rng, w, ground, horizon)
    draw.rectangle((0, ground, w, h), fill=(150, 148, 142))  # pavement
    _draw_road(draw, rng, w, h, ground)
    for _ in range(rng.randint(2, 4)):
        _draw_tree(draw, rng, rng.uniform(0, w), ground + rng.uniform(0.0, 0.05) * h, h)
    for side in (-1, 1):
        for k in range(rng.randint(1, 3)):
            x = w / 2 + side * (0.22 + 0.18 * k + rng.uniform(-0.03, 0.03)) * w
            _draw_pole(draw, x, ground + (0.05 + 0.08 * k) * h, h * (0.35 + 0.1 * k), side)
    for _ in range(rng.randint(1, 3)):
        _draw_car(draw, rng, w, h, ground)
    pixels = np.asarray(image, dtype=np.int16)
    # Baked-in texture (brick, asphalt grain) so the scene has fine detail as well as edges.
    grain = np.random.default_rng(seed).normal(0.0, 5.0, (h, w, 1)).astype(np.int16)
    scene: Pixels = np.clip(pixels + grain, 0, 255).astype(np.uint8)
    return scene


def _draw_facades(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, ground: float, horizon: float) -> None:
    x = -rng.uniform(0, 0.05) * w
    while x < w:
        bw = rng.uniform(0.08, 0.2) * w
        top = horizon - rng.uniform(0.12, 0.38) * ground
        wall = rng.choice(_WALLS)
        draw.rectangle((x, top, x + bw, ground), fill=wall, outline=(60, 50, 45))
        draw.rectangle((x - 2, top - 6, x + bw + 2, top), fill=(70, 62, 60))  # cornice
        cols, floors = max(2, int(bw / (0.025 * w))), max(2, int((ground - top) / (0.07 * ground)))
        cell_w, cell_h = bw / cols, (ground - top) / (floors + 0.6)
        for fl in range(floors):
            for c in range(cols):
                lit = rng.random() < 0.15
                x0, y0 = x + c * cell_w + cell_w * 0.25, top + fl * cell_h + cell_h * 0.3
                draw.rectangle(
                    (x0, y0, x0 + cell_w * 0.5, y0 + cell_h * 0.5),
                    fill=(235, 215, 150) if lit else (50, 62, 80),
                    outline=(240, 240, 235),
                )
        door = x + bw * rng.uniform(0.3, 0.6)
        draw.rectangle((door, ground - cell_h * 0.55, door + cell_w * 0.45, ground), fill=(60, 40, 30))
        x += bw


def _draw_road(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, ground: float) -> None:
    vx = w * rng.uniform(0.42, 0.58)
    near_half, far_half = w * 0.62, w * 0.09
    draw.polygon(
        [(vx - far_half, ground), (vx + far_half, ground), (vx + near_half, h), (vx - near_half, h)],
        fill=(68, 68, 72),
    )
    for edge in (-1, 1):
        draw.line(
            [(vx + edge * far_half * 0.92, ground), (vx + edge * near_half * 0.92, h)],
            fill=(230, 230, 225),
            width=max(2, w // 320),
        )
    t = 0.0
    while t < 1.0:
        length = 0.06 + 0.1 * t
        y0, y1 = ground + (h - ground) * t, ground + (h - ground) * min(1.0, t + length)
        half = max(1.0, w * (0.002 + 0.006 * t))
        draw.polygon(
            [(vx - half, y0), (vx + half, y0), (vx + half * 1.6, y1), (vx - half * 1.6, y1)],
            fill=(240, 240, 230),
        )
        t += length * 2


def _draw_pole(draw: ImageDraw.ImageDraw, x: float, foot: float, height: float, side: int) -> None:
    thick = max(2.0, height * 0.015)
    top = foot - height
    draw.rectangle((x - thick, top, x + thick, foot), fill=(55, 58, 60))
    arm = x - side * height * 0.18
    draw.line([(x, top), (arm, top - height * 0.03)], fill=(55, 58, 60), width=int(thick))
    draw.ellipse((arm - thick * 3, top - thick * 2, arm + thick * 3, top + thick * 2), fill=(210, 210, 190))


def _draw_tree(draw: ImageDraw.ImageDraw, rng: random.Random, x: float, foot: float, h: int) -> None:
    size = rng.uniform(0.08, 0.14) * h
    draw.rectangle((x - size * 0.07, foot - size * 1.2, x + size * 0.07, foot), fill=(80, 55, 35))
    green = (rng.randint(40, 70), rng.randint(90, 130), rng.randint(35, 60))
    draw.ellipse((x - size * 0.6, foot - size * 2.1, x + size * 0.6, foot - size * 0.9), fill=green)


def _draw_car(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, ground: float) -> None:
    t = rng.uniform(0.25, 0.85)
    y = ground + (h - ground) * t
    scale = 0.05 + 0.18 * t
    cw, ch = w * scale, w * scale * 0.45
    x = w * rng.uniform(0.3, 0.7) - cw / 2
    body = rng.choice(_CARS)
    draw.rounded_rectangle((x, y - ch, x + cw, y), radius=ch * 0.2, fill=body, outline=(20, 20, 20))
    draw.rectangle((x + cw * 0.15, y - ch * 0.95, x + cw * 0.85, y - ch * 0.55), fill=(40, 50, 62))
    for wx in (x + cw * 0.2, x + cw * 0.8):
        draw.ellipse((wx - ch * 0.18, y - ch * 0.18, wx + ch * 0.18, y + ch * 0.18), fill=(15, 15, 15))


def _moved(base: Pixels) -> Pixels:
    # A camera knocked on its mount: rotated and aimed elsewhere.
    h, w = base.shape[:2]
    turned = Image.fromarray(base).rotate(
        14, resample=Image.Resampling.BILINEAR, translate=(w * 0.22, -h * 0.12), fillcolor=(96, 98, 100)
    )
    return np.asarray(turned, dtype=np.uint8)


def _blurred(base: Pixels) -> Pixels:
    h, w = base.shape[:2]
    return np.asarray(Image.fromarray(base).filter(ImageFilter.GaussianBlur(radius=max(4, w // 80))), dtype=np.uint8)


def _covered(seed: int, w: int, h: int) -> Pixels:
    # Tape over the lens: dark, nearly uniform, a faint gradient from light leaking in at one edge.
    tone = np.array((26, 21, 18), np.float32) * random.Random(seed).uniform(0.8, 1.2)
    ramp = np.linspace(1.0, 1.25, w, dtype=np.float32)[None, :, None]
    return np.broadcast_to(tone * ramp, (h, w, 3)).astype(np.uint8)


@dataclass(frozen=True, slots=True)
class _Look:
    gain: float
    noise: float


@dataclass(frozen=True, slots=True)
class Light:
    """The daylight of one frame: overall level (sun, overcast, dusk) and a cloud shadow drifting across."""

    level: float = 1.0
    shadow_at: float = 0.5  # centre of the cloud shadow, as a share of the frame width
    shadow_depth: float = 0.0  # how much light the shadow takes at its centre

    @classmethod
    def random(cls, rng: random.Random, state: ImageState) -> Light:
        """Daylight from dusk (half) to bright sun; at night the street lamps keep the level steadier."""
        low, high = (0.8, 1.15) if state is ImageState.NIGHT else (0.5, 1.15)
        return cls(rng.uniform(low, high), rng.uniform(-0.2, 1.2), rng.uniform(0.0, 0.35))

    def ramp(self, width: int) -> NDArray[np.float32]:
        """Per column, the share of light that reaches the scene."""
        x = np.linspace(0.0, 1.0, width, dtype=np.float32)
        shade = 1.0 - self.shadow_depth * np.exp(-(((x - self.shadow_at) / 0.25) ** 2))
        ramp: NDArray[np.float32] = (shade * self.level).astype(np.float32)
        return ramp


_LOOKS = {
    ImageState.NORMAL: _Look(1.0, 1.0),
    ImageState.NIGHT: _Look(0.25, 2.5),
    ImageState.BLACK: _Look(0.0, 0.3),
    ImageState.COVERED: _Look(1.0, 0.5),
    ImageState.BLURRED: _Look(1.0, 0.5),
    ImageState.FROZEN: _Look(1.0, 1.0),
    ImageState.MOVED: _Look(1.0, 1.0),
}


# States whose picture depends on the light of the moment (a covered or black lens does not).
_LIT = frozenset({ImageState.NORMAL, ImageState.NIGHT, ImageState.BLURRED, ImageState.MOVED})


@dataclass
class SceneCache:
    """Rendered bases shared by all cameras, least recently used dropped beyond `max_bytes`."""

    width: int = 1920
    height: int = 1080
    max_bytes: int = 512 * 2**20
    _bases: OrderedDict[tuple[int, ImageState], Pixels] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _noise: NDArray[np.int16] | None = None

    def base(self, seed: int, state: ImageState) -> Pixels:
        """The noiseless picture for one camera in one image state."""
        kind = state if state in (ImageState.BLURRED, ImageState.MOVED, ImageState.COVERED) else ImageState.NORMAL
        key = (seed, kind)
        with self._lock:
            if key in self._bases:
                self._bases.move_to_end(key)
                return self._bases[key]
        if kind is ImageState.COVERED:
            pixels = _covered(seed, self.width, self.height)
        elif kind is ImageState.NORMAL:
            pixels = render_scene(seed, self.width, self.height)
        else:
            derive = _blurred if kind is ImageState.BLURRED else _moved
            pixels = derive(self.base(seed, ImageState.NORMAL))
        with self._lock:
            self._bases[key] = pixels
            while sum(p.nbytes for p in self._bases.values()) > self.max_bytes and len(self._bases) > 1:
                self._bases.popitem(last=False)
        return pixels

    def noise(self) -> NDArray[np.int16]:
        """One shared field of sensor noise, sliced differently for every frame."""
        with self._lock:
            if self._noise is None:
                field_ = np.random.default_rng(0).normal(0.0, 3.0, (self.height + _NOISE_ROWS, self.width, 3))
                self._noise = field_.astype(np.int16)
            return self._noise

    def frame(self, seed: int, state: ImageState, offset: int, light: Light | None = None) -> bytes:
        """One JPEG: base × gain × light + noise slice `offset`."""
        look = _LOOKS[state]
        base = self.base(seed, state)
        noise = self.noise()[offset % _NOISE_ROWS : offset % _NOISE_ROWS + self.height]
        if look.gain == 1.0 and look.noise == 1.0 and light is None:
            pixels = base.astype(np.int16) + noise
        else:
            gain = np.float32(look.gain) * (light or Light()).ramp(self.width)[None, :, None]
            scaled = base.astype(np.float32) * gain + noise * np.float32(look.noise)
            pixels = scaled.astype(np.int16)
        np.clip(pixels, 0, 255, out=pixels)
        out = io.BytesIO()
        Image.fromarray(pixels.astype(np.uint8)).save(out, "JPEG", quality=_JPEG_QUALITY)
        return out.getvalue()


@dataclass
class Snapshotter:
    """One camera's image source: a new noisy frame per request, the same bytes while frozen."""

    cache: SceneCache
    seed: int
    _offset: int = 0
    _frozen: bytes | None = None
    _last: bytes | None = None
    _rng: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self, state: ImageState) -> bytes:
        """Encode the next frame for `state` (blocking: run it in a worker thread)."""
        with self._lock:
            if state is ImageState.FROZEN:
                # A hung encoder keeps sending the last picture it made.
                if self._frozen is None:
                    self._frozen = self._last or self.cache.frame(self.seed, ImageState.NORMAL, self._offset)
                return self._frozen
            self._frozen = None
            self._offset += self._rng.randint(1, _NOISE_ROWS - 1)
            light = Light.random(self._rng, state) if state in _LIT else None
            self._last = self.cache.frame(self.seed, state, self._offset, light)
            return self._last
