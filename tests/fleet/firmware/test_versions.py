"""Firmware strings per vendor format: parsed into comparable versions, or None when the format is not known."""

from __future__ import annotations

from datetime import date

import pytest

from fleet.firmware.versions import PARSERS, FirmwareVersion, parse_firmware
from fleet.vendor_risk.catalogue import load_catalogue


@pytest.mark.parametrize(
    ("vendor", "firmware", "expected"),
    [
        ("hikvision", "V5.7.3 build 220112", FirmwareVersion((5, 7, 3), date(2022, 1, 12))),
        ("hikvision", "V5.4.5 build 170124", FirmwareVersion((5, 4, 5), date(2017, 1, 24))),
        ("hikvision", "V5.5.800 build 210628", FirmwareVersion((5, 5, 800), date(2021, 6, 28))),
        ("hikvision", "  v5.4.0 Build 160530 ", FirmwareVersion((5, 4, 0), date(2016, 5, 30))),
        (
            "dahua",
            "2.800.0000000.16.R, Build Date: 2022-08-26",
            FirmwareVersion((2, 800, 0, 16), date(2022, 8, 26)),
        ),
        ("dahua", "2.840.0000000.9.R, Build Date: 2023-05-10", FirmwareVersion((2, 840, 0, 9), date(2023, 5, 10))),
        ("dahua", "2.820.0000000.3.R,Build Date:2021-11-19", FirmwareVersion((2, 820, 0, 3), date(2021, 11, 19))),
        ("dahua", "2.800.0000000.16.R", FirmwareVersion((2, 800, 0, 16))),
        ("axis", "10.12.114", FirmwareVersion((10, 12, 114))),
        ("axis", "9.80.55", FirmwareVersion((9, 80, 55))),
        ("axis", "11.11", FirmwareVersion((11, 11))),
        ("bosch", "8.71.0066", FirmwareVersion((8, 71, 66))),
        ("bosch", "7.80.0128", FirmwareVersion((7, 80, 128))),
        ("hanwha", "2.21.02_20230412", FirmwareVersion((2, 21, 2), date(2023, 4, 12))),
        ("hanwha", "25.01.00_20250328", FirmwareVersion((25, 1, 0), date(2025, 3, 28))),
        ("pelco", "01.16.42-20180912", FirmwareVersion((1, 16, 42), date(2018, 9, 12))),
        ("mobotix", "MX-V5.4.6.5", FirmwareVersion((5, 4, 6, 5))),
        ("mobotix", "V7.3.1.27", FirmwareVersion((7, 3, 1, 27))),
    ],
)
def test_parses_each_vendor_format(vendor: str, firmware: str, expected: FirmwareVersion) -> None:
    assert parse_firmware(vendor, firmware) == expected


@pytest.mark.parametrize(
    ("vendor", "firmware"),
    [
        ("hikvision", "V5.7.3"),
        ("hikvision", "5.7.3 build 220112"),
        ("hikvision", "V5.7.3 build 221399"),  # no 99th day: a corrupt string, not a date to guess
        ("hikvision", "V5.7.3 build 220112 beta"),
        ("hikvision", "2.800.0000000.16.R, Build Date: 2022-08-26"),
        ("dahua", "2.800"),
        ("dahua", "2.800.0000000.16.R, Build Date: 2022-13-01"),
        ("dahua", "V5.7.3 build 220112"),
        ("axis", "10.12.114-beta"),
        ("axis", "latest"),
        ("axis", "10"),
        ("bosch", ""),
        ("hanwha", "1.41.01"),
        ("hanwha", "1.41.01_20210230"),
        ("pelco", "01.16.42"),
        ("mobotix", "MX-5.4.6.5"),
        ("uniview", "IPC_G6103-B0003P64D2305"),  # vendors with no known format are never parsed
        ("vivotek", "FD9360-VVTK-0102a"),
        ("milesight", "45.8.0.3-r7"),
        ("unknown", "1.0.0"),
    ],
)
def test_anything_else_is_none(vendor: str, firmware: str) -> None:
    assert parse_firmware(vendor, firmware) is None


def test_versions_order_by_numbers_then_build_date() -> None:
    def key(text: str) -> tuple[tuple[int, ...], date]:
        version = parse_firmware("hikvision", text)
        assert version is not None
        return version.key

    assert key("V5.4.0 build 160401") < key("V5.4.0 build 160530") < key("V5.4.1 build 150101")
    assert key("V5.3.9 build 170109") < key("V5.4.0 build 160401")
    assert key("V5.5.800 build 210628") > key("V5.5.80 build 211231")


def test_parsers_are_keyed_by_vendor_catalogue_keys() -> None:
    keys = {v.key for v in load_catalogue().vendors}
    assert set(PARSERS) <= keys
