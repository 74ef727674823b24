"""The trap receiver (pysnmp) against the simulator's agents on 127.121.5.x: v2c traps under a known community and
v3 traps (authPriv) of a known user from its address are handed on with their sender and name; others are not."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio

from collectors.traps import Trap, TrapReceiver, V3User, trap_topic
from simulator.fleet import SimulatedFleet
from simulator.spec import CameraSpec
from tests.peers.receivers import free_port

V3 = {"snmp_user": "traps", "snmp_auth_key": "auth-key-trap", "snmp_priv_key": "priv-key-trap"}


def _spec(name: str, last: int, **fields: str) -> CameraSpec:
    return CameraSpec(name=name, host=f"127.121.5.{last}", onvif_port=8080, rtsp_port=8554, snmp_port=1161, **fields)


@pytest_asyncio.fixture
async def fleet() -> AsyncIterator[SimulatedFleet]:
    specs = [
        _spec("T-KNOWN", 1, snmp_version="2c", snmp_community="gemeente-venlo"),
        _spec("T-OTHER", 2, snmp_version="2c", snmp_community="iets-anders"),
        _spec("T-V3", 3, snmp_version="3", **V3),
        _spec("T-V3-FORGED", 4, snmp_version="3", snmp_user="traps", snmp_auth_key="guessed", snmp_priv_key="guessed"),
    ]
    async with SimulatedFleet(specs, snapshot_size=(64, 36)) as running:
        yield running


async def test_v2c_traps_under_a_known_community_are_taken(fleet: SimulatedFleet) -> None:
    heard: list[Trap] = []
    port = free_port()
    receiver = TrapReceiver("127.0.0.1", port, heard.append)
    receiver.start()
    try:
        receiver.accept(["gemeente-venlo", "gemeente-venlo"])
        user = V3User(V3["snmp_user"], V3["snmp_auth_key"], V3["snmp_priv_key"])
        # The forger's address is registered with the real camera's keys: its traps fail the digest.
        receiver.accept_v3({"127.121.5.3": user, "127.121.5.4": user})
        for camera in fleet.cameras.values():
            await camera.update(trap_to=f"127.0.0.1:{port}")
        fleet.camera("T-OTHER").send_trap("coldStart")  # a community nobody gave
        fleet.camera("T-V3-FORGED").send_trap("coldStart")
        fleet.camera("T-KNOWN").send_trap("linkDown")
        fleet.camera("T-KNOWN").send_trap("warmStart")
        fleet.camera("T-V3").send_trap("coldStart")  # authPriv, checked and decrypted with the camera's keys
        fleet.camera("T-V3").send_trap("linkUp")  # its engine id known by now
        for _ in range(200):
            if len(heard) >= 4:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # time for any trap that should not be taken to arrive all the same
    finally:
        receiver.close()
    assert heard == [
        Trap("127.121.5.1", "gemeente-venlo", "snmp:linkDown"),
        Trap("127.121.5.1", "gemeente-venlo", "snmp:warmStart"),
        Trap("127.121.5.3", None, "snmp:coldStart", "traps"),
        Trap("127.121.5.3", None, "snmp:linkUp", "traps"),
    ]


def test_trap_names() -> None:
    assert trap_topic((1, 3, 6, 1, 6, 3, 1, 1, 5, 1)) == "snmp:coldStart"
    assert trap_topic((1, 3, 6, 1, 4, 1, 39165, 0, 7)) == "snmp:1.3.6.1.4.1.39165.0.7"
    assert trap_topic(None) == "snmp:unknown"
