"""The summary a condition fault opens with (and keeps, following what it concerns while open)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fleet.cameras.models import Camera
from fleet.faults import rules
from fleet.faults.models import FaultKind
from fleet.recording.rules import storage_summary

_IMAGE_SUMMARIES = {
    FaultKind.IMAGE_BLACK: "picture is black",
    FaultKind.IMAGE_COVERED: "picture shows nothing: lens covered or taped",
    FaultKind.IMAGE_BLURRED: "picture is blurred",
    FaultKind.IMAGE_FROZEN: "picture is frozen: the same frame again",
}


_RECORDING_SUMMARIES = {
    FaultKind.RECORDING_STOPPED: "no footage is being recorded",
    FaultKind.RECORDING_GAP: "gap in the last day's footage",
    FaultKind.RETENTION_SHORT: "footage does not reach back the minimum retention",
    FaultKind.RETENTION_EXCEEDED: "footage kept beyond the maximum retention",
}


def condition_summary(
    camera: Camera, kind: FaultKind, values: Mapping[str, Any], extra: Mapping[str, Any] | None = None
) -> str:
    """A condition fault's summary: the device, what is wrong, and what it concerns (values, cameras, disks)."""
    if kind is FaultKind.CLOCK_DRIFT:
        return f"{camera.name}: clock off by {values.get('clock_drift_s', 0):+.1f} s"
    if kind is FaultKind.TEMPERATURE_HIGH:
        return f"{camera.name}: temperature {values.get('temperature_c')} °C"
    if kind is FaultKind.STREAM_MISMATCH:
        return f"{camera.name}: stream differs from its ONVIF profile ({', '.join(rules.stream_mismatch(values))})"
    if kind is FaultKind.IMAGE_MOVED:
        score = (extra or {}).get("similarity")
        return f"{camera.name}: view differs from its reference (similarity {score}): moved or turned?"
    if kind in _IMAGE_SUMMARIES:
        return f"{camera.name}: {_IMAGE_SUMMARIES[kind]}"
    if kind is FaultKind.STORAGE_FAILED:
        return storage_summary(camera.name, (extra or {}).get("disks", []), (extra or {}).get("cameras", []))
    if kind in _RECORDING_SUMMARIES:
        return f"{camera.name}: {_RECORDING_SUMMARIES[kind]} ({', '.join((extra or {}).get('cameras', []))})"
    return f"{camera.name}: storage failure"
