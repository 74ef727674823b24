"""Firmware inventory per model: cameras counted per vendor, model and firmware, each with its state."""

from __future__ import annotations

from datetime import date

from fleet.firmware.assess import FirmwareState
from fleet.firmware.catalogue import load_advisories
from fleet.firmware.inventory import firmware_inventory

TODAY = date(2026, 11, 28)


def test_counts_per_model_and_firmware() -> None:
    rows = [
        ("Hikvision", "DS-2CD2132F-IS", "V5.3.0 build 150513"),
        ("HIKVISION", " DS-2CD2132F-IS ", "V5.3.0 build 150513"),  # same model, as another collector wrote it
        ("Hikvision", "DS-2CD2132F-IS", "V5.3.0 build 150513"),
        ("Hikvision", "DS-2CD2132F-IS", "V5.7.3 build 250112"),
        ("Axis Communications", "P3245-LVE", "10.12.114"),
        ("AXIS", "P3245-LVE", "10.12.114"),
        ("Acme", "X1", "1.0"),
        (None, None, None),
        ("", " ", ""),
    ]
    inventory = firmware_inventory(rows, load_advisories(), as_of=TODAY)
    assert [(i.vendor, i.model, i.firmware, i.cameras, i.state) for i in inventory] == [
        ("Acme", "X1", "1.0", 1, FirmwareState.UNKNOWN),
        ("Axis Communications", "P3245-LVE", "10.12.114", 2, FirmwareState.OK),
        ("Hikvision", "DS-2CD2132F-IS", "V5.3.0 build 150513", 3, FirmwareState.VULNERABLE),
        ("Hikvision", "DS-2CD2132F-IS", "V5.7.3 build 250112", 1, FirmwareState.OK),
        (None, None, None, 2, FirmwareState.UNKNOWN),
    ]
    vulnerable = inventory[2]
    assert [a.cve_ids for a in vulnerable.advisories] == [("CVE-2017-7921",)]
    assert "CVE-2017-7921" in vulnerable.reason


def test_empty_fleet() -> None:
    assert firmware_inventory([], load_advisories(), as_of=TODAY) == []
