"""CPU-heavy work off the event loop, with bounded concurrency: the one place that decides where it runs.

In `camfleet serve` the API, the collectors, the claim renewal and the alert dispatcher share one event loop. A PDF
(WeasyPrint), a spreadsheet (openpyxl), charts (matplotlib) or a long recurrence run on that loop stops all of them
for seconds: the cameras are not asked, and checks in flight time out as if the cameras had failed.

Two lanes, chosen by measurement (benchmarks/busy_server.py):

- ``cpu``: pure-Python work (WeasyPrint, openpyxl, matplotlib, dateutil) in a pool of worker *processes*. These
  libraries hold the GIL, so in a thread they still take the loop's CPU: the loop then waits up to the interpreter's
  switch interval (5 ms) each time it wants the GIL back, which is after every socket call it makes. The workers run
  at a lower scheduling priority, so polling wins the CPU whenever both want it.
- ``blocking``: work that releases the GIL (argon2's C code through cffi, file I/O) in a pool of *threads*.

Each lane runs at most ``[web] heavy_workers`` jobs at once; the rest wait in the pool's queue, so a burst of
downloads or logins queues instead of starving polling. A job's function and arguments must be picklable for the
``cpu`` lane (module-level functions and plain data).

A request that makes a heavy job also reads the database first. ``turn(kind)`` lets only so many such requests in
at once, waiting *before* they hold a database connection: otherwise thirty logins queued for argon2 would hold
thirty connections, and the poller and the health check would wait for one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import partial
from typing import Any, TypeVar

from fleet import metrics

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_WORKERS = 2
# The libraries the workers need, imported once by the fork server so that each worker starts ready.
_PRELOAD = ["weasyprint", "openpyxl", "matplotlib.figure", "dateutil.rrule"]
# A worker is replaced after this many jobs: WeasyPrint and matplotlib keep caches that only grow.
_JOBS_PER_WORKER = 100
# How much lower than the server the workers run (nice), so the loop gets the CPU first: measured with
# benchmarks/busy_server.py, 5 still let a storm of downloads and logins add run-queue waits to the loop's lag.
_WORKER_NICENESS = 10


def _lower_priority() -> None:
    """Run the calling worker (process, or thread: Linux schedules each thread on its own) below the loop: a lower
    priority, and as a batch job, which never preempts the loop when it wakes."""
    with contextlib.suppress(OSError):  # not permitted here: run at the same priority
        os.nice(_WORKER_NICENESS)
    batch = getattr(os, "SCHED_BATCH", None)
    if batch is not None:
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, batch, os.sched_param(0))


class Offload:
    """The two pools, made when first used (a command that renders nothing starts no process)."""

    def __init__(self, workers: int = DEFAULT_WORKERS) -> None:
        if workers < 1:
            raise ValueError("at least one worker")
        self.workers = workers
        self._lock = threading.Lock()
        self._processes: ProcessPoolExecutor | None = None
        self._threads: ThreadPoolExecutor | None = None
        # Per event loop (a semaphore belongs to one), per kind of request.
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Semaphore]] = (
            weakref.WeakKeyDictionary()
        )

    def _process_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._processes is None:
                # Not fork: the server has threads (database drivers, the thread lane), which fork does not copy.
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(_PRELOAD)
                self._processes = ProcessPoolExecutor(
                    self.workers,
                    mp_context=context,
                    initializer=_lower_priority,
                    max_tasks_per_child=_JOBS_PER_WORKER,
                )
            return self._processes

    def _thread_pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._threads is None:
                # Linux gives each thread its own nice value: the hashing threads yield the CPU to the loop too.
                self._threads = ThreadPoolExecutor(
                    self.workers, thread_name_prefix="camfleet-heavy", initializer=_lower_priority
                )
            return self._threads

    @asynccontextmanager
    async def turn(self, kind: str) -> AsyncIterator[None]:
        """Hold one of ``workers`` turns for a request of this kind (documents, passwords) while the block runs."""
        gates = self._turns.setdefault(asyncio.get_running_loop(), {})
        gate = gates.setdefault(kind, asyncio.Semaphore(self.workers))
        metrics.HEAVY_REQUESTS.labels(kind=kind).inc()
        try:
            async with gate:
                yield
        finally:
            metrics.HEAVY_REQUESTS.labels(kind=kind).dec()

    async def cpu(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)`` in a worker process; its result, or its exception."""
        try:
            return await self._run("cpu", self._process_pool(), function, args, kwargs)
        except BrokenProcessPool:
            # A worker died (out of memory, killed): a new pool for this job and the ones after it.
            log.warning("a heavy worker process died; starting new ones")
            with self._lock:
                broken, self._processes = self._processes, None
            if broken is not None:
                broken.shutdown(wait=False, cancel_futures=True)
            return await self._run("cpu", self._process_pool(), function, args, kwargs)

    async def blocking(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)`` in a worker thread (for work that releases the GIL)."""
        return await self._run("blocking", self._thread_pool(), function, args, kwargs)

    async def _run(
        self, lane: str, pool: Executor, function: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> T:
        name = getattr(function, "__qualname__", type(function).__name__)
        metrics.HEAVY_JOBS.labels(lane=lane).inc()
        started = time.perf_counter()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, partial(function, *args, **kwargs))
        finally:
            metrics.HEAVY_JOBS.labels(lane=lane).dec()
            metrics.HEAVY_SECONDS.labels(lane=lane, job=name).observe(time.perf_counter() - started)

    def shutdown(self) -> None:
        """Stop the workers (jobs under way are finished first)."""
        with self._lock:
            processes, threads, self._processes, self._threads = self._processes, self._threads, None, None
        if processes is not None:
            processes.shutdown(wait=True, cancel_futures=True)
        if threads is not None:
            threads.shutdown(wait=True, cancel_futures=True)


_current = Offload()


def configure(workers: int) -> Offload:
    """Use ``workers`` per lane from now on (``camfleet serve`` at start, from ``[web] heavy_workers``)."""
    global _current
    if workers != _current.workers:
        previous, _current = _current, Offload(workers)
        previous.shutdown()
    return _current


def current() -> Offload:
    """The process's pools."""
    return _current


def turn(kind: str) -> AbstractAsyncContextManager[None]:
    """A turn for a request of this kind in the current pools (see Offload.turn)."""
    return _current.turn(kind)


async def cpu(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` in a worker process of the current pools."""
    return await _current.cpu(function, *args, **kwargs)


async def blocking(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` in a worker thread of the current pools."""
    return await _current.blocking(function, *args, **kwargs)
