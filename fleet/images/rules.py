"""Pure image rules: from a snapshot's statistics (and the previous digest and the reference) to verdicts."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from config.settings import ImageSettings
from fleet.faults.models import FaultKind


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one snapshot shows; None: cannot be told from this snapshot (no previous one, no reference, or the
    picture is too dark or flat for the question to mean anything)."""

    black: bool
    covered: bool
    blurred: bool | None
    frozen: bool | None
    moved: bool | None
    similarity: float | None

    @property
    def usable(self) -> bool:
        """Whether the snapshot shows a scene sharp enough to serve as a reference."""
        return not self.black and not self.covered and self.blurred is False

    def faults(self) -> dict[FaultKind, bool | None]:
        """Each image fault kind: bad (True), fine (False) or not judged (None)."""
        return {
            FaultKind.IMAGE_BLACK: self.black,
            FaultKind.IMAGE_COVERED: self.covered,
            FaultKind.IMAGE_BLURRED: self.blurred,
            FaultKind.IMAGE_FROZEN: self.frozen,
            FaultKind.IMAGE_MOVED: self.moved,
        }


def similarity(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two structure signatures (1: same view; near 0: unrelated)."""
    if len(a) != len(b):
        return 0.0
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return 0.0 if norm == 0 else sum(x * y for x, y in zip(a, b, strict=True)) / norm


def judge(
    values: Mapping[str, Any],
    *,
    previous_digest: str | None,
    reference: Sequence[float] | None,
    limits: ImageSettings,
) -> Verdict:
    """Judge one snapshot's statistics.

    Black: dark and flat. Covered: flat but not black (tape, a bag, a lens cap with light leaking in). Blurred,
    frozen and moved are only judged on a picture that is neither: a black frame repeating is black, not frozen.
    Moved is not judged on a blurred picture either, whose edges are gone.
    """
    brightness, contrast = float(values["brightness"]), float(values["contrast"])
    black = brightness <= limits.black_max_brightness and contrast <= limits.black_max_contrast
    covered = not black and contrast <= limits.covered_max_contrast
    if black or covered:
        return Verdict(black, covered, None, None, None, None)
    blurred = float(values["sharpness"]) < limits.blurred_max_sharpness
    frozen = None if previous_digest is None else values["digest"] == previous_digest
    score = None if reference is None or blurred else similarity(values["signature"], reference)
    moved = None if score is None else score < limits.moved_min_similarity
    return Verdict(False, False, blurred, frozen, moved, None if score is None else round(score, 4))
