"""Firmware states of what real devices reported: the ONVIF captures and the snmpsim-data Hikvision recording."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from fleet.firmware.assess import FirmwareState, assess_firmware
from fleet.firmware.catalogue import load_advisories
from fleet.vendor_risk.classify import Signals
from tests.fleet.vendor_risk.test_real_devices import _capture, _hikvision


def _onvif(folder: str) -> Callable[[Path], Signals]:
    def signals(test_data: Path) -> Signals:
        return _capture(test_data / "onvif-captures" / folder)

    return signals


@pytest.mark.parametrize(
    ("device", "firmware", "ok_until", "why_outdated"),
    [
        # AXIS M5525-E reports "8.40.1.1": the LTS 2018 track, whose support ended with March 2024.
        pytest.param(_onvif("axis-m5525-e"), "8.40.1.1", date(2024, 3, 30), "LTS 2018 (8.40) support ended", id="axis"),
        # Pelco IMP321-1ES reports "01.16.42-20180912": a build date, so the three-year age rule decides.
        pytest.param(
            _onvif("pelco-imp321-1es"), "01.16.42-20180912", date(2021, 9, 12), "built 2018-09-12", id="pelco"
        ),
        # The Hikvision DS-2CD4C36FWD-AP recording: "V5.5.80 build 190131" on a model neither Hikvision advisory
        # names (not a DS-2CD4x2xFWD of CVE-2017-7921, not on NVD's CVE-2021-36260 list).
        pytest.param(lambda _: _hikvision(), "V5.5.80 build 190131", date(2022, 1, 31), "built 2019-01-31", id="hik"),
    ],
)
def test_real_firmware_strings(
    test_data: Path, device: Callable[[Path], Signals], firmware: str, ok_until: date, why_outdated: str
) -> None:
    signals = device(test_data)
    assert signals.observed_firmware == firmware
    vendor, model = signals.observed_manufacturer, signals.observed_model
    supported = assess_firmware(vendor, model, firmware, load_advisories(), as_of=ok_until)
    assert (supported.state, supported.advisories) == (FirmwareState.OK, ())
    day_after = date.fromordinal(ok_until.toordinal() + 1)
    outdated = assess_firmware(vendor, model, firmware, load_advisories(), as_of=day_after)
    assert (outdated.state, outdated.advisories) == (FirmwareState.OUTDATED, ())
    assert why_outdated in outdated.reason
