"""Pure rules of the recording check: which recording is whose footage, and what is wrong with each camera's.

A recording device (a recorder, or a camera recording on its own storage) answers with its recordings (ONVIF
Profile G); each camera it records is matched to its recordings by the recording's source (token, name or address),
and judged: recording at all, no long gap in the last day, footage reaching back at least the minimum retention and
no further than the maximum (AVG/GDPR: footage is personal data, 28 days in Dutch practice).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from config.recording import RecordingSettings
from fleet.faults.models import FaultKind
from fleet.uptime import calc

ACTIVE_JOBS = frozenset({"active", "partiallyactive"})
RECORDING_FAULTS = (
    FaultKind.RECORDING_STOPPED,
    FaultKind.RECORDING_GAP,
    FaultKind.RETENTION_SHORT,
    FaultKind.RETENTION_EXCEEDED,
)


@dataclass(frozen=True, slots=True)
class Recorded:
    """A camera whose footage the device keeps, with the retention it must have."""

    camera_id: int
    name: str
    host: str
    retention_min: timedelta
    retention_max: timedelta
    # Periods under a legal hold: footage in them is kept for a case, beyond the maximum retention.
    holds: tuple[tuple[datetime, datetime], ...] = ()


@dataclass(frozen=True, slots=True)
class Recording:
    """One recording as the check stored it."""

    token: str
    sources: tuple[str, ...]
    earliest: datetime | None
    latest: datetime | None
    job_state: str | None
    gaps: tuple[tuple[datetime, datetime], ...] | None

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Recording:
        """From the stored values of one recording (ISO times)."""
        sources = (values.get("source_id"), values.get("source_name"), values.get("source_address"))
        gaps = values.get("gaps")
        return cls(
            token=str(values.get("token")),
            sources=tuple(str(s).strip().casefold() for s in sources if s),
            earliest=_when(values.get("earliest")),
            latest=_when(values.get("latest")),
            job_state=values.get("job_state"),
            gaps=None if gaps is None else tuple((_at(a), _at(b)) for a, b in gaps),
        )


def _when(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _at(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


@dataclass
class Verdict:
    """Per recording fault: the cameras it applies to, with what was measured."""

    cameras: dict[FaultKind, list[str]] = field(default_factory=lambda: {k: [] for k in RECORDING_FAULTS})
    measured: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Which recordings each camera was matched to (shown on the recorder's page).
    mapping: dict[str, list[str]] = field(default_factory=dict)

    def bad(self, kind: FaultKind) -> bool:
        """Whether any camera has this fault."""
        return bool(self.cameras[kind])


def _host_of(source: str) -> str:
    # rtsp://10.0.0.5:554/… or 10.0.0.5 → 10.0.0.5
    rest = source.split("://", 1)[-1]
    return rest.split("/", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0].strip("[]")


def match(recordings: Sequence[Recording], cameras: Sequence[Recorded], *, edge: bool) -> dict[int, list[Recording]]:
    """Each camera's recordings: on an edge camera all of them; on a recorder those whose source names the camera
    (its name as source token or name, or its host in the source address)."""
    if edge:
        return {camera.camera_id: list(recordings) for camera in cameras}
    # The recordings' positions under each source and each host their sources name: a look-up per camera, not a
    # pass over every recording (a recorder keeps dozens of cameras, each with a recording or more).
    by_source: dict[str, set[int]] = defaultdict(set)
    by_host: dict[str, set[int]] = defaultdict(set)
    for position, recording in enumerate(recordings):
        for source in recording.sources:
            by_source[source].add(position)
            by_host[_host_of(source)].add(position)
    found: dict[int, list[Recording]] = {}
    for camera in cameras:
        positions = by_source.get(camera.name.casefold(), set()) | by_host.get(camera.host.casefold(), set())
        found[camera.camera_id] = [recordings[p] for p in sorted(positions)]
    return found


def judge(
    values: Mapping[str, Any], cameras: Sequence[Recorded], settings: RecordingSettings, *, edge: bool
) -> Verdict:
    """What is wrong with each camera's footage, from one recording observation's stored values."""
    asked_at = _at(values["asked_at"])
    recordings = [Recording.of(r) for r in values.get("recordings") or ()]
    verdict = Verdict()
    found = match(recordings, cameras, edge=edge)
    for camera in cameras:
        mine = found[camera.camera_id]
        verdict.mapping[camera.name] = [r.token for r in mine]
        measured = _measure(mine, asked_at, settings)
        verdict.measured[camera.name] = measured
        for kind, bad in _faults(measured, camera, settings).items():
            if bad:
                verdict.cameras[kind].append(camera.name)
    return verdict


def _measure(mine: Sequence[Recording], asked_at: datetime, settings: RecordingSettings) -> dict[str, Any]:
    earliest = min((r.earliest for r in mine if r.earliest), default=None)
    latest = max((r.latest for r in mine if r.latest), default=None)
    # A span without data after a recording's newest footage is its stop (recording_stopped), not a gap.
    known_gaps = [g for r in mine if r.gaps is not None for g in r.gaps if r.latest is None or g[1] <= r.latest]
    longest = max(((end - start).total_seconds() for start, end in known_gaps), default=0.0)
    return {
        "recordings": len(mine),
        "active": any(r.job_state in ACTIVE_JOBS for r in mine),
        "earliest": earliest,
        "latest": latest,
        "kept_days": None if earliest is None else (asked_at - earliest) / timedelta(days=1),
        "stale_s": None if latest is None else (asked_at - latest).total_seconds(),
        "longest_gap_s": longest if any(r.gaps is not None for r in mine) else None,
        "asked_at": asked_at,
    }


def _faults(measured: Mapping[str, Any], camera: Recorded, settings: RecordingSettings) -> dict[FaultKind, bool]:
    stale = measured["stale_s"]
    kept = measured["kept_days"]
    gap = measured["longest_gap_s"]
    days = timedelta(days=1)
    return {
        FaultKind.RECORDING_STOPPED: not measured["active"]
        or stale is None
        or stale > settings.stopped_after.total_seconds(),
        FaultKind.RECORDING_GAP: gap is not None and gap > settings.gap_threshold.total_seconds(),
        FaultKind.RETENTION_SHORT: kept is not None and kept < camera.retention_min / days,
        FaultKind.RETENTION_EXCEEDED: kept is not None
        and kept > (camera.retention_max + settings.retention_tolerance) / days
        and not _held(camera, measured["earliest"], measured["asked_at"] - camera.retention_max),
    }


def _held(camera: Recorded, earliest: datetime, allowed_from: datetime) -> bool:
    """Whether the footage older than allowed (from ``earliest`` up to ``allowed_from``) lies within the holds, taken
    together: two holds that abut or overlap cover all of their span."""
    return any(start <= earliest and allowed_from <= end for start, end in calc.merge(camera.holds))


def storage_problems(disks: Sequence[Mapping[str, Any]], full_percent: float) -> list[dict[str, str]]:
    """A recorder's disks and volumes (as its SNMP check stored them) that put footage at risk: failed, degraded, or
    a volume used beyond ``full_percent``; each by kind, name, state and the vendor's word for it."""
    problems = []
    for disk in disks:
        state, status = str(disk.get("state")), str(disk.get("status"))
        free, total = disk.get("free_bytes"), disk.get("total_bytes")
        if state == "ok" and isinstance(free, int) and isinstance(total, int) and total > 0:
            used = 100 * (total - free) / total
            if used > full_percent:
                state, status = "full", f"{status}, {used:.0f}% used"
        if state != "ok":
            kind, name = str(disk.get("kind")), str(disk.get("name"))
            problems.append({"kind": kind, "name": name, "state": state, "status": status})
    return problems


def storage_summary(device: str, disks: Sequence[Mapping[str, str]], cameras: Sequence[str]) -> str:
    """A storage_failed fault's summary: the recorder, its disks at fault, the cameras whose footage is at risk."""
    named = ", ".join(f"{d['name']} {d['state']}" for d in disks)
    return f"{device}: storage failed; footage at risk{f': {named}' if named else ''} ({', '.join(cameras)})"
