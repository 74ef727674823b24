"""What each event is evidence of: the whole table of topics, sources and door mappings."""

from __future__ import annotations

import pytest

from fleet.events.rules import Evidence, evidence, runs_to_settle


@pytest.mark.parametrize(
    ("topic", "source", "door", "expected"),
    [
        ("tns1:VideoSource/GlobalSceneChange/ImagingService", "VideoSource_1", None, Evidence.IMAGE_CHECK),
        ("tns1:VideoSource/GlobalSceneChange/AnalyticsService", "VideoSource_1", None, Evidence.IMAGE_CHECK),
        ("tns1:VideoSource/ImageTooDark/ImagingService", None, None, Evidence.IMAGE_CHECK),
        ("tns1:VideoSource/ImageTooBlurry/RecordingService", None, None, Evidence.IMAGE_CHECK),
        ("tns1:VideoSource/ImageTooBright/ImagingService", None, None, Evidence.IMAGE_CHECK),
        ("tns1:VideoSource/SignalLoss", "VideoSource_1", None, Evidence.STREAM_CHECK),
        ("tns1:Device/HardwareFailure/StorageFailure", "SD_DISK", None, Evidence.HARDWARE_ALARM),
        ("tns1:Device/HardwareFailure/FanFailure", None, None, Evidence.HARDWARE_ALARM),
        ("tns1:Device/HardwareFailure/TemperatureCritical", None, "DI_0", Evidence.HARDWARE_ALARM),
        ("tns1:Device/Trigger/DigitalInput", "DI_0", "DI_0", Evidence.CABINET_DOOR),
        ("tns1:Device/Trigger/DigitalInput", "DI_1", "DI_0", None),  # another input: counted only
        ("tns1:Device/Trigger/DigitalInput", "DI_0", None, None),  # no door wired to this camera
        ("tns1:Device/Trigger/DigitalInput", None, "DI_0", None),
        ("tns1:RuleEngine/CellMotionDetector/Motion", "VideoSourceConfigurationToken", None, None),
        ("VideoSource/GlobalSceneChange/ImagingService", None, None, Evidence.IMAGE_CHECK),  # no prefix
        ("axis:VideoSource/GlobalSceneChange", None, None, None),  # a vendor's own namespace
        ("", None, None, None),
        ("snmp:coldStart", None, None, Evidence.IDENTITY_CHECK),
        ("snmp:warmStart", None, None, Evidence.IDENTITY_CHECK),
        ("snmp:linkDown", None, None, None),  # the cameras behind a switch port: issue 19
        ("snmp:1.3.6.1.4.1.99.0.1", None, None, None),
    ],
)
def test_evidence(topic: str, source: str | None, door: str | None, expected: Evidence | None) -> None:
    assert evidence(topic, source, door) is expected


@pytest.mark.parametrize(
    ("found", "to_open", "to_close", "runs"),
    [
        (Evidence.IMAGE_CHECK, 3, 2, 3),
        (Evidence.IMAGE_CHECK, 1, 1, 1),
        (Evidence.STREAM_CHECK, 2, 5, 5),
        (Evidence.IDENTITY_CHECK, 3, 2, 1),
    ],
)
def test_runs_to_settle_open_or_close_the_fault(found: Evidence, to_open: int, to_close: int, runs: int) -> None:
    assert runs_to_settle(found, to_open, to_close) == runs
