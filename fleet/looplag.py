"""How late camfleet's event loop runs: a probe that asks to wake every few milliseconds and notes how late it did.

The lag is what every timer, socket answer and request waited on top of its own time because the loop was busy
with something else. It is exported as a Prometheus histogram, logged past a threshold, and asked by the poller
whether a failed check lost time to camfleet's own stall (then the failure is not the camera's).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fleet import metrics

log = logging.getLogger(__name__)

# How often the probe asks to wake: small enough to see a stall that matters, too rare to cost anything.
PROBE_INTERVAL_S = 0.025
# Lateness below this is the timer's own jitter, not a stall: not summed.
_NOTED = 0.002
# Stalls remembered, newest last: at least the longest check window (the device time limit) at full probe rate.
_REMEMBERED = 8192
# At most one warning line per this many seconds (with the count and the worst since the last one).
_WARN_EVERY_S = 10.0


class LoopLag:
    """The probe and what it saw; ``running`` starts it on the current loop."""

    def __init__(self, warn_above_s: float, *, interval_s: float = PROBE_INTERVAL_S) -> None:
        self.warn_above_s = warn_above_s
        self.interval_s = interval_s
        # (when the probe should have woken, when it did): monotonic seconds, only for lags of _NOTED or more.
        self._stalls: deque[tuple[float, float]] = deque(maxlen=_REMEMBERED)
        self._due: float | None = None
        self._warned_at = 0.0
        self._over = 0
        self._worst = 0.0

    def lost(self, start: float, end: float | None = None) -> float:
        """How long the loop was stalled in total during ``start``..``end`` (monotonic seconds; end: now), in
        seconds: the sum of the probe's lateness overlapping that time, so one long stall counts and so does a loop
        that ran behind all along. A stall still under way counts up to now (the caller may run before the probe
        wakes)."""
        now = time.monotonic()
        end = now if end is None else end
        lost = 0.0
        if self._due is not None and now > self._due:
            lost += max(0.0, min(now, end) - max(self._due, start))
        for due, woke in reversed(self._stalls):
            if woke < start:
                break
            lost += max(0.0, min(woke, end) - max(due, start))
        return lost

    def _note(self, due: float, woke: float) -> None:
        lag = max(0.0, woke - due)
        metrics.LOOP_LAG.observe(lag)
        if lag >= _NOTED:
            self._stalls.append((due, woke))
        if lag < self.warn_above_s:
            return
        self._over += 1
        self._worst = max(self._worst, lag)
        if woke - self._warned_at >= _WARN_EVERY_S:
            log.warning(
                "the event loop ran late %d times since the last warning, at worst %.0f ms (threshold %.0f ms): "
                "something CPU-heavy runs on it, or the machine is overloaded",
                self._over,
                self._worst * 1000,
                self.warn_above_s * 1000,
            )
            self._warned_at, self._over, self._worst = woke, 0, 0.0

    async def _probe(self) -> None:
        while True:
            self._due = time.monotonic() + self.interval_s
            await asyncio.sleep(self.interval_s)
            due, self._due = self._due, None
            self._note(due, time.monotonic())

    @asynccontextmanager
    async def running(self) -> AsyncIterator[LoopLag]:
        """Probe the current loop until the block ends."""
        task = asyncio.create_task(self._probe(), name="camfleet-loop-lag")
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self._due = None
