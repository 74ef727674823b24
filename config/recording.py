"""The recording settings: how long footage must and may be kept, and when a recording counts as stopped."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, model_validator

from config.durations import Duration
from config.section import Section

# How far back the recording check searches a device's recording history (FindEvents) for gaps: the recording_gap
# fault judges the last day, and footage coverage (fleet.recording.coverage) takes each such window as seen whole.
HISTORY = timedelta(days=1)


class RecordingSettings(Section):
    """Defaults for cameras that declare no retention of their own, and the thresholds of the recording faults."""

    # Footage must reach back at least this far (a camera's retention_min_days overrides it): less, and footage
    # asked for after an incident is missing.
    retention_min: Duration = timedelta(days=7)
    # Footage is personal data (AVG/GDPR): Dutch practice keeps it 28 days, longer only for an investigation (a
    # legal hold). A camera's retention_max_days overrides it.
    retention_max: Duration = timedelta(days=28)
    # Footage this much older than the maximum is reported (retention_exceeded): a recorder deletes by the day.
    retention_tolerance: Duration = timedelta(days=1)
    # The newest footage older than this means the recording stopped (with recordings every 15 minutes).
    stopped_after: Duration = timedelta(minutes=30)
    # A span without footage in the last day longer than this is a gap (recording_gap).
    gap_threshold: Duration = timedelta(minutes=10)
    # A recorder volume used beyond this share (per cent, from its SNMP disk table) is storage_failed (full): new
    # footage has no room, or the oldest is overwritten sooner than the retention needs.
    volume_full_percent: float = Field(default=95.0, gt=0, le=100)

    @model_validator(mode="after")
    def _min_below_max(self) -> RecordingSettings:
        if self.retention_min > self.retention_max:
            raise ValueError("recording.retention_min must not exceed recording.retention_max")
        return self
