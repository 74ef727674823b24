"""Fleet-file parsing and vendor identities: what each row turns into."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.profiles import PROFILES, derive_identity, profile_for
from simulator.spec import CameraSpec, FleetFileError, parse_fleet_csv, parse_fleet_text

VENLO = Path(__file__).resolve().parents[1] / "data" / "fleet-venlo-illustrative.csv"


def test_semicolons_bom_defaults_and_unknown_columns() -> None:
    text = (
        "\ufeffname;host;kind;snmp_version;snmp_user;snmp_auth_key;snmp_priv_key;sim_manufacturer\n"
        "A;127.40.2.1;fixed;v3;mon;authkey1;privkey1;Axis\nB;127.40.2.2;;;;;;\n"
    )
    first, second = parse_fleet_text(text)
    assert (first.onvif_port, first.snmp_port, first.rtsp_port) == (80, 161, 554)
    assert first.snmp_v3 and first.sim_manufacturer == "Axis"
    assert not second.snmp_v3 and second.community == "public"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("A,192.168.4.12,80", "outside 127.0.0.0/8"),
        ("A,camera.local,80", "not an IPv4 address"),
        ("A,127.40.2.1,99999", "out of range"),
        (",127.40.2.1,80", "name: required"),
        ("A,127.40.2.1,80,3,mon,short,privkey1", "snmp_auth_key"),
    ],
)
def test_bad_rows_are_refused(row: str, message: str) -> None:
    with pytest.raises(FleetFileError, match=message):
        parse_fleet_text(f"name,host,onvif_port,snmp_version,snmp_user,snmp_auth_key,snmp_priv_key\n{row}\n")


def test_the_illustrative_venlo_fleet_parses_and_maps_to_vendors() -> None:
    specs = parse_fleet_csv(VENLO)
    assert len(specs) == 70
    assert {profile_for(spec).key for spec in specs} >= {
        "axis",
        "bosch",
        "hikvision",
        "dahua",
        "hanwha",
        "mobotix",
        "uniview",
    }


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.key)
def test_identity_uses_the_vendors_oui_and_is_deterministic(profile: object) -> None:
    spec = CameraSpec(name="CAM-7", host="127.40.2.7", sim_manufacturer=profile.aliases[0])  # type: ignore[attr-defined]
    resolved = profile_for(spec)
    assert resolved is profile
    ident = derive_identity(spec, resolved)
    assert ident == derive_identity(spec, resolved)
    oui = ident.mac[:8].replace(":", "-").upper()
    assert oui in resolved.ouis
    assert ident.manufacturer == resolved.onvif_manufacturer


@pytest.mark.parametrize(
    ("manufacturer", "pattern"),
    [
        ("Hikvision", r"^V\d+\.\d+\.\d+ build \d{6}$"),
        ("Dahua", r"^2\.\d{3}\.\d{7}\.\d+\.R, Build Date: \d{4}-\d{2}-\d{2}$"),
        ("Axis Communications", r"^\d+\.\d+\.\d+$"),
        ("Bosch Security Systems", r"^\d+\.\d+\.\d{4}$"),
    ],
)
def test_firmware_formats(manufacturer: str, pattern: str) -> None:
    for n in range(8):
        spec = CameraSpec(name=f"C{n}", host="127.40.2.1", declared_manufacturer=manufacturer)
        assert re.match(pattern, derive_identity(spec, profile_for(spec)).firmware)


def test_sim_columns_override_a_relabelled_device() -> None:
    spec = CameraSpec(
        name="R-1",
        host="127.40.2.1",
        declared_manufacturer="Honeywell",
        declared_model="HBW4PER1",
        sim_manufacturer="dahua",
        sim_model="IPC-HFW2431S",
        sim_firmware="2.800.0000000.1.R",
        sim_mac="3C-EF-8C-01-02-03",
    )
    ident = derive_identity(spec, profile_for(spec))
    assert (ident.manufacturer, ident.model, ident.firmware, ident.mac) == (
        "Dahua",
        "IPC-HFW2431S",
        "2.800.0000000.1.R",
        "3c:ef:8c:01:02:03",
    )


def test_unknown_vendor_is_generic_with_a_local_mac() -> None:
    spec = CameraSpec(name="X", host="127.40.2.1", declared_manufacturer="Nobody Cams")
    profile = profile_for(spec)
    assert profile.key == "generic"
    assert int(derive_identity(spec, profile).mac[:2], 16) & 0x02  # locally administered
