"""A simulated fleet driven through its real control API, and a Poller whose faults settle on one result: what the
end-to-end tests of injected faults share."""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator

import aiohttp

from collectors.registry import Collectors
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from scheduler.polling import Poller
from simulator.control import ControlServer
from simulator.fleet import SimulatedFleet


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
async def settling_poller(
    settings: Settings, database: Database, cipher: CredentialCipher, *, owner: str, seed: int
) -> AsyncIterator[Poller]:
    """A Poller whose faults open on one bad result and close on one good one."""
    fast = settings.model_copy(
        update={"faults": settings.faults.model_copy(update={"failures_to_open": 1, "successes_to_close": 1})}
    )
    async with Collectors.for_settings(fast) as collectors:
        yield Poller(database, fast, collectors, cipher, owner=owner, rng=random.Random(seed))
