"""Charts as SVG for the uptime report (matplotlib, no display): people would rather look than read."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib
from matplotlib.figure import Figure

BLUE = "#1f4e79"
RED = "#b03a2e"
GREY = "#7f8c8d"
matplotlib.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9, "svg.hashsalt": "camfleet"})

# Figures are made as objects, not through pyplot: no display backend to choose, no global list of open figures, and
# safe in the server's worker threads.


def _svg(figure: Figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg") :]


def monthly_availability(labels: Sequence[str], values: Sequence[float | None], title: str) -> str:
    """Availability per month as bars (gaps where nothing was measured)."""
    figure = Figure(figsize=(7, 2.6))
    axes = figure.subplots()
    shown = [v * 100 if v is not None else 0 for v in values]
    axes.bar(labels, shown, color=[BLUE if v is not None else GREY for v in values])
    low = min((v for v in shown if v), default=100)
    axes.set_ylim(max(0, min(95.0, low - 1)), 100.2)
    axes.set_ylabel("%")
    axes.set_title(title)
    axes.tick_params(axis="x", labelrotation=45)
    return _svg(figure)


def distribution(values: Sequence[float], title: str, xlabel: str) -> str:
    """How availability is spread over the cameras."""
    figure = Figure(figsize=(7, 2.6))
    axes = figure.subplots()
    buckets = [0, 90, 95, 98, 99, 99.5, 99.9, 100.01]
    counts = [sum(1 for v in values if lo <= v * 100 < hi) for lo, hi in zip(buckets, buckets[1:], strict=False)]
    names = ["< 90", "90–95", "95–98", "98–99", "99–99.5", "99.5–99.9", "≥ 99.9"]
    axes.bar(names, counts, color=BLUE)
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    return _svg(figure)


def horizontal(labels: Sequence[str], values: Sequence[float], title: str, xlabel: str, colour: str = RED) -> str:
    """A ranked horizontal bar chart (worst cameras, downtime by cause, faults by kind)."""
    figure = Figure(figsize=(7, max(1.6, 0.32 * len(labels) + 0.8)))
    axes = figure.subplots()
    axes.barh(list(reversed(labels)), list(reversed(values)), color=colour)
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    return _svg(figure)
