"""A private PostgreSQL cluster for fault tests: created in a temporary folder, stopped, restarted, thrown away.

Fault tests stop and restart PostgreSQL; they must never touch the system server on port 5432 that the rest of the
suite (and other work on the machine) uses. So each run makes its own cluster with PostgreSQL 15's initdb and
pg_ctl, run as the ``postgres`` OS user (the server refuses to run as root), listening on 127.0.0.1 on a free port
with its Unix socket in the same temporary folder.
"""

from __future__ import annotations

import asyncio
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.peers.receivers import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
# Speed over durability: the cluster lives for one test run.
FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def unavailable() -> str | None:
    """Why a private cluster cannot be made here, or None."""
    if not (PG_BIN / "initdb").is_file():
        return f"no PostgreSQL 15 server binaries in {PG_BIN}"
    if shutil.which("runuser") is None:
        return "runuser is missing"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "there is no postgres OS user"
    return None


class PrivateCluster:
    """initdb, start, stop, restart and remove one throw-away cluster."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="camfleet-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        account = pwd.getpwnam("postgres")
        shutil.chown(self.root, account.pw_uid, account.pw_gid)

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", *args], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr.strip()}\n{log}")

    def create(self) -> None:
        """Make the cluster and start it."""
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip
        self.start()

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 {FAST}"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        """Stop at once, dropping every connection (as a crash or a restart of the server does to its clients)."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stop if running and delete every file."""
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        """A plain URL, as a user would give it to camfleet."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, *statements: str) -> None:
        """Run statements on the ``postgres`` database, outside any transaction (blocking)."""

        async def go() -> None:
            engine = create_async_engine(
                f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres", isolation_level="AUTOCOMMIT"
            )
            try:
                async with engine.connect() as connection:
                    for statement in statements:
                        await connection.execute(text(statement))
            finally:
                await engine.dispose()

        asyncio.run(go())

    def drop_sessions(self, database: str) -> None:
        """End every session on ``database`` (what a failover does to the clients)."""
        self.admin(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' "
            "AND pid <> pg_backend_pid()"
        )
