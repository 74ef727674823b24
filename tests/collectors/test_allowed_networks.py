"""Collectors poll only hosts inside `cameras.allowed_networks`: resolved, checked, then contacted at that address."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from collectors import Collectors, ReachabilityObservation, Target
from collectors.errors import NotAllowed, Unreachable
from config.checks import CheckKind
from tests.peers.hostile import Recorder
from tests.waiting import eventually

INSIDE, OUTSIDE = "127.90.10.1", "127.90.11.1"
PORT = 18091
NETWORKS = [ipaddress.ip_network("127.90.10.0/24")]


@pytest_asyncio.fixture
async def recorders() -> AsyncIterator[dict[str, Recorder]]:
    started = {host: Recorder(host, PORT) for host in (INSIDE, OUTSIDE, "127.0.0.1")}
    for recorder in started.values():
        await recorder.start()
    yield started
    for recorder in started.values():
        await recorder.stop()


def _target(host: str) -> Target:
    return Target(1, f"cam-{host}", host, PORT, PORT, 1161, "root", "pw")


@pytest.mark.parametrize("kind", [CheckKind.REACHABILITY, CheckKind.ONVIF_HEALTH, CheckKind.STREAM, CheckKind.IMAGE])
async def test_a_host_outside_is_never_contacted(recorders: dict[str, Recorder], kind: CheckKind) -> None:
    async with Collectors(device_timeout=1.5, allowed_networks=NETWORKS) as collectors:
        for host in (OUTSIDE, "localhost"):  # localhost resolves to 127.0.0.1 (and ::1): outside too
            result = await collectors.run(kind, _target(host))
            assert isinstance(result.error, NotAllowed), result.error
            assert (
                "outside the allowed camera networks" in result.error.message
                and "not contacted" in result.error.message
            )
        unknown = await collectors.run(kind, _target("no-such-camera.invalid"))
        # A control: the same collectors do reach a host inside, and its listener notices.
        await collectors.run(CheckKind.REACHABILITY, _target(INSIDE))
    assert isinstance(unknown.error, Unreachable) and "does not resolve" in unknown.error.message
    await eventually(lambda: recorders[INSIDE].contacts, timeout=5, what="the inside host contacted")
    assert recorders[OUTSIDE].contacts == [] and recorders["127.0.0.1"].contacts == []


async def test_a_host_inside_is_polled_at_the_address_checked(recorders: dict[str, Recorder]) -> None:
    async with Collectors(device_timeout=1.5, allowed_networks=NETWORKS) as collectors:
        inside = await collectors.run(CheckKind.REACHABILITY, _target(INSIDE))
    assert inside.ok and isinstance(inside.observation, ReachabilityObservation), inside.error
    await eventually(lambda: recorders[INSIDE].contacts, timeout=5, what="the inside host contacted")
    loopback = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]
    async with Collectors(device_timeout=1.5, allowed_networks=loopback) as collectors:
        named = await collectors.run(CheckKind.REACHABILITY, _target("localhost"))
    assert named.ok, named.error
    # The name was resolved and its checked address contacted.
    await eventually(lambda: recorders["127.0.0.1"].contacts, timeout=5, what="127.0.0.1 contacted")
