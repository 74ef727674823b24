"""Hostile cameras fail alone, with the right error, within the time limit."""

from __future__ import annotations

import asyncio

import pytest

from collectors import (
    AuthFailed,
    BadResponse,
    CheckResult,
    Collectors,
    OnvifHealthObservation,
    Timeout,
    Unreachable,
)
from collectors.errors import CollectorError
from config.checks import CheckKind
from tests.collectors.conftest import DEVICE_TIMEOUT, PASSWORD, PELCO_HOST, make_target, v2c
from tests.peers.hostile import HostileHttpCamera, HostileSnmpAgent, HttpHostility, Recorder, SnmpHostility
from tests.peers.onvif_replay import OnvifReplayCamera

EXPECTED_HTTP: dict[HttpHostility, type[CollectorError]] = {
    HttpHostility.xml_bomb: BadResponse,
    HttpHostility.external_entity: BadResponse,
    HttpHostility.garbage: BadResponse,
    HttpHostility.not_http: BadResponse,
    HttpHostility.html_500: BadResponse,
    HttpHostility.hang: Timeout,
    HttpHostility.slow_drip: Timeout,
    HttpHostility.huge_content_length: BadResponse,
    HttpHostility.huge_chunked: BadResponse,
    HttpHostility.reset: Unreachable,
    HttpHostility.close: Unreachable,
    HttpHostility.not_authorized: AuthFailed,
    HttpHostility.external_entity_http: BadResponse,
    HttpHostility.redirect: BadResponse,
    HttpHostility.unauthorized_loop: AuthFailed,
}
EXPECTED_SNMP: dict[SnmpHostility, type[CollectorError]] = {
    SnmpHostility.garbage: BadResponse,
    SnmpHostility.oversized: BadResponse,
    SnmpHostility.wrong_community: BadResponse,
    SnmpHostility.silent: Timeout,
    SnmpHostility.other_address: Timeout,
    SnmpHostility.wrong_request_id: Timeout,
    SnmpHostility.truncated: BadResponse,
}
# Scheduling and tear-down beyond the per-device limit, generous for a loaded machine: a limit that was not enforced
# would let a hang or a drip run for an hour, so the bound tells the two apart without timing the machine.
SLACK_S = DEVICE_TIMEOUT


def assert_failed_as(result: CheckResult, expected: type[CollectorError]) -> None:
    assert not result.ok and result.observation is None
    assert type(result.error) is expected, f"{result.target_name}: {result.error!r}"
    assert result.duration_s < DEVICE_TIMEOUT + SLACK_S
    assert PASSWORD not in result.error.message


@pytest.mark.parametrize("kind", [CheckKind.ONVIF_HEALTH, CheckKind.ONVIF_IDENTITY, CheckKind.SECURITY])
async def test_hostile_http_cameras_fail_alone(
    kind: CheckKind,
    collectors: Collectors,
    hostile_http: dict[HttpHostility, HostileHttpCamera],
    pelco: OnvifReplayCamera,
    recorder: Recorder,
) -> None:
    hostile = [make_target(name=h.value, host=camera.host) for h, camera in hostile_http.items()]
    healthy = make_target(name="healthy", host=PELCO_HOST, username=None, password=None)
    results = await asyncio.gather(collectors.run(kind, healthy), *(collectors.run(kind, target) for target in hostile))
    healthy_result, *hostile_results = results
    # Held up by a hostile camera, the healthy check would have run into its own device limit and failed.
    assert healthy_result.ok, healthy_result.error
    for hostility, result in zip(hostile_http, hostile_results, strict=True):
        assert_failed_as(result, EXPECTED_HTTP[hostility])
    # No entity, DTD or redirect made us fetch from anywhere else.
    assert recorder.contacts == []


async def test_hostile_snmp_agents_fail_alone(
    collectors: Collectors, hostile_snmp: dict[SnmpHostility, HostileSnmpAgent], pelco: OnvifReplayCamera
) -> None:
    hostile = [make_target(name=h.value, host=agent.host, snmp=v2c("public")) for h, agent in hostile_snmp.items()]
    healthy = make_target(name="healthy", host=PELCO_HOST, username=None, password=None)
    results = await asyncio.gather(
        collectors.run(CheckKind.ONVIF_HEALTH, healthy), *(collectors.run(CheckKind.SNMP, t) for t in hostile)
    )
    healthy_result, *hostile_results = results
    assert isinstance(healthy_result.observation, OnvifHealthObservation), healthy_result.error
    for hostility, result in zip(hostile_snmp, hostile_results, strict=True):
        assert_failed_as(result, EXPECTED_SNMP[hostility])
