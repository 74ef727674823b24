"""The v2c client spreads requests over sockets so that no answer is lost, even with small buffers."""

from __future__ import annotations

import asyncio

from collectors.snmp import BASE_OIDS
from collectors.snmp_wire import SnmpV2cClient
from tests.peers.snmp_echo import EchoSnmpAgent


async def test_small_receive_buffers_lose_nothing() -> None:
    agent = EchoSnmpAgent("127.50.5.2")
    await agent.start()
    # 64 KiB per socket, as on a host where net.core.rmem_max was never raised.
    client = SnmpV2cClient(receive_buffer=64 * 1024)
    count = 1500
    try:
        answers = await asyncio.gather(
            *(client.get((agent.host, agent.port), "public", BASE_OIDS, timeout=30.0, retries=1) for _ in range(count))
        )
        assert client.sockets > 1
    finally:
        client.close()
        await agent.stop()
    assert all(len(answer) == len(BASE_OIDS) for answer in answers)
    # Every request was answered once: a lost answer would have shown as a retransmission.
    assert agent.answered == count
