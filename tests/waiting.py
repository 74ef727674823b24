"""Waiting for a condition with a deadline, never for a fixed time: no flakes on a loaded machine, no dawdling.

``observe`` looks once and returns what it saw (in :func:`eventually` it may be a coroutine function); ``until``
says whether that is what was awaited (by default: it is truthy). The wait ends as soon as it is, and returns what
was seen; when the deadline passes it fails, saying what was awaited and what was last seen. ``observe`` may raise
AssertionError to stop at once (a process that died). Deadlines are generous, for a machine loaded several times
over; the interval between looks is short.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")

INTERVAL = 0.1


def _truthy(seen: Any) -> bool:
    return bool(seen)


def _timed_out(what: str, timeout: float, seen: object) -> AssertionError:
    shown = repr(seen)
    if len(shown) > 3000:
        shown = "... " + shown[-3000:]  # the end of a log is where the news is
    return AssertionError(f"waited {timeout:g} s for {what}; last seen: {shown}")


def wait_until(
    observe: Callable[[], T],
    until: Callable[[T], bool] = _truthy,
    *,
    timeout: float,
    what: str,
    interval: float = INTERVAL,
) -> T:
    """Look with ``observe`` every ``interval`` s until ``until`` holds for what it saw; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        seen = observe()
        if until(seen):
            return seen
        if time.monotonic() > deadline:
            raise _timed_out(what, timeout, seen)
        time.sleep(interval)


async def eventually(
    observe: Callable[[], Awaitable[T]] | Callable[[], T],
    until: Callable[[T], bool] = _truthy,
    *,
    timeout: float,
    what: str,
    interval: float = INTERVAL,
) -> T:
    """The asynchronous twin of :func:`wait_until`: the event loop runs between looks, ``observe`` may be awaited."""
    deadline = time.monotonic() + timeout
    while True:
        looked = observe()
        seen: T = await looked if inspect.isawaitable(looked) else looked
        if until(seen):
            return seen
        if time.monotonic() > deadline:
            raise _timed_out(what, timeout, seen)
        await asyncio.sleep(interval)
