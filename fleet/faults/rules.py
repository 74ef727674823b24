"""Pure fault rules: which fault a failing check means, flapping with hysteresis, reboots, drift, groups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from config.checks import CheckKind
from fleet.faults.models import FaultKind, Severity
from fleet.health.models import CheckState, ErrorClass

SEVERITY: dict[FaultKind, Severity] = {
    FaultKind.OFFLINE: Severity.CRITICAL,
    FaultKind.GROUP_OUTAGE: Severity.CRITICAL,
    # A whole network zone unwatched: whatever fails there now is found late.
    FaultKind.COLLECTOR_SILENT: Severity.CRITICAL,
    FaultKind.ONVIF_AUTH_FAILED: Severity.MAJOR,
    FaultKind.CLOCK_DRIFT: Severity.MAJOR,  # footage timestamps are evidence
    FaultKind.REBOOT_LOOP: Severity.MAJOR,
    FaultKind.IDENTITY_CHANGED: Severity.MAJOR,
    FaultKind.TEMPERATURE_HIGH: Severity.MAJOR,
    FaultKind.STORAGE_FAILURE: Severity.MAJOR,
    FaultKind.ONVIF_ERROR: Severity.MINOR,
    FaultKind.SNMP_UNREACHABLE: Severity.MINOR,
    FaultKind.REBOOTED: Severity.WARNING,
    FaultKind.FIRMWARE_CHANGED: Severity.INFO,
    # Watching a street without a valid mayoral decision is unlawful (art. 151c Gemeentewet).
    FaultKind.DEPLOYMENT_EXPIRED: Severity.MAJOR,
    FaultKind.DEPLOYMENT_MISSING: Severity.MAJOR,
    # No footage worth having: the failures observers and the police notice too late.
    FaultKind.STREAM_UNAVAILABLE: Severity.MAJOR,
    FaultKind.IMAGE_BLACK: Severity.MAJOR,
    FaultKind.IMAGE_COVERED: Severity.MAJOR,
    FaultKind.IMAGE_FROZEN: Severity.MAJOR,
    FaultKind.IMAGE_MOVED: Severity.MAJOR,
    FaultKind.IMAGE_BLURRED: Severity.MINOR,
    FaultKind.IMAGE_UNAVAILABLE: Severity.MINOR,
    FaultKind.STREAM_MISMATCH: Severity.WARNING,
    FaultKind.AUTH_DOWNGRADE: Severity.MAJOR,
    FaultKind.HARDWARE_ALARM: Severity.MAJOR,
    FaultKind.CABINET_OPEN: Severity.INFO,
    # An ended certificate: browsers and recorders refuse it, or people learn to click warnings away.
    FaultKind.CERTIFICATE_EXPIRED: Severity.MAJOR,
    FaultKind.CERTIFICATE_EXPIRING: Severity.WARNING,
    # Resolution and frame rate are what the recorder's retention is sized on: drift breaks evidence and storage sums.
    FaultKind.CONFIG_DRIFT: Severity.MINOR,
    # Being abused in the wild: BIO 8.08.01 wants it fixed by a deadline (KEV's due date).
    FaultKind.VULNERABILITY_EXPLOITED: Severity.MAJOR,
    # No footage when it is asked for after an incident: as bad as the camera being down.
    FaultKind.RECORDING_STOPPED: Severity.CRITICAL,
    FaultKind.STORAGE_FAILED: Severity.CRITICAL,
    FaultKind.RECORDING_GAP: Severity.MAJOR,
    FaultKind.RETENTION_SHORT: Severity.MAJOR,
    # Personal data kept beyond its term (AVG/GDPR art. 5(1)(e)): unlawful, but no footage is lost.
    FaultKind.RETENTION_EXCEEDED: Severity.MAJOR,
    # A port down or unpowered cuts the device behind it off, as if it were down itself; the root cause of its fault.
    FaultKind.PORT_DOWN: Severity.CRITICAL,
    FaultKind.POE_OFF: Severity.CRITICAL,
    # On battery the cabinet still runs, for the battery's minutes; a low battery means it goes dark soon.
    FaultKind.UPS_ON_BATTERY: Severity.MAJOR,
    FaultKind.UPS_BATTERY_LOW: Severity.CRITICAL,
}

# Faults of a camera that answers every protocol but shows no usable picture: it is degraded while one is open.
IMPAIRING_KINDS = frozenset(
    {
        FaultKind.IMAGE_BLACK,
        FaultKind.IMAGE_COVERED,
        FaultKind.IMAGE_BLURRED,
        FaultKind.IMAGE_FROZEN,
        FaultKind.IMAGE_MOVED,
    }
)

# Event faults mark something that happened; they close when a person acknowledges them.
EVENT_KINDS = frozenset({FaultKind.FIRMWARE_CHANGED, FaultKind.IDENTITY_CHANGED, FaultKind.AUTH_DOWNGRADE})


def auth_downgraded(before: Set[str], now: Set[str]) -> bool:
    """Whether a login endpoint that offered Digest now offers Basic and no Digest (schemes in lower case)."""
    return "digest" in before and "basic" in now and "digest" not in now


def check_fault(kind: CheckKind, error_class: ErrorClass | None) -> FaultKind:
    """The fault a hard-failed check stands for."""
    if kind is CheckKind.REACHABILITY:
        return FaultKind.OFFLINE
    if kind is CheckKind.SNMP:
        return FaultKind.SNMP_UNREACHABLE
    if kind is CheckKind.STREAM:
        return FaultKind.STREAM_UNAVAILABLE
    if kind is CheckKind.IMAGE:
        return FaultKind.IMAGE_UNAVAILABLE
    if error_class is ErrorClass.AUTH_FAILED:
        return FaultKind.ONVIF_AUTH_FAILED
    return FaultKind.ONVIF_ERROR


# The faults that failing checks stand for, kept in step with the checks' hard states after every batch.
CHECK_FAULTS = frozenset(
    {
        FaultKind.OFFLINE,
        FaultKind.SNMP_UNREACHABLE,
        FaultKind.ONVIF_AUTH_FAILED,
        FaultKind.ONVIF_ERROR,
        FaultKind.STREAM_UNAVAILABLE,
        FaultKind.IMAGE_UNAVAILABLE,
    }
)
ONVIF_CHECKS = (CheckKind.ONVIF_HEALTH, CheckKind.ONVIF_IDENTITY, CheckKind.RECORDING)
ONVIF_FAULTS = frozenset({FaultKind.ONVIF_AUTH_FAILED, FaultKind.ONVIF_ERROR})


def desired_check_faults(
    states: Sequence[CheckState], *, failures_to_open: int, already_open: Set[FaultKind] = frozenset()
) -> dict[FaultKind, datetime]:
    """Which check faults a camera should have open, from its checks' hard states, with their start.

    A hard failure counts once it has lasted ``failures_to_open`` results (a camera's very first result settles
    its status at once, but never opens a fault on its own), or while its fault is open already. An offline
    camera fails every protocol too; offline alone explains that, so it is the only fault then.
    """

    def real(state: CheckState) -> bool:
        if state.hard_ok is not False:
            return False
        if state.failures_in_a_row >= failures_to_open:
            return True
        fault = check_fault(state.kind, state.last_error_class)
        return fault in already_open or (state.kind in ONVIF_CHECKS and bool(already_open & ONVIF_FAULTS))

    failed = {s.kind: s for s in states if real(s)}
    if CheckKind.REACHABILITY in failed:
        return {FaultKind.OFFLINE: _since(failed[CheckKind.REACHABILITY])}
    wanted: dict[FaultKind, datetime] = {}
    for kind in (CheckKind.SNMP, CheckKind.STREAM, CheckKind.IMAGE):
        if kind in failed:
            wanted[check_fault(kind, None)] = _since(failed[kind])
    for kind in ONVIF_CHECKS:
        if kind in failed:
            fault = check_fault(kind, failed[kind].last_error_class)
            wanted[fault] = min(wanted.get(fault, _since(failed[kind])), _since(failed[kind]))
    return wanted


def _since(state: CheckState) -> datetime:
    assert state.hard_since is not None
    return state.hard_since


# --- Flapping, as Icinga computes it: a weighted share of state changes over the last results. -------------

FLAP_WINDOW = 21


class FlapEvent(StrEnum):
    STARTED = "started"
    ENDED = "ended"


def state_change_share(history: str) -> float:
    """Weighted share of changes in ``history`` ('1' ok, '0' failed; oldest first), newest weighing most.

    Weights run linearly from 0.8 for the oldest change to 1.2 for the newest, as in Icinga 2.
    """
    if len(history) < 2:
        return 0.0
    changes = len(history) - 1
    total = 0.0
    for index in range(changes):
        if history[index] != history[index + 1]:
            total += 0.8 + 0.4 * index / max(1, changes - 1)
    return total / changes


@dataclass(frozen=True, slots=True)
class Flapping:
    history: str = ""
    flapping: bool = False


def update_flapping(
    state: Flapping, ok: bool, *, start: float = 0.5, stop: float = 0.25, window: int = FLAP_WINDOW
) -> tuple[Flapping, FlapEvent | None]:
    """Add a result; flapping starts above ``start`` and ends only below ``stop`` (hysteresis)."""
    history = (state.history + ("1" if ok else "0"))[-window:]
    share = state_change_share(history)
    if not state.flapping and len(history) >= window // 2 and share > start:
        return Flapping(history, True), FlapEvent.STARTED
    if state.flapping and share < stop:
        return Flapping(history, False), FlapEvent.ENDED
    return Flapping(history, state.flapping), None


# --- Values the device reports. ------------------------------------------------------------------------------


def clock_drifting(drift_s: float | None, threshold: timedelta) -> bool | None:
    """Whether the device clock is off by more than the threshold (None: not measured)."""
    return None if drift_s is None else abs(drift_s) > threshold.total_seconds()


# Names for one codec differ between ONVIF (media 1 and 2) and SDP rtpmap.
_CODECS = {"H264": "H264", "AVC": "H264", "H265": "H265", "HEVC": "H265", "JPEG": "JPEG", "MJPEG": "JPEG"}
_CODECS |= {"MPEG4": "MPEG4", "MP4V-ES": "MPEG4"}


def _codec(name: str) -> str:
    return _CODECS.get(name.upper(), name.upper())


def stream_mismatch(values: Mapping[str, Any]) -> list[str]:
    """What the stream's SDP says differently from the ONVIF profile: codec and/or resolution.

    Only values both sides state are compared: a camera whose SDP names no size is not a mismatch.
    """
    found = []
    codec, promised = values.get("codec"), values.get("profile_encoding")
    if (
        codec
        and promised
        and _CODECS.get(codec.upper(), codec.upper()) != _CODECS.get(promised.upper(), promised.upper())
    ):
        found.append(f"codec {codec} instead of {promised}")
    size = (values.get("width"), values.get("height"))
    profile_size = (values.get("profile_width"), values.get("profile_height"))
    if None not in size and None not in profile_size and size != profile_size:
        found.append(f"resolution {size[0]}×{size[1]} instead of {profile_size[0]}×{profile_size[1]}")
    return found


# sysUpTime is a 32-bit count of hundredths of a second: it wraps after about 497 days.
UPTIME_WRAP_S = 2**32 / 100


def rebooted(previous_uptime_s: float | None, uptime_s: float | None) -> bool:
    """Whether uptime went back since the last observation (a counter wrap is not a reboot)."""
    if previous_uptime_s is None or uptime_s is None or uptime_s >= previous_uptime_s:
        return False
    wrapped = previous_uptime_s > UPTIME_WRAP_S - 3600 and uptime_s < 3600
    return not wrapped


REBOOT_LOOP_COUNT = 3
REBOOT_LOOP_WINDOW = timedelta(hours=24)


def reboot_loop(reboots: Sequence[datetime], now: datetime) -> bool:
    """Three or more reboots within the last 24 hours."""
    return sum(1 for at in reboots if now - at <= REBOOT_LOOP_WINDOW) >= REBOOT_LOOP_COUNT


def identity_changed(
    previous_serial: str | None, serial: str | None, previous_mac: str | None, mac: str | None
) -> list[str]:
    """Which of serial and MAC changed from a known value to another (a swapped camera)."""
    changed = []
    if previous_serial and serial and previous_serial != serial:
        changed.append("serial")
    if previous_mac and mac and previous_mac.lower() != mac.lower():
        changed.append("mac")
    return changed


# --- Dependency suppression. --------------------------------------------------------------------------------


def group_outage(members: int, down: int, *, share: float = 0.5, minimum: int = 3) -> bool:
    """Whether so many cameras of one poller group or site are down at once that the cause is shared."""
    return members > 0 and down >= minimum and down / members >= share


# --- Root causes in the network tree. -----------------------------------------------------------------------

# The faults a device has because it cannot be reached: an uplink that is down explains them. Not
# onvif_auth_failed (the device answered, and refused), nor anything the device reports when it answers.
UNREACHABLE_KINDS = frozenset(
    {
        FaultKind.OFFLINE,
        FaultKind.SNMP_UNREACHABLE,
        FaultKind.ONVIF_ERROR,
        FaultKind.STREAM_UNAVAILABLE,
        FaultKind.IMAGE_UNAVAILABLE,
    }
)

# Faults of one port of a network device, which cut off what hangs on that port (``Fault.port``).
PORT_ROOTS = frozenset({FaultKind.PORT_DOWN, FaultKind.POE_OFF})

_Root = TypeVar("_Root")


def nearest_root(
    device: int,
    up: Mapping[int, tuple[int | None, str | None]],
    offline: Mapping[int, _Root],
    ports: Mapping[tuple[int, str], _Root],
) -> _Root | None:
    """The fault that explains why a device cannot be reached, walking up its uplinks (``up``: a device's uplink
    and its port there): the first uplink port that is down or unpowered (a port fault: its switch answers, so it
    is a cause of its own), else the furthest uplink that is offline (a dead switch behind a dead router: the
    router). None when nothing above it is down."""
    found: _Root | None = None
    seen = {device}
    current = device
    while True:
        uplink, port = up.get(current, (None, None))
        if uplink is None or uplink in seen:
            return found
        if port is not None and (uplink, port) in ports:
            return ports[(uplink, port)]
        found = offline.get(uplink, found)
        seen.add(uplink)
        current = uplink


class Cause(StrEnum):
    """What a camera's downtime is put down to in the reports."""

    CAMERA = "camera"  # its own fault: nothing above it explains it
    NETWORK = "network"  # a switch, router or media converter down, or its port down
    POWER = "power"  # its PoE port unpowered, or a PoE injector or UPS down
    SHARED = "shared"  # a group outage of its site or poller group: a shared cause guessed, not known


# Network devices whose failure takes the power away, not the network.
POWER_DEVICES = frozenset({"poe_injector", "ups"})


def cause_of(kind: FaultKind, device_type: str | None) -> Cause:
    """What a root fault (its kind, and its device's type) stands for in the reports."""
    if kind is FaultKind.GROUP_OUTAGE:
        return Cause.SHARED
    if kind is FaultKind.POE_OFF:
        return Cause.POWER
    return Cause.POWER if kind is not FaultKind.PORT_DOWN and device_type in POWER_DEVICES else Cause.NETWORK
