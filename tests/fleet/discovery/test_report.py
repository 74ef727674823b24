"""Tables kept with first and last seen, and the reconciliation report built from them (both engines)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from config.settings import Settings
from fleet.cameras.models import Camera, RiskLevel
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.discovery import report
from fleet.discovery import service as discovery
from fleet.discovery.models import MacSighting
from fleet.network.models import NetworkPort
from tests.fleet.discovery.network import AXIS, HIKVISION, register_street

T0 = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Fdb:
    mac: str
    if_index: int | None
    port: str | None
    vlan: int | None = 1


@dataclass(frozen=True)
class Arp:
    ip: str
    mac: str
    if_index: int | None = 1


@dataclass(frozen=True)
class Match:
    endpoint: str
    address: str
    xaddrs: tuple[str, ...]
    scopes: tuple[str, ...] = ("onvif://www.onvif.org/type/video_encoder",)
    types: tuple[str, ...] = ("dn:NetworkVideoTransmitter",)


async def test_the_report_finds_an_unregistered_device_a_missing_camera_a_swap_and_a_move(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    ids = await register_street(database, cipher)
    # CAM-1 in place (port 1), CAM-2 gone (port 2 empty), CAM-3 swapped (another MAC at port 3), CAM-4 moved to
    # port 6; an unregistered Hikvision at port 5. The switch's trunk (24) to the router learns the router.
    table = [
        Fdb(AXIS[1], 1, "ge-0/0/1"),
        Fdb(HIKVISION[9], 3, "ge-0/0/3"),
        Fdb(AXIS[4], 6, "ge-0/0/6"),
        Fdb(HIKVISION[5], 5, "ge-0/0/5"),
        Fdb(AXIS[30], 24, "ge-0/0/24"),
    ]
    async with database.unit_of_work() as session:
        await discovery.record_tables(session, ids["SW-STRAAT"], table[:1], [], now=T0 - timedelta(hours=1))
        await discovery.record_tables(session, ids["SW-STRAAT"], table, [], now=T0)
        await discovery.record_tables(session, ids["RT-STRAAT"], [], [Arp("127.136.5.5", HIKVISION[5])], now=T0)
        await discovery.record_answers(
            session, [Match("urn:uuid:x", "127.136.5.5", ("http://127.136.5.5/onvif/device_service",))], now=T0
        )
        found = await report.build(session, settings, now=T0)
    assert [(m.name, m.uplink_port) for m in found.missing] == [("CAM-2", "2")]
    assert [(s.name, s.expected_mac, s.found_mac, s.found_risk_level) for s in found.swapped] == [
        ("CAM-3", AXIS[3], HIKVISION[9], RiskLevel.HIGH)
    ]
    assert [(m.name, m.uplink_port, m.found_device, m.found_port) for m in found.moved] == [
        ("CAM-4", "4", "SW-STRAAT", "ge-0/0/6")
    ]
    (stranger,) = [u for u in found.unregistered if u.mac == HIKVISION[5]]
    assert (stranger.switch, stranger.port, stranger.ip, stranger.seen_by) == (
        "SW-STRAAT",
        "ge-0/0/5",
        "127.136.5.5",
        ["forwarding", "neighbour", "ws-discovery"],
    )
    assert (stranger.oui_vendor, stranger.origin_vendor, stranger.risk_level) == (
        "Hangzhou Hikvision Digital Technology Co.,Ltd.",
        "Hikvision",
        RiskLevel.HIGH,
    )
    assert stranger.first_seen_at == T0
    # The trunk learns the router, whose MAC is known: not a stranger.
    assert [u.mac for u in found.unregistered] == [HIKVISION[5]]
    async with database.unit_of_work() as session:
        first = await session.scalar(select(MacSighting.first_seen_at).where(MacSighting.mac == AXIS[1]))
    assert first == T0 - timedelta(hours=1)


async def test_a_failed_read_is_the_devices_problem_and_keeps_its_last_tables(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    ids = await register_street(database, cipher)
    async with database.unit_of_work() as session:
        await discovery.record_tables(session, ids["SW-STRAAT"], [Fdb(AXIS[2], 2, None)], [], now=T0)
        await discovery.record_problem(session, ids["SW-STRAAT"], "x" * 2000, now=T0 + timedelta(hours=1))
        found = await report.build(session, settings, now=T0 + timedelta(hours=1))
    (read,) = [r for r in found.reads if r.device == "SW-STRAAT"]
    assert read.read_at == T0 and read.attempted_at == T0 + timedelta(hours=1) and len(read.problem or "") == 500
    # Port 2 given by ifIndex alone still places CAM-2; CAM-1, 3 and 4 are nowhere.
    assert [m.name for m in found.missing] == ["CAM-1", "CAM-3", "CAM-4"]


async def test_a_camera_behind_a_switch_never_read_is_not_judged(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    await register_street(database, cipher)
    async with database.unit_of_work() as session:
        await session.execute(update(Camera).values(observed_mac=None))
        found = await report.build(session, settings, now=T0)
    assert (found.missing, found.moved, found.swapped, found.unregistered, found.reads) == ([], [], [], [], [])


async def test_a_registered_port_named_by_its_alias_is_found_through_the_switchs_ports(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    ids = await register_street(database, cipher)
    async with database.unit_of_work() as session:
        await session.execute(update(Camera).where(Camera.name == "CAM-1").values(uplink_port="cam-markt-1"))
        session.add(
            NetworkPort(device_id=ids["SW-STRAAT"], if_index=1, name="ge-0/0/1", alias="cam-markt-1", seen_at=T0)
        )
        await discovery.record_tables(session, ids["SW-STRAAT"], [Fdb(AXIS[1], 1, "ge-0/0/1")], [], now=T0)
        found = await report.build(session, settings, now=T0)
    assert "CAM-1" not in [m.name for m in found.moved]
    assert [m.name for m in found.missing] == ["CAM-2", "CAM-3", "CAM-4"]
