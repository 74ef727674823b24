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
    ],
)
def test_evidence(topic: str, source: str | None, door: str | None, expected: Evidence | None) -> None:
    assert evidence(topic, source, door) is expected


@pytest.mark.parametrize(("to_open", "to_close", "runs"), [(3, 2, 3), (1, 1, 1), (2, 5, 5)])
def test_runs_to_settle_open_or_close_the_fault(to_open: int, to_close: int, runs: int) -> None:
    assert runs_to_settle(to_open, to_close) == runs
