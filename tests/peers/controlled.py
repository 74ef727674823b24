"""A simulated fleet driven through its real control API, and a Poller whose faults settle on one result: what the
end-to-end tests of injected faults share."""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from collectors.registry import Collectors
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from scheduler.polling import Poller
from simulator.control import ControlServer
from simulator.fleet import SimulatedFleet
from simulator.spec import parse_fleet_text


@contextlib.asynccontextmanager
async def control_api(fleet: SimulatedFleet, address: tuple[str, int]) -> AsyncIterator[aiohttp.ClientSession]:
    """The fleet's control API served on address, and an HTTP client for it."""
    server = ControlServer(fleet, *address)
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            yield http
    finally:
        await server.stop()


@contextlib.asynccontextmanager
async def simulated(fleet_text: str, address: tuple[str, int]) -> AsyncIterator[aiohttp.ClientSession]:
    """A simulated fleet from a fleet file's text, running with its control API on address (small snapshots)."""
    fleet = SimulatedFleet(parse_fleet_text(fleet_text), snapshot_size=(64, 48))
    async with fleet, control_api(fleet, address) as http:
        yield http


async def inject(http: aiohttp.ClientSession, address: tuple[str, int], device: str, body: dict[str, Any]) -> None:
    """Change a simulated device through the control API (PATCH /cameras/NAME), as a test's fault injection."""
    async with http.patch(f"http://{address[0]}:{address[1]}/cameras/{device}", json=body) as response:
        assert response.status == 200, await response.text()


@contextlib.asynccontextmanager
async def settling_poller(
    settings: Settings, database: Database, cipher: CredentialCipher, *, owner: str, seed: int
) -> AsyncIterator[Poller]:
    """A Poller whose faults open on one bad result and close on one good one."""
    fast = settings.model_copy(
        update={"faults": settings.faults.model_copy(update={"failures_to_open": 1, "successes_to_close": 1})}
    )
    async with Collectors.for_settings(fast) as collectors:
        yield Poller(database, fast, collectors, cipher, owner=owner, rng=random.Random(seed))
