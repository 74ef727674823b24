"""What the browser tests share: a `camfleet` environment on SQLite, `camfleet serve` on this loopback range, and
Debian's chromium (through Playwright) that records console errors and numbered screenshots."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from playwright.async_api import Page, async_playwright

from tests.conftest import CAMFLEET, run_cli
from tests.waiting import wait_until

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
HOST = "127.91.0.100"
PASSWORD = "kade-lantaarn-venlo-1"


def camfleet_env(sqlite_template: Path, tmp_path: Path) -> dict[str, str]:
    """A `camfleet` environment on a migrated SQLite database of the test's own, pages in English."""
    database = tmp_path / "camfleet.db"
    shutil.copy(sqlite_template, database)  # with its mode (0600)
    return {
        **os.environ,
        "CAMFLEET_DATA_DIR": str(tmp_path / "var"),
        "CAMFLEET_DATABASE_URL": f"sqlite:///{database}",
        "CAMFLEET_CONFIG": "",
        "CAMFLEET_SCHEDULER__DEVICE_TIMEOUT": "3s",
        "CAMFLEET_WEB__LANGUAGE": "en",
        "COLUMNS": "200",
    }


def create_users(env: dict[str, str], users: dict[str, str]) -> None:
    """Users (name: role) with PASSWORD, made as an operator makes them."""
    for name, role in users.items():
        made = run_cli(env, "users", "create", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[str]:
    """`camfleet serve --no-scheduler` until the block ends; its URL once it answers its health check."""
    port = _free_port()
    process = subprocess.Popen(
        [CAMFLEET, "serve", "--no-scheduler", "--host", HOST, "--port", str(port)],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://{HOST}:{port}"

    def health() -> int | None:
        if process.poll() is not None:
            raise AssertionError(f"camfleet serve exited: {log.read_text()}")
        try:
            return httpx.get(f"{url}/api/v1/health", timeout=2).status_code
        except httpx.TransportError:
            return None

    try:
        wait_until(health, lambda seen: seen == 200, timeout=60, what="camfleet serve's health")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class Journey:
    """One person's browser session on the server, the console errors it met, and its numbered screenshots."""

    server: str
    page: Page
    name: str = ""
    problems: list[str] = field(default_factory=list)
    step: int = 0

    async def shot(self, name: str) -> None:
        self.step += 1
        prefix = f"{self.name}-" if self.name else ""
        await self.page.screenshot(path=str(ARTIFACTS / f"{prefix}{self.step:02d}-{name}.png"), full_page=True)


@contextlib.asynccontextmanager
async def browser(server: str, name: str = "") -> AsyncIterator[Journey]:
    """Chromium on the server; console errors (a CSP violation, a script error) are collected in ``problems``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = await launched.new_context(accept_downloads=True, locale="en-GB", timezone_id="Europe/Amsterdam")
        journey = Journey(server, await context.new_page(), name)
        journey.page.on("console", lambda m: journey.problems.append(m.text) if m.type == "error" else None)
        journey.page.on("pageerror", lambda e: journey.problems.append(str(e)))
        yield journey
        await context.close()
        await launched.close()
