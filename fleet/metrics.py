"""Prometheus metrics of camfleet, in one registry that /metrics renders and the scheduler feeds."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from fleet.cameras.models import CameraStatus

REGISTRY = CollectorRegistry(auto_describe=True)

CAMERAS = Gauge("camfleet_cameras", "In-service cameras by status.", ["status"], registry=REGISTRY)
POLL_DURATION = Histogram(
    "camfleet_poll_duration_seconds",
    "Time one check of one camera took, by check kind.",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
CHECKS = Counter("camfleet_checks", "Checks run, by kind and result.", ["kind", "result"], registry=REGISTRY)
CHECK_FAILURES = Counter(
    "camfleet_check_failures", "Failed checks by kind and error class.", ["kind", "error_class"], registry=REGISTRY
)
SCHEDULER_LAG = Histogram(
    "camfleet_scheduler_lag_seconds",
    "How late a check started after it was due.",
    buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900),
    registry=REGISTRY,
)
STATUS_CHANGES = Counter("camfleet_status_changes", "Camera status changes written.", ["status"], registry=REGISTRY)


def set_camera_counts(counts: dict[CameraStatus, int]) -> None:
    """Refresh the cameras-by-status gauge from the database's counts."""
    for status in CameraStatus:
        CAMERAS.labels(status=status.value).set(counts.get(status, 0))
