"""The fleet file: one simulated camera per CSV row."""

from __future__ import annotations

import csv
import io
import ipaddress
from dataclasses import dataclass
from pathlib import Path


class FleetFileError(ValueError):
    """The fleet file cannot be simulated (bad port, host outside loopback, missing column)."""


@dataclass(frozen=True, slots=True)
class CameraSpec:
    """What one fleet-file row asks the simulator to be."""

    name: str
    host: str
    onvif_port: int = 80
    snmp_port: int = 161
    rtsp_port: int = 554
    username: str = ""
    password: str = ""
    snmp_version: str = ""
    snmp_community: str = ""
    snmp_user: str = ""
    snmp_auth_key: str = ""
    snmp_priv_key: str = ""
    declared_manufacturer: str = ""
    declared_model: str = ""
    location: str = ""
    sim_manufacturer: str = ""
    sim_model: str = ""
    sim_firmware: str = ""
    sim_mac: str = ""
    # A simulated recorder's disks (0: none): more serve a disk and RAID table modelled on Synology's MIB over SNMP.
    sim_disks: int = 0
    # A network device (switch, router, media_converter, poe_injector, ups) instead of a camera, its number of ports,
    # and where any device hangs: the network device's name and port (an ifIndex, or the port's ifName/ifDescr).
    device_type: str = ""
    ports: int = 0
    uplink_device: str = ""
    uplink_port: str = ""

    @property
    def is_network(self) -> bool:
        """True for a switch, router, media converter, PoE injector or UPS."""
        return self.device_type in NETWORK_TYPES

    @property
    def port_count(self) -> int:
        """The ports of a network device (0 for a camera)."""
        return self.ports or DEFAULT_PORTS.get(self.device_type, 0) if self.is_network else 0

    @property
    def has_credentials(self) -> bool:
        """True when ONVIF, snapshot and RTSP access need a login."""
        return bool(self.username)

    @property
    def snmp_v3(self) -> bool:
        """True when the agent speaks SNMPv3 (USM) only."""
        return self.snmp_version == "3" or (not self.snmp_version and bool(self.snmp_user))

    @property
    def community(self) -> str:
        """The v2c community; cameras with no SNMP settings answer the factory default `public`."""
        return self.snmp_community or "public"


_PORT_FIELDS = {"onvif_port": 80, "snmp_port": 161, "rtsp_port": 554}
NETWORK_TYPES = frozenset({"switch", "router", "media_converter", "poe_injector", "ups"})
# Ports a network device has when the fleet file does not say.
DEFAULT_PORTS = {"switch": 24, "router": 4, "media_converter": 2, "poe_injector": 2, "ups": 1}
_MAX_PORTS = 512


def parse_fleet_text(text: str) -> list[CameraSpec]:
    """Parse fleet CSV text (`,` or `;` separated; unknown columns ignored)."""
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = {"name", "host"} - set(reader.fieldnames or ())
    if missing:
        raise FleetFileError(f"missing column(s): {', '.join(sorted(missing))}")
    specs: list[CameraSpec] = []
    seen: dict[tuple[str, int], str] = {}
    for line, row in enumerate(reader, start=2):
        clean = {key.strip(): (value or "").strip() for key, value in row.items() if key}
        if not any(clean.values()):
            continue
        spec = _row_to_spec(line, clean)
        for port in {spec.onvif_port, spec.rtsp_port}:
            owner = seen.setdefault((spec.host, port), spec.name)
            if owner != spec.name:
                raise FleetFileError(f"line {line}: {spec.host}:{port} is already used by {owner}")
        specs.append(spec)
    return specs


def parse_fleet_csv(path: Path) -> list[CameraSpec]:
    """Read a fleet CSV file (UTF-8, with or without BOM)."""
    return parse_fleet_text(path.read_text(encoding="utf-8-sig"))


def _row_to_spec(line: int, row: dict[str, str]) -> CameraSpec:
    name, host = row.get("name", ""), row.get("host", "")
    if not name:
        raise FleetFileError(f"line {line}: name: required")
    try:
        address = ipaddress.IPv4Address(host)
    except ValueError:
        raise FleetFileError(f"line {line}: host: {host!r} is not an IPv4 address") from None
    # Safety: the simulator only ever binds loopback, so it can never answer for a real device.
    if not address.is_loopback:
        raise FleetFileError(f"line {line}: host: {host} is outside 127.0.0.0/8")
    ports: dict[str, int] = {}
    for field, default in _PORT_FIELDS.items():
        raw = row.get(field, "")
        try:
            ports[field] = int(raw) if raw else default
        except ValueError:
            raise FleetFileError(f"line {line}: {field}: {raw!r} is not a port number") from None
        if not 0 < ports[field] < 65536:
            raise FleetFileError(f"line {line}: {field}: {raw} is out of range")
    disks = row.get("sim_disks", "") or "0"
    if not disks.isdigit() or int(disks) > 64:
        raise FleetFileError(f"line {line}: sim_disks: {disks!r} is not a number of disks from 0 to 64")
    if ports["onvif_port"] == ports["rtsp_port"]:
        raise FleetFileError(f"line {line}: rtsp_port: equals onvif_port")
    version = row.get("snmp_version", "").lower().removeprefix("v")
    if version not in ("", "2c", "3"):
        raise FleetFileError(f"line {line}: snmp_version: {version!r} is not 2c or 3")
    if version == "3" or (not version and row.get("snmp_user")):
        for field in ("snmp_user", "snmp_auth_key", "snmp_priv_key"):
            value = row.get(field, "")
            # RFC 3414 (and every SNMP manager) refuses passphrases shorter than 8 characters.
            if not value or (field != "snmp_user" and len(value) < 8):
                raise FleetFileError(f"line {line}: {field}: SNMPv3 needs it (keys: 8 characters or more)")
    device_type = row.get("device_type", "").lower()
    if device_type not in NETWORK_TYPES | {"", "camera", "recorder"}:
        raise FleetFileError(f"line {line}: device_type: {device_type!r} is not a camera, recorder or network device")
    raw_ports = row.get("ports", "")
    if raw_ports and (not raw_ports.isdigit() or not 0 < int(raw_ports) <= _MAX_PORTS):
        raise FleetFileError(f"line {line}: ports: {raw_ports!r} is not a number of ports from 1 to {_MAX_PORTS}")
    return CameraSpec(
        device_type=device_type,
        ports=int(raw_ports) if raw_ports else 0,
        uplink_device=row.get("uplink_device", ""),
        uplink_port=row.get("uplink_port", ""),
        name=name,
        host=host,
        onvif_port=ports["onvif_port"],
        snmp_port=ports["snmp_port"],
        rtsp_port=ports["rtsp_port"],
        username=row.get("username", ""),
        password=row.get("password", ""),
        snmp_version=version,
        snmp_community=row.get("snmp_community", ""),
        snmp_user=row.get("snmp_user", ""),
        snmp_auth_key=row.get("snmp_auth_key", ""),
        snmp_priv_key=row.get("snmp_priv_key", ""),
        declared_manufacturer=row.get("declared_manufacturer", ""),
        declared_model=row.get("declared_model", ""),
        location=row.get("location", ""),
        sim_manufacturer=row.get("sim_manufacturer", ""),
        sim_model=row.get("sim_model", ""),
        sim_firmware=row.get("sim_firmware", ""),
        sim_mac=row.get("sim_mac", ""),
        sim_disks=int(disks),
    )
