"""Measuring a rendered PDF the way its reader sees it (pdfplumber): what lies outside the page's margins, how much
of a page is empty between its first and last line, and the text of each page."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pdfplumber

MM = 72 / 25.4
# The chapter's @page margins (fleet/reports/templates/_style.html): top, left and right, bottom.
TOP, SIDE, BOTTOM = 18 * MM, 14 * MM, 16 * MM


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    landscape: bool
    text: str
    # Every drawn thing's left and right edge, and the body's (between the running header and the page number).
    spans: list[tuple[float, float]]
    width: float
    body_top: float
    body_bottom: float
    # Covered vertical stretches of the body, merged and sorted (top, bottom), in points from the top of the page.
    covered: list[tuple[float, float]]

    def outside_margins(self) -> list[tuple[float, float]]:
        """The horizontal extents of what is drawn beyond the left or right margin (a table cut off or too wide)."""
        return [(x0, x1) for x0, x1 in self.spans if x0 < SIDE - 1 or x1 > self.width - SIDE + 1]

    def largest_gap(self) -> float:
        """The tallest empty band between two things on the body of the page, as a share of the body's height."""
        gaps = [b[0] - a[1] for a, b in zip(self.covered, self.covered[1:], strict=False)]
        return max(gaps, default=0.0) / (self.body_bottom - self.body_top)

    def fill(self) -> float:
        """How far down the body the page's content reaches (0–1)."""
        if not self.covered:
            return 0.0
        return (self.covered[-1][1] - self.body_top) / (self.body_bottom - self.body_top)


def _merge(stretches: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for top, bottom in sorted(stretches):
        if merged and top <= merged[-1][1] + 0.5:
            merged[-1] = (merged[-1][0], max(merged[-1][1], bottom))
        else:
            merged.append((top, bottom))
    return merged


def pages(pdf: bytes) -> list[Page]:
    """The PDF's pages, measured."""
    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, 1):
            drawn = [*page.chars, *page.rects, *page.lines, *page.curves, *page.images]
            body_top, body_bottom = TOP, float(page.height) - BOTTOM
            body = [(float(o["top"]), float(o["bottom"])) for o in drawn if body_top - 1 <= o["top"] <= body_bottom]
            found.append(
                Page(
                    number=number,
                    landscape=page.width > page.height,
                    text=page.extract_text() or "",
                    spans=[(float(o["x0"]), float(o["x1"])) for o in drawn],
                    width=float(page.width),
                    body_top=body_top,
                    body_bottom=body_bottom,
                    covered=_merge(body),
                )
            )
    return found
