"""Prometheus metrics of camfleet, in one registry that /metrics renders and the scheduler feeds."""

from __future__ import annotations

from collections.abc import Sequence

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
# Per camera and topic in the event_counts table: topics are the devices' own strings, no label for them here.
EVENTS = Counter(
    "camfleet_events",
    "Events received from cameras, by what they are evidence of, kept or dropped over a camera's rate limit.",
    ["evidence", "outcome"],
    registry=REGISTRY,
)
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
LOOP_LAG = Histogram(
    "camfleet_event_loop_lag_seconds",
    "How late the event loop ran a timer: what every poll and request waited for camfleet's own work.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
CHECKS_DISCARDED_OVERLOAD = Counter(
    "camfleet_checks_discarded_overload",
    "Failed checks not recorded as the camera's failure because camfleet's own event loop stalled during them; "
    "each is run again.",
    ["kind"],
    registry=REGISTRY,
)
HEAVY_JOBS = Gauge(
    "camfleet_heavy_jobs",
    "CPU-heavy jobs (documents, spreadsheets, hashing) queued or running.",
    ["lane"],
    registry=REGISTRY,
)
HEAVY_REQUESTS = Gauge(
    "camfleet_heavy_requests",
    "Requests that make heavy jobs (downloads, logins) waiting for their turn or under way, by kind.",
    ["kind"],
    registry=REGISTRY,
)
HEAVY_SECONDS = Histogram(
    "camfleet_heavy_job_seconds",
    "Time a CPU-heavy job took, queueing included, by lane and job.",
    ["lane", "job"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
    registry=REGISTRY,
)


def set_camera_counts(counts: dict[CameraStatus, int]) -> None:
    """Refresh the cameras-by-status gauge from the database's counts."""
    for status in CameraStatus:
        CAMERAS.labels(status=status.value).set(counts.get(status, 0))


GROUP_RESULT_AGE = Gauge(
    "camfleet_poller_group_newest_result_age_seconds",
    "Per poller group: seconds since the newest check of any of its cameras ran (absent before the first).",
    ["group"],
    registry=REGISTRY,
)
GROUP_COLLECTORS = Gauge(
    "camfleet_poller_group_live_collectors",
    "Per poller group: collectors (of the group or of every group) heard from within one lease.",
    ["group"],
    registry=REGISTRY,
)


def set_group_health(groups: Sequence[tuple[str, float | None, int]]) -> None:
    """Refresh the per poller group gauges from (group, newest result age in s or None, live collectors)."""
    GROUP_RESULT_AGE.clear()
    GROUP_COLLECTORS.clear()
    for group, age_s, live in groups:
        GROUP_COLLECTORS.labels(group=group).set(live)
        if age_s is not None:
            GROUP_RESULT_AGE.labels(group=group).set(age_s)
