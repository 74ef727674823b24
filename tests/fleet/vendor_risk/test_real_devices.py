"""Classification of what real devices said: the ONVIF captures and the snmpsim-data camera recordings."""

from __future__ import annotations

import bz2
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest

from fleet.vendor_risk.catalogue import load_catalogue
from fleet.vendor_risk.classify import Level, RiskPolicy, Signals, classify
from tests.peers.snmpsim import recording

TDS = "{http://www.onvif.org/ver10/device/wsdl}"
TT = "{http://www.onvif.org/ver10/schema}"
SYS_DESCR, SYS_OBJECT_ID = "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0"
IF_PHYS_ADDRESS = "1.3.6.1.2.1.2.2.1.6."
HIK_DEVICE = "1.3.6.1.4.1.39165.1."  # HIK-DEVICE-MIB: .1 model, .3 firmware, .4 MAC, .6 manufacturer


def _capture(folder: Path) -> Signals:
    info = ElementTree.fromstring((folder / "GetDeviceInformation.xml").read_text(encoding="utf-8").strip())
    nic = ElementTree.fromstring((folder / "GetNetworkInterfaces.xml").read_text(encoding="utf-8").strip())
    return Signals(
        observed_manufacturer=info.findtext(f".//{TDS}Manufacturer"),
        observed_model=info.findtext(f".//{TDS}Model"),
        observed_firmware=info.findtext(f".//{TDS}FirmwareVersion"),
        observed_mac=nic.findtext(f".//{TT}HwAddress"),
    )


def _snmprec(name: str) -> dict[str, tuple[str, str]]:
    """OID → (type tag, value) of a recording."""
    lines = bz2.decompress(recording(name).read_bytes()).decode().splitlines()
    return {oid: (tag, value) for oid, tag, value in (line.split("|", 2) for line in lines)}


def _string(record: dict[str, tuple[str, str]], oid: str) -> str:
    """An OCTET STRING value; a tag ending in "x" means the recording stored it hex-encoded."""
    tag, value = record[oid]
    return bytes.fromhex(value).decode() if tag.endswith("x") else value


@pytest.mark.parametrize(
    ("folder", "origin", "country", "mac_points_to"),
    [
        ("axis-m5525-e", "Axis Communications", "Sweden", "Axis Communications"),
        # The MAC's OUI 00-04-7D is registered to Motorola Solutions, Pelco's owner: still Pelco, still low.
        ("pelco-imp321-1es", "Pelco", "United States", "Pelco"),
    ],
)
def test_onvif_captures(test_data: Path, folder: str, origin: str, country: str, mac_points_to: str) -> None:
    signals = _capture(test_data / "onvif-captures" / folder)
    assessment = classify(signals, load_catalogue(), RiskPolicy())
    assert (assessment.level, assessment.origin_vendor, assessment.origin_country) == ("low", origin, country)
    assert not assessment.identity_mismatch
    found = {e["signal"]: e["points_to"] for e in assessment.evidence}
    assert found["mac_oui"] == mac_points_to and found["onvif_manufacturer"] == origin


def _hikvision() -> Signals:
    # No MIB-II system group at all: the collector finds the 39165 subtree and stores 39165 as the enterprise.
    values = _snmprec("camera/hikvision")
    assert SYS_OBJECT_ID not in values
    return Signals(
        observed_manufacturer=_string(values, HIK_DEVICE + "6.0"),
        observed_model=_string(values, HIK_DEVICE + "1.0"),
        observed_firmware=_string(values, HIK_DEVICE + "3.0"),
        observed_mac=_string(values, HIK_DEVICE + "4.0"),
        snmp_enterprise=39165,
    )


def _samsung() -> Signals:
    values = _snmprec("camera/samsung-ipolis")
    macs = [v for oid, (_tag, v) in values.items() if oid.startswith(IF_PHYS_ADDRESS) and v]
    return Signals(
        declared_manufacturer="Samsung",
        declared_model=_string(values, "1.3.6.1.2.1.1.5.0"),  # sysName carries the model, SNO-7084R
        sys_descr=_string(values, SYS_DESCR),
        sys_object_id=values[SYS_OBJECT_ID][1],
        snmp_enterprise=int(values[SYS_OBJECT_ID][1].split(".")[6]),
        observed_mac=macs[0],
    )


@pytest.mark.parametrize(
    ("signals", "level", "origin", "points"),
    [
        pytest.param(
            _hikvision,
            "high",
            "Hikvision",
            {"snmp_enterprise", "mac_oui", "onvif_model", "onvif_firmware", "onvif_manufacturer"},
            id="hikvision",
        ),
        pytest.param(
            _samsung, "low", "Hanwha Vision", {"snmp_enterprise", "sys_descr", "mac_oui"}, id="samsung-ipolis"
        ),
    ],
)
def test_snmpsim_recordings(signals: Callable[[], Signals], level: Level, origin: str, points: set[str]) -> None:
    assessment = classify(signals(), load_catalogue(), RiskPolicy())
    assert (assessment.level, assessment.origin_vendor, assessment.identity_mismatch) == (level, origin, False)
    assert {e["signal"] for e in assessment.evidence if e["points_to"] == origin} >= points
