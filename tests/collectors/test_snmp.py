"""SNMP against snmpsim recordings of real cameras, and a full-concurrency load."""

from __future__ import annotations

import asyncio

from collectors import (
    AuthFailed,
    Collectors,
    SnmpCredentials,
    SnmpObservation,
    Timeout,
    Unsupported,
)
from config.checks import CheckKind
from tests.collectors.conftest import SNMPSIM_HOST, V3_AUTH_KEY, V3_PRIV_KEY, make_target, v2c
from tests.peers.snmp_echo import EchoSnmpAgent
from tests.peers.snmpsim import SnmpSim


async def test_samsung_ipolis(collectors: Collectors, snmpsim: SnmpSim) -> None:
    result = await collectors.run(CheckKind.SNMP, make_target(host=SNMPSIM_HOST, snmp=v2c("samsung-ipolis")))
    assert result.ok, result.error
    observation = result.observation
    assert isinstance(observation, SnmpObservation)
    assert observation.sys_descr == "SAMSUNG iPolis H.264 Premium Level IP Camera"
    assert observation.sys_object_id == "1.3.6.1.4.1.36849.1.2.64"
    assert observation.enterprise == 36849
    assert observation.sys_name == "SNO-7084R"
    assert observation.uptime_s is not None and observation.uptime_s > 0
    assert observation.if_oper_up is True
    assert observation.if_in_errors == 0
    assert observation.storage_ok is True
    assert observation.vendor_values["sd_card"] == "Not Install"
    assert observation.vendor_values["mac"] == "00:16:6c:91:07:b1"


async def test_hikvision_without_system_group_is_found_by_the_probe(collectors: Collectors, snmpsim: SnmpSim) -> None:
    result = await collectors.run(CheckKind.SNMP, make_target(host=SNMPSIM_HOST, snmp=v2c("hikvision")))
    assert result.ok, result.error
    observation = result.observation
    assert isinstance(observation, SnmpObservation)
    assert observation.sys_object_id is None and observation.sys_descr is None
    assert observation.enterprise == 39165
    assert observation.vendor_values["model"] == "DS-2CD4C36FWD-AP"
    assert observation.vendor_values["cpu_percent"] == "52"
    assert observation.vendor_values["memory_percent"] == "75"
    assert observation.vendor_values["memory_size_mb"] == "512"
    assert observation.vendor_values["mac"] == "94:e1:ac:e4:6e:c7"


async def test_v3_auth_priv(collectors: Collectors, snmpsim: SnmpSim) -> None:
    credentials = SnmpCredentials("3", None, "camfleet", V3_AUTH_KEY, V3_PRIV_KEY)
    result = await collectors.run(CheckKind.SNMP, make_target(host=SNMPSIM_HOST, snmp=credentials))
    assert result.ok, result.error
    assert isinstance(result.observation, SnmpObservation)
    assert result.observation.enterprise == 36849


async def test_v3_wrong_key_is_auth_failed_without_the_key(collectors: Collectors, snmpsim: SnmpSim) -> None:
    wrong = V3_AUTH_KEY + "x"
    credentials = SnmpCredentials("3", None, "camfleet", wrong, V3_PRIV_KEY)
    result = await collectors.run(CheckKind.SNMP, make_target(host=SNMPSIM_HOST, snmp=credentials))
    assert isinstance(result.error, AuthFailed)
    assert wrong not in result.error.message and V3_PRIV_KEY not in result.error.message


async def test_wrong_community_is_a_silent_agent(collectors: Collectors, snmpsim: SnmpSim) -> None:
    result = await collectors.run(CheckKind.SNMP, make_target(host=SNMPSIM_HOST, snmp=v2c("not-the-community")))
    assert isinstance(result.error, Timeout)


async def test_no_credentials_is_unsupported(collectors: Collectors) -> None:
    result = await collectors.run(CheckKind.SNMP, make_target(snmp=None))
    assert isinstance(result.error, Unsupported)


async def test_no_answer_lost_at_full_concurrency() -> None:
    # A generous time limit: this test is about datagrams lost in receive buffers (each loss
    # would show as a retransmission the agent answers twice), not about CPU time.
    agent = EchoSnmpAgent("127.50.5.1")
    await agent.start()
    count = 2000
    try:
        async with Collectors(device_timeout=60.0) as collectors:
            targets = [
                make_target(camera_id=n, name=f"c{n}", host=agent.host, snmp=v2c("public")) for n in range(count)
            ]
            results = await asyncio.gather(*(collectors.run(CheckKind.SNMP, target) for target in targets))
    finally:
        await agent.stop()
    failed = [result for result in results if not result.ok]
    assert not failed, f"{len(failed)} failed, first: {failed[0].error!r}"
    assert agent.answered == count
    assert {r.observation.enterprise for r in results if isinstance(r.observation, SnmpObservation)} == {368}
