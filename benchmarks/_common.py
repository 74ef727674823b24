"""What the benchmarks share: the machine's load, a process's CPU and memory, timing, targets and ratios, and fresh
camfleet databases on SQLite or PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from config.settings import Settings
from fleet.audit.service import Actor
from fleet.cameras import importer
from fleet.cameras import service as cameras
from fleet.crypto import CredentialCipher, load_key
from fleet.db import Database

ROOT = Path(__file__).resolve().parent.parent
CAMFLEET = str(Path(sys.executable).parent / "camfleet")
SECRET = "benchmark-secret-key-that-is-long-enough"
# The local PostgreSQL server (trust authentication); each benchmark makes a database of its own and drops it.
PG_SERVER = "postgres@127.0.0.1:5432"
ENGINES = ("sqlite", "postgresql")


def run_in_workdir(
    benchmark: Callable[[argparse.Namespace, Path], Coroutine[Any, Any, str]], args: argparse.Namespace
) -> int:
    """Run a benchmark in a temporary working directory, quietly, and print its machine-readable line last."""
    quiet_logging()
    with tempfile.TemporaryDirectory(prefix="camfleet-bench-") as workdir:
        line = asyncio.run(benchmark(args, Path(workdir)))
    print(line, flush=True)
    return 0


def quiet_logging() -> None:
    """Warnings only: progress lines (migrations, jobs, collector failures) would drown the figures."""
    logging.basicConfig(level=logging.WARNING, force=True)
    logging.getLogger("alembic").setLevel(logging.WARNING)


# --- the machine and the process ----------------------------------------------------------------------------------


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (the machine is shared: they say how far to trust a run)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def peak_rss_mb() -> float:
    """Peak resident set of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    """User + system CPU of a process so far (all its threads), or of one of its threads (the main one: ``pid``)."""
    stat = Path(f"/proc/{pid}/stat" if thread is None else f"/proc/{pid}/task/{thread}/stat")
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def server_cpu(database: Database) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL server process serving this database (none on SQLite)."""
    if database.engine.dialect.name != "postgresql":
        return {}
    async with database.engine.connect() as connection:
        pids = await connection.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
        found = {}
        for (pid,) in pids:
            with contextlib.suppress(OSError):
                found[int(pid)] = cpu_seconds(int(pid))
    return found


def server_cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    """The CPU the server processes used between two `server_cpu` readings (a process new since: all of its own)."""
    return sum(used - before.get(pid, 0.0) for pid, used in after.items())


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine has spent busy so far (all processes, ours and everyone else's)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class Timing:
    """Wall-clock seconds of a `timed` block and this process's CPU seconds in it (set when the block ends)."""

    seconds: float = 0.0
    cpu_s: float = 0.0


@contextmanager
def timed() -> Iterator[Timing]:
    """Time the block by the wall clock and by this process's CPU."""
    timing = Timing()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        yield timing
    finally:
        timing.seconds, timing.cpu_s = time.perf_counter() - started, time.process_time() - cpu


def ratio(measured: float, baseline: float) -> float:
    """The measured figure as a multiple of its baseline from the same run (0 without a baseline)."""
    return measured / baseline if baseline else 0.0


def target(label: str, met: bool, detail: str) -> None:
    """One line saying whether a target was met, and by what figure."""
    print(f"target {'MET' if met else 'MISSED'}: {label} ({detail})", flush=True)


# --- databases ----------------------------------------------------------------------------------------------------


async def pg_admin(statement: str) -> None:
    """Run a statement on the PostgreSQL server outside a transaction (CREATE / DROP DATABASE)."""
    engine = create_async_engine(f"postgresql+asyncpg://{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@asynccontextmanager
async def database_url(engine: str, data_dir: Path) -> AsyncIterator[str]:
    """A fresh, empty database: a SQLite file in `data_dir`, or a PostgreSQL database dropped at the end."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if engine == "sqlite":
        yield f"sqlite:///{data_dir / 'camfleet.db'}"
        return
    name = f"camfleet_bench_{uuid.uuid4().hex[:8]}"
    await pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://{PG_SERVER}/{name}"
    finally:
        await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_settings(data_dir: Path, url: str, **overrides: Any) -> Settings:
    """Settings for a benchmark's database in `data_dir`."""
    return Settings(data_dir=data_dir, database_url=url, secret_key=SECRET, **overrides)


async def migrated(settings: Settings) -> Database:
    """The settings' database with camfleet's schema (migrated in a thread, as the CLI does)."""
    # Imported here: importing Alembic logs its plugin set-up at INFO, before a script configures logging.
    from fleet.schema import upgrade

    await asyncio.to_thread(upgrade, settings.database_url)
    return Database(settings)


async def import_fleet(database: Database, settings: Settings, fleet_csv: Path) -> CredentialCipher:
    """Import a fleet file through camfleet's importer, as `camfleet cameras import` does."""
    rows = importer.read_camera_file(fleet_csv)
    cipher = CredentialCipher(load_key(settings))
    async with database.unit_of_work() as session:
        await cameras.upsert_many(
            session, actor=Actor.system("benchmark"), rows=importer.iter_cameras(rows), cipher=cipher
        )
    return cipher
