"""Charts for the reports (matplotlib, no display): people would rather look than read. Drawn as figures, then
written as SVG (HTML and PDF) or PNG (DOCX, which cannot hold SVG)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

BLUE = "#1f4e79"
RED = "#b03a2e"
GREY = "#7f8c8d"
matplotlib.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9, "svg.hashsalt": "camfleet"})

# Figures are made as objects, not through pyplot: no display backend to choose, no global list of open figures, and
# safe in the server's worker threads.


def svg(figure: Figure) -> str:
    """The figure as an SVG element."""
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg") :]


def png(figure: Figure) -> bytes:
    """The figure as a PNG image (150 dpi: sharp on paper, small in a document)."""
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=150, bbox_inches="tight")
    return out.getvalue()


def _say_nothing(axes: Axes, nothing: str) -> None:
    axes.text(0.5, 0.5, nothing, ha="center", va="center", transform=axes.transAxes, color=GREY, fontsize=11)
    axes.set_xticks([])
    axes.set_yticks([])


def monthly_availability(labels: Sequence[str], values: Sequence[float | None], title: str, nothing: str) -> Figure:
    """Availability per month as bars; a month without a measurement says ``nothing`` ("no data") where its bar
    would be, and a chart without any says it across the whole chart."""
    figure = Figure(figsize=(7, 2.6))
    axes = figure.subplots()
    axes.set_title(title)
    if all(v is None for v in values):
        _say_nothing(axes, nothing)
        return figure
    low = min((v * 100 for v in values if v is not None), default=100)
    bottom = max(0, min(95.0, low - 1))
    # Bars stand on the axis's floor rather than on zero, so nothing is drawn below the chart and clipped away.
    axes.bar(labels, [v * 100 - bottom if v is not None else 0 for v in values], bottom=bottom, color=BLUE)
    axes.set_ylim(bottom, 100.2)
    for x, value in enumerate(values):
        if value is None:
            axes.text(x, bottom + (100.2 - bottom) / 2, nothing, rotation=90, ha="center", va="center", color=GREY)
    axes.set_ylabel("%")
    axes.tick_params(axis="x", labelrotation=45)
    return figure


def distribution(values: Sequence[float], title: str, xlabel: str, nothing: str) -> Figure:
    """How availability is spread over the cameras."""
    figure = Figure(figsize=(7, 2.6))
    axes = figure.subplots()
    axes.set_title(title)
    if not values:
        _say_nothing(axes, nothing)
        return figure
    buckets = [0, 90, 95, 98, 99, 99.5, 99.9, 100.01]
    counts = [sum(1 for v in values if lo <= v * 100 < hi) for lo, hi in zip(buckets, buckets[1:], strict=False)]
    names = ["< 90", "90–95", "95–98", "98–99", "99–99.5", "99.5–99.9", "≥ 99.9"]
    axes.bar(names, counts, color=BLUE)
    axes.set_xlabel(xlabel)
    return figure


def horizontal(
    labels: Sequence[str], values: Sequence[float], title: str, xlabel: str, nothing: str, colour: str = RED
) -> Figure:
    """A ranked horizontal bar chart (worst cameras, downtime by cause, faults by kind)."""
    figure = Figure(figsize=(7, max(1.6, 0.32 * len(labels) + 0.8)))
    axes = figure.subplots()
    axes.set_title(title)
    if not any(values):
        _say_nothing(axes, nothing)
        return figure
    axes.barh(list(reversed(labels)), list(reversed(values)), color=colour)
    axes.set_xlabel(xlabel)
    return figure
