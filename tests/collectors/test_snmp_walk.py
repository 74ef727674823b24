"""Walking SNMP tables (GETBULK) against the simulator's agents, v2c and v3, and against hostile table agents."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from collectors import BadResponse, Collectors, SnmpCredentials, SnmpObservation, Target, Timeout
from collectors.snmp import SnmpCollector
from collectors.snmp_walk import Row, WalkLimits
from config.checks import CheckKind
from simulator.fleet import SimulatedFleet
from simulator.spec import CameraSpec
from tests.collectors.conftest import make_target, v2c
from tests.peers.snmp_tables import HostileTableAgent, TableHostility

IF_DESCR, IF_OPER_STATUS, IF_PHYS = "1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.8", "1.3.6.1.2.1.2.2.1.6"
V3 = {"snmp_user": "walker", "snmp_auth_key": "auth-key-134", "snmp_priv_key": "priv-key-134"}
V2C_HOST, V3_HOST, NVR_HOST = "127.134.1.1", "127.134.1.2", "127.143.1.1"
HOSTILE = {h: f"127.134.2.{n}" for n, h in enumerate(TableHostility, start=1)}


@pytest_asyncio.fixture(scope="module")
async def agents() -> AsyncIterator[SimulatedFleet]:
    """Two simulated cameras (v2c and v3), a recorder with four disks, and one hostile table agent per hostility."""
    specs = [
        CameraSpec(name="W-V2C", host=V2C_HOST, snmp_port=1161, snmp_version="2c", snmp_community="walk-c0mm"),
        CameraSpec(name="W-V3", host=V3_HOST, snmp_port=1161, snmp_version="3", **V3),
        CameraSpec(name="W-NVR", host=NVR_HOST, snmp_port=1161, snmp_community="walk-c0mm", sim_disks=4),
    ]
    hostile = [HostileTableAgent(hostility, host) for hostility, host in HOSTILE.items()]
    for agent in hostile:
        await agent.start()
    async with SimulatedFleet(specs) as fleet:
        yield fleet
    for agent in hostile:
        await agent.stop()


V3_CREDENTIALS = SnmpCredentials("3", None, V3["snmp_user"], V3["snmp_auth_key"], V3["snmp_priv_key"])


@pytest.mark.parametrize(("host", "credentials"), [(V2C_HOST, v2c("walk-c0mm")), (V3_HOST, V3_CREDENTIALS)])
async def test_walks_columns_together_in_order(
    collectors: Collectors, agents: SimulatedFleet, host: str, credentials: SnmpCredentials
) -> None:
    target = make_target(host=host, snmp_port=1161, snmp=credentials)
    # One row per GETBULK: the walk must carry each column's cursor from answer to answer.
    tables = await collectors.walk(target, [IF_DESCR, IF_OPER_STATUS, IF_PHYS], WalkLimits(max_repetitions=1))
    assert [(oid, value.value) for oid, value in tables[IF_DESCR]] == [
        (f"{IF_DESCR}.1", b"lo"),
        (f"{IF_DESCR}.2", b"eth0"),
    ]
    assert [value.value for _, value in tables[IF_OPER_STATUS]] == [1, 1]
    camera = next(c for c in agents.cameras.values() if c.device.spec.host == host)
    mac = camera.device.identity.mac.replace(":", "")
    assert [value.value for _, value in tables[IF_PHYS]] == [b"", bytes.fromhex(mac)]
    # Past the last table the agent has, and under a root it has nothing: empty, not an error.
    rest = await collectors.walk(target, ["1.3.6.1.4.1.99999", "1.3.6.1.2.1.1"])
    assert rest["1.3.6.1.4.1.99999"] == []
    assert [oid for oid, _ in rest["1.3.6.1.2.1.1"]][:3] == [
        "1.3.6.1.2.1.1.1.0",
        "1.3.6.1.2.1.1.2.0",
        "1.3.6.1.2.1.1.3.0",
    ]


@pytest.mark.parametrize(
    ("hostility", "error", "words"),
    [
        (TableHostility.loop, BadResponse, "loop or a step backwards"),
        (TableHostility.backwards, BadResponse, "loop or a step backwards"),
        (TableHostility.endless, BadResponse, "more than 500 values"),
        (TableHostility.fat, BadResponse, "more than 20000 bytes"),
    ],
)
async def test_hostile_agent_is_its_own_recorded_problem(
    collectors: Collectors, agents: SimulatedFleet, hostility: TableHostility, error: type[Exception], words: str
) -> None:
    limits = WalkLimits(max_rows=500, max_bytes=20_000, time_limit=5)
    hostile = make_target(host=HOSTILE[hostility], snmp_port=1161, snmp=v2c("any"))
    honest = make_target(host=V2C_HOST, snmp_port=1161, snmp=v2c("walk-c0mm"))
    # The honest device walked at the same moment is untouched by its hostile neighbour.
    bad, good = await asyncio.gather(
        collectors.walk(hostile, [IF_DESCR], limits),
        collectors.walk(honest, [IF_DESCR], limits),
        return_exceptions=True,
    )
    assert isinstance(bad, error) and words in str(bad), bad
    assert isinstance(good, dict) and len(good[IF_DESCR]) == 2


async def test_an_agent_that_never_ends_is_stopped_by_the_time_limit(
    collectors: Collectors, agents: SimulatedFleet
) -> None:
    hostile = make_target(host=HOSTILE[TableHostility.endless], snmp_port=1161, snmp=v2c("any"))
    with pytest.raises(Timeout, match="did not end within 0.3 s"):
        await collectors.walk(hostile, [IF_DESCR], WalkLimits(max_rows=10**9, time_limit=0.3))


async def test_a_recorders_disk_table_is_read_in_one_small_getbulk(
    collectors: Collectors, agents: SimulatedFleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A recorder has a few disks: its SNMP check asks for the rows a four-bay table has and the one after, not for
    dozens of rows of whatever comes after the table."""
    asked: list[int] = []
    bulk = SnmpCollector.bulk

    async def counted(self: SnmpCollector, target: Target, oids: tuple[str, ...], repetitions: int) -> list[Row]:
        asked.append(repetitions)
        return await bulk(self, target, oids, repetitions)

    monkeypatch.setattr(SnmpCollector, "bulk", counted)
    target = make_target(host=NVR_HOST, snmp_port=1161, snmp=v2c("walk-c0mm"), recorder=True)
    result = await collectors.run(CheckKind.SNMP, target)
    assert result.ok and isinstance(result.observation, SnmpObservation), result.error
    disks = [(disk.kind, disk.name) for disk in result.observation.disks]
    assert disks == [*(("disk", f"Drive {n}") for n in range(1, 5)), ("volume", "Volume 1")]
    assert len(asked) == 1 and asked[0] <= 4 + 1
