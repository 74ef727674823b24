"""SNMP: MIB-II basics, the enterprise number, and vendor values where the vendor is known."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from pyasn1.codec.ber import encoder
from pysnmp.error import PySnmpError
from pysnmp.hlapi.v3arch.asyncio import (
    ContextData,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    bulk_cmd,
    get_cmd,
    usmAesCfb128Protocol,
    usmAesCfb256Protocol,
    usmDESPrivProtocol,
    usmHMAC192SHA256AuthProtocol,
    usmHMACMD5AuthProtocol,
    usmHMACSHAAuthProtocol,
)
from pysnmp.proto import errind, rfc1902

from collectors.base import PortSeen, SnmpCredentials, SnmpObservation, Target
from collectors.ber import (
    ABSENT,
    COUNTER32,
    GAUGE32,
    INTEGER,
    OBJECT_IDENTIFIER,
    TIME_TICKS,
    BerError,
    Value,
    integer,
    printable,
    read_value,
)
from collectors.disks import MAX_UNITS, disks_of
from collectors.disks import ROOTS as DISK_ROOTS
from collectors.errors import AuthFailed, BadResponse, Timeout, Unreachable, Unsupported
from collectors.mac import normalise_mac
from collectors.ports import MAX_PORTS, POE_ROOTS, UPS_OIDS, ports_of, ups_of
from collectors.ports import ROOTS as PORT_ROOTS
from collectors.snmp_walk import WalkLimits, walk
from collectors.snmp_wire import SnmpV2cClient
from config.checks import CheckKind

log = logging.getLogger(__name__)

SYS_DESCR = "1.3.6.1.2.1.1.1.0"
SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
SYS_NAME = "1.3.6.1.2.1.1.5.0"
IF_OPER_STATUS_1 = "1.3.6.1.2.1.2.2.1.8.1"
IF_IN_ERRORS_1 = "1.3.6.1.2.1.2.2.1.14.1"
BASE_OIDS = (SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, SYS_NAME, IF_OPER_STATUS_1, IF_IN_ERRORS_1)
ENTERPRISES = "1.3.6.1.4.1."
HIKVISION = 39165
HANWHA = 36849
_MAX_TEXT = 255
_NUMBER = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z]*)")
_TO_MB = {"KB": 1 / 1024, "MB": 1.0, "GB": 1024.0, "TB": 1024.0 * 1024.0}

_AUTH_PROTOCOLS = {
    "md5": usmHMACMD5AuthProtocol,
    "sha": usmHMACSHAAuthProtocol,
    "sha256": usmHMAC192SHA256AuthProtocol,
}
_PRIV_PROTOCOLS = {"des": usmDESPrivProtocol, "aes": usmAesCfb128Protocol, "aes256": usmAesCfb256Protocol}
# What the agent's Report PDU (or our USM) says when the v3 user, key or privacy does not match.
_V3_AUTH_ERRORS = (
    errind.UnknownUserName,
    errind.WrongDigest,
    errind.DecryptionError,
    errind.UnknownSecurityName,
    errind.AuthenticationError,
    errind.AuthenticationFailure,
    errind.UnsupportedSecurityLevel,
)
_COUNTERS = (COUNTER32, GAUGE32, INTEGER)
# A recorder's disk table is a few rows per column: a bound well under the check's own time limit. Five rows a
# GETBULK read a four-bay recorder (and the row that ends its table) in one request; a larger one takes a few more,
# where many rows a request would bring back mostly the columns after the table, to be thrown away.
_DISK_WALK = WalkLimits(max_rows=MAX_UNITS * len(DISK_ROOTS), max_bytes=256_000, time_limit=10.0, max_repetitions=5)
# A network device's ports: a 48-port switch is about 550 values in some 25 GETBULKs.
_PORT_WALK = WalkLimits(max_rows=MAX_PORTS * (len(PORT_ROOTS) + len(POE_ROOTS)), max_bytes=2_000_000, time_limit=10.0)


def as_text(value: Value) -> str:
    """Return an SNMP value as short printable text (OIDs dotted, numbers decimal)."""
    if isinstance(value.value, bytes):
        return printable(value.value, _MAX_TEXT) or ""
    return str(value.value)[:_MAX_TEXT]


def present(varbinds: list[tuple[str, Value]]) -> dict[str, Value]:
    """Return the varbinds the agent has a value for, by OID; absent markers are skipped."""
    return {oid: value for oid, value in varbinds if value.tag not in ABSENT}


def enterprise_of(sys_object_id: str | None) -> int | None:
    """Return the component after 1.3.6.1.4.1 of sysObjectID (vendors' private arcs), if any."""
    if not sys_object_id or not sys_object_id.startswith(ENTERPRISES):
        return None
    head = sys_object_id[len(ENTERPRISES) :].split(".", 1)[0]
    return int(head) if head.isdigit() else None


def _number(text: str) -> tuple[float, str] | None:
    match = _NUMBER.match(text)
    if match is None:
        return None
    return float(match.group(1)), match.group(2).upper()


def _decimal(number: float) -> str:
    return f"{number:g}"


class VendorProbe(Protocol):
    """Vendor values read with a second GET once the enterprise number is known."""

    def oids(self, sys_object_id: str | None) -> dict[str, str]:
        """Return the OIDs to GET, by the vendor-value name they fill."""
        ...

    def interpret(self, raw: Mapping[str, str]) -> tuple[dict[str, str], float | None, bool | None]:
        """Return (vendor_values, temperature_c, storage_ok) from the raw texts by name."""
        ...


class HikvisionProbe:
    """HIK-DEVICE-MIB (1.3.6.1.4.1.39165.1): strings such as "52 PERCENT" and "512 MB"."""

    _OIDS = {
        "model": "1.3.6.1.4.1.39165.1.1.0",
        "firmware": "1.3.6.1.4.1.39165.1.3.0",
        "mac": "1.3.6.1.4.1.39165.1.4.0",
        "manufacturer": "1.3.6.1.4.1.39165.1.6.0",
        "cpu_percent": "1.3.6.1.4.1.39165.1.7.0",
        "disk_size": "1.3.6.1.4.1.39165.1.8.0",
        "disk_percent": "1.3.6.1.4.1.39165.1.9.0",
        "memory_size": "1.3.6.1.4.1.39165.1.10.0",
        "memory_percent": "1.3.6.1.4.1.39165.1.11.0",
    }

    def oids(self, sys_object_id: str | None) -> dict[str, str]:
        """Fixed OIDs: Hikvision cameras often have no system group at all."""
        return dict(self._OIDS)

    def interpret(self, raw: Mapping[str, str]) -> tuple[dict[str, str], float | None, bool | None]:
        """Parse the percent and size strings into numbers (sizes in MB)."""
        values: dict[str, str] = {}
        for name, text in raw.items():
            parsed = _number(text) if name.endswith(("_percent", "_size")) else None
            if name.endswith("_percent") and parsed is not None:
                values[name] = _decimal(parsed[0])
            elif name.endswith("_size") and parsed is not None and parsed[1] in _TO_MB:
                values[f"{name}_mb"] = _decimal(parsed[0] * _TO_MB[parsed[1]])
            elif name == "mac":
                values[name] = normalise_mac(text) or text
            elif text:
                values[name] = text
        # HIK-DEVICE-MIB has no temperature and no disk health state, only usage.
        return values, None, None


class HanwhaProbe:
    """Hanwha/Samsung iPOLIS: values under the product's own sysObjectID arc.

    The layout below is read from the snmpsim-data recording camera/samsung-ipolis (SNO-7084R,
    sysObjectID 1.3.6.1.4.1.36849.1.2.64): .1.0 model, .2.1.1.0 firmware, .2.3.1.0 MAC,
    .4.1.0 SD card state ("Not Install"), .4.4.0 storage state ("OK").
    """

    _SUFFIXES = {
        "model": ".1.0",
        "firmware": ".2.1.1.0",
        "mac": ".2.3.1.0",
        "sd_card": ".4.1.0",
        "storage": ".4.4.0",
    }

    def oids(self, sys_object_id: str | None) -> dict[str, str]:
        """OIDs relative to the product arc named by sysObjectID."""
        if not sys_object_id:
            return {}
        return {name: sys_object_id + suffix for name, suffix in self._SUFFIXES.items()}

    def interpret(self, raw: Mapping[str, str]) -> tuple[dict[str, str], float | None, bool | None]:
        """Storage is ok when the device says "OK"; an absent SD card is reported, not failed."""
        values = {name: text for name, text in raw.items() if text}
        if "mac" in values:
            values["mac"] = normalise_mac(values["mac"]) or values["mac"]
        storage = values.get("storage")
        return values, None, None if storage is None else storage.upper() == "OK"


async def _ipv4_address(host: str, port: int) -> tuple[str, int]:
    """Return (IPv4 address, port); a host name is resolved without blocking the event loop."""
    try:
        return str(ipaddress.IPv4Address(host)), port
    except ValueError:
        pass
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, family=socket.AF_INET, type=socket.SOCK_DGRAM)
    except socket.gaierror as exc:
        raise Unreachable(f"SNMP address {host} does not resolve") from exc
    return str(found[0][4][0]), port


VENDOR_PROBES: dict[int, VendorProbe] = {HIKVISION: HikvisionProbe(), HANWHA: HanwhaProbe()}


@dataclass(frozen=True, slots=True)
class _Request:
    target: Target
    credentials: SnmpCredentials


class SnmpCollector:
    """One GET of the MIB-II basics, then one GET of vendor values when the vendor is known."""

    kind = CheckKind.SNMP

    def __init__(
        self, v2c: SnmpV2cClient, engine: SnmpEngine, v3_window: asyncio.Semaphore, attempt_timeout: float
    ) -> None:
        self._v2c = v2c
        self._engine = engine
        self._v3_window = v3_window
        self._attempt_timeout = attempt_timeout

    async def collect(self, target: Target) -> SnmpObservation:
        """Poll the camera's agent; raise Unsupported when the camera has no SNMP credentials."""
        if target.snmp is None:
            raise Unsupported("no SNMP credentials configured")
        request = _Request(target, target.snmp)
        # A network device's UPS-MIB scalars ride along (absent where it has no UPS-MIB): one GET, not two.
        base = await self._get(request, BASE_OIDS + UPS_OIDS if target.network_device else BASE_OIDS)
        object_id = base.get(SYS_OBJECT_ID)
        sys_object_id = as_text(object_id) if object_id is not None and object_id.tag == OBJECT_IDENTIFIER else None
        enterprise = enterprise_of(sys_object_id)
        vendor_values: dict[str, str] = {}
        temperature: float | None = None
        storage_ok: bool | None = None
        if enterprise is None:
            # Hikvision cameras often have no MIB-II system group (empty or absent sysObjectID);
            # their own MIB answers instead, as LibreNMS detects them.
            vendor_values, temperature, storage_ok = await self._probe(request, HIKVISION, sys_object_id)
            if vendor_values:
                enterprise = HIKVISION
        elif enterprise in VENDOR_PROBES:
            vendor_values, temperature, storage_ok = await self._probe(request, enterprise, sys_object_id)
        # A recorder's disks, from its vendor's disk table (none when its agent has no such table).
        disks = disks_of(await walk(self, target, DISK_ROOTS, _DISK_WALK)) if target.recorder else ()
        ports = await self._ports(request) if target.network_device else ()
        ups = ups_of(base) if target.network_device else None
        uptime = integer(base.get(SYS_UPTIME), (TIME_TICKS,))
        oper_status = integer(base.get(IF_OPER_STATUS_1), (INTEGER,))
        return SnmpObservation(
            sys_descr=as_text(base[SYS_DESCR]) if SYS_DESCR in base else None,
            sys_object_id=sys_object_id,
            enterprise=enterprise,
            uptime_s=uptime / 100.0 if uptime is not None else None,
            sys_name=as_text(base[SYS_NAME]) if SYS_NAME in base else None,
            if_oper_up=oper_status == 1 if oper_status is not None else None,
            if_in_errors=integer(base.get(IF_IN_ERRORS_1), _COUNTERS),
            temperature_c=temperature,
            storage_ok=storage_ok,
            vendor_values=vendor_values,
            disks=disks,
            ports=ports,
            ups=ups,
        )

    async def _ports(self, request: _Request) -> tuple[PortSeen, ...]:
        """A network device's ports and PoE, walked together."""
        return ports_of(await walk(self, request.target, PORT_ROOTS + POE_ROOTS, _PORT_WALK))

    async def _probe(
        self, request: _Request, enterprise: int, sys_object_id: str | None
    ) -> tuple[dict[str, str], float | None, bool | None]:
        probe = VENDOR_PROBES[enterprise]
        oids = probe.oids(sys_object_id)
        if not oids:
            return {}, None, None
        answer = await self._get(request, tuple(oids.values()))
        raw = {name: as_text(answer[oid]) for name, oid in oids.items() if oid in answer}
        log.debug("%s: %d vendor values from enterprise %d", request.target.name, len(raw), enterprise)
        if not raw:
            return {}, None, None
        return probe.interpret(raw)

    async def bulk(self, target: Target, oids: tuple[str, ...], max_repetitions: int) -> list[tuple[str, Value]]:
        """One GETBULK (no non-repeaters): up to max_repetitions successors of each OID, row by row, end markers
        included; raise Unsupported when the device has no SNMP credentials."""
        if target.snmp is None:
            raise Unsupported("no SNMP credentials configured")
        request = _Request(target, target.snmp)
        if request.credentials.version == "2c":
            address, community = await self._v2c_peer(request)
            return await self._v2c.bulk(address, community, oids, max_repetitions, self._attempt_timeout, retries=1)
        return await self._v3(request, oids, max_repetitions)

    async def _get(self, request: _Request, oids: tuple[str, ...]) -> dict[str, Value]:
        if request.credentials.version == "2c":
            address, community = await self._v2c_peer(request)
            varbinds = await self._v2c.get(address, community, oids, self._attempt_timeout, retries=1)
        else:
            varbinds = await self._v3(request, oids, None)
        return present(varbinds)

    async def _v2c_peer(self, request: _Request) -> tuple[tuple[str, int], str]:
        address = await _ipv4_address(request.target.host, request.target.snmp_port)
        if request.credentials.community is None:
            raise Unsupported("SNMP v2c without a community configured")
        return address, request.credentials.community

    async def _v3(
        self, request: _Request, oids: tuple[str, ...], max_repetitions: int | None
    ) -> list[tuple[str, Value]]:
        """A v3 GET, or a GETBULK with max_repetitions."""
        credentials = request.credentials
        if credentials.user is None:
            raise Unsupported("SNMP v3 without a user configured")
        auth_protocol = _AUTH_PROTOCOLS.get(credentials.auth_protocol.lower())
        priv_protocol = _PRIV_PROTOCOLS.get(credentials.priv_protocol.lower())
        if auth_protocol is None or priv_protocol is None:
            raise Unsupported(
                f"SNMP v3 protocols {credentials.auth_protocol}/{credentials.priv_protocol} not supported"
            )
        user = UsmUserData(
            credentials.user,
            authKey=credentials.auth_key,
            privKey=credentials.priv_key,
            authProtocol=auth_protocol if credentials.auth_key else None,
            privProtocol=priv_protocol if credentials.priv_key else None,
        )
        try:
            transport = await UdpTransportTarget.create(
                (request.target.host, request.target.snmp_port), timeout=self._attempt_timeout, retries=1
            )
        except PySnmpError as exc:
            raise Unreachable(f"SNMP address {request.target.host} does not resolve") from exc
        varbinds = [(oid, rfc1902.Null("")) for oid in oids]
        # The shared engine has one socket: bound what is in flight so its receive buffer holds.
        async with self._v3_window:
            if max_repetitions is None:
                answer = await get_cmd(self._engine, user, transport, ContextData(), *varbinds, lookupMib=False)
            else:
                # pysnmp 7 answers a GETBULK with one flat list in wire order (rows of the repeaters).
                answer = await bulk_cmd(
                    self._engine, user, transport, ContextData(), 0, max_repetitions, *varbinds, lookupMib=False
                )
        indication, status, _, values = answer
        if isinstance(indication, errind.RequestTimedOut):
            raise Timeout("no SNMP v3 answer")
        if isinstance(indication, _V3_AUTH_ERRORS):
            raise AuthFailed(f"SNMP v3 agent refused the user or keys ({type(indication).__name__})")
        if indication:
            raise BadResponse(f"SNMP v3 answer could not be used ({type(indication).__name__})")
        if status:
            return []
        try:
            # One reader for both versions: pysnmp's values go back to BER and through ours.
            return [(str(name), read_value(bytes(encoder.encode(value)))) for name, value in values]
        except BerError as exc:
            raise BadResponse("SNMP v3 answer carries a value of an unexpected type") from exc
