"""On SQLite, one scheduler per database file, held by a lock the operating system drops when the process dies.

Several collectors share work only through PostgreSQL row locks (SELECT … FOR UPDATE SKIP LOCKED); SQLite has no
row locks, so two schedulers on one SQLite file would both poll every camera and fight over the single writer.
The guard is ``flock`` on a file beside the database: the kernel releases it when the last descriptor closes,
so also on ``kill -9`` or a crash, where a PID file would be left behind stale and need a person to remove it.
SQLite's own locks cannot serve: they last one transaction, and holding one open would block every writer.
The lock file is never deleted: deleting it while another process waits on it would let two hold "the" lock.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from config.settings import Settings
from fleet.errors import Conflict

LOCK_SUFFIX = ".scheduler.lock"


class SchedulerAlreadyRunning(Conflict):
    """Another process runs the scheduler on the same SQLite file."""


def lock_path(settings: Settings) -> Path | None:
    """The lock file beside the SQLite database, or None (PostgreSQL, or an in-memory database)."""
    if not settings.is_sqlite:
        return None
    database = make_url(settings.database_url).database
    if not database or database == ":memory:":
        return None
    return Path(database).with_name(Path(database).name + LOCK_SUFFIX)


@contextmanager
def sole_scheduler(settings: Settings) -> Iterator[None]:
    """Hold the scheduler lock of a SQLite database for the block; raise if another process holds it."""
    path = lock_path(settings)
    if path is None:
        yield
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 200, 0).decode(errors="replace").strip() or "another process"
            raise SchedulerAlreadyRunning(
                f"a collector already runs on {str(path).removesuffix(LOCK_SUFFIX)} ({holder}); SQLite allows one "
                "per database: stop it, or run `camfleet serve --no-scheduler` beside it, or use PostgreSQL"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"pid {os.getpid()}".encode(), 0)
        yield
    finally:
        os.close(descriptor)
