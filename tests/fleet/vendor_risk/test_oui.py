"""MAC addresses in the notations devices print, to OUIs and registered organisations."""

from __future__ import annotations

import pytest

from fleet.vendor_risk.oui import Oui, oui_of


@pytest.mark.parametrize(
    ("mac", "expected"),
    [
        ("AC:CC:8E:BE:CC:EA", Oui("AC-CC-8E", "Axis Communications AB", False)),  # Axis capture, upper case
        ("00:04:7d:36:a5:4e", Oui("00-04-7D", "Motorola Solutions Inc.", False)),  # Pelco capture, lower case
        ("94-e1-ac-e4-6e-c7", Oui("94-E1-AC", "Hangzhou Hikvision Digital Technology Co.,Ltd.", False)),  # HIK MIB
        ("00166c9107b1", Oui("00-16-6C", "Samsung Electronics Co.,Ltd", False)),  # ifPhysAddress hex
        ("0007.5f99.4901", Oui("00-07-5F", "VCS Video Communication Systems AG", False)),
        ("02:1a:11:00:00:01", Oui("02-1A-11", None, True)),
        (
            "fc:ff:ff:00:00:01",
            Oui("FC-FF-FF", None, False),
        ),  # not in netaddr's 2024 registry  # chosen by software: names no maker
        ("00:00:01:00:00:01", Oui("00-00-01", "XEROX CORPORATION", False)),
        ("not a mac", None),
        ("", None),
    ],
)
def test_oui_of(mac: str, expected: Oui | None) -> None:
    assert oui_of(mac) == expected
