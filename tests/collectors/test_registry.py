"""The registry covers every kind; run_check turns every failure into a result and keeps secrets out."""

from __future__ import annotations

import asyncio

from collectors import CollectorError, Collectors, Observation, Target, Timeout, run_check
from collectors.errors import BadResponse
from config.checks import CheckKind
from tests.collectors.conftest import PASSWORD, make_target


class EchoingCamera:
    """A collector whose camera echoes the password it was sent into its error text."""

    kind = CheckKind.ONVIF_HEALTH

    async def collect(self, target: Target) -> Observation:
        raise BadResponse(f"device said: bad password {target.password}")


class SleepingCamera:
    """A collector whose camera never answers."""

    kind = CheckKind.ONVIF_HEALTH

    async def collect(self, target: Target) -> Observation:
        await asyncio.sleep(60)
        raise AssertionError("unreachable")


class BrokenCollector:
    """A collector with a bug."""

    kind = CheckKind.SNMP

    async def collect(self, target: Target) -> Observation:
        raise KeyError("bug")


def test_every_kind_has_a_collector(collectors: Collectors) -> None:
    assert {collectors[kind].kind for kind in CheckKind} == set(CheckKind)


async def test_echoed_password_is_masked() -> None:
    result = await run_check(EchoingCamera(), make_target(), timeout=1.0)
    assert isinstance(result.error, BadResponse)
    assert PASSWORD not in result.error.message and PASSWORD not in repr(result)
    assert "***" in result.error.message


async def test_hard_timeout_covers_the_whole_exchange() -> None:
    result = await run_check(SleepingCamera(), make_target(), timeout=0.2)
    assert isinstance(result.error, Timeout)
    assert 0.2 <= result.duration_s < 1.0


async def test_a_bug_becomes_a_failed_result() -> None:
    result = await run_check(BrokenCollector(), make_target(), timeout=1.0)
    assert not result.ok
    assert type(result.error) is CollectorError
    assert "KeyError" in result.error.message
