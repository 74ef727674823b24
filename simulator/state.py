"""A simulated camera's run-time condition and the polls it has received."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from simulator.recording import SimRecording


class ImageState(StrEnum):
    """What the sensor currently sees."""

    NORMAL = "normal"
    NIGHT = "night"  # a quarter of daylight brightness and more noise: still a healthy camera
    BLACK = "black"
    COVERED = "covered"
    BLURRED = "blurred"
    FROZEN = "frozen"
    MOVED = "moved"


@dataclass(slots=True)
class PollCounters:
    """Requests a camera received, counted at the device."""

    onvif: Counter[str] = field(default_factory=Counter)
    # Per operation: when the latest request came (POSIX seconds) and the shortest time between two in a row,
    # so a test can tell "polled once per interval" from "polled twice by two collectors".
    onvif_last_at: dict[str, float] = field(default_factory=dict)
    onvif_min_gap_s: dict[str, float] = field(default_factory=dict)
    onvif_auth_failures: int = 0
    snmp: int = 0
    snmp_rejected: int = 0
    snapshot: int = 0
    rtsp: Counter[str] = field(default_factory=Counter)
    # Snapshot and RTSP Authorization headers received, by scheme ("basic", "digest"): what a client sent us.
    logins: Counter[str] = field(default_factory=Counter)

    def count_onvif(self, operation: str) -> None:
        """Count one ONVIF request and note its time."""
        now = time.time()
        self.onvif[operation] += 1
        last = self.onvif_last_at.get(operation)
        if last is not None:
            self.onvif_min_gap_s[operation] = min(self.onvif_min_gap_s.get(operation, now - last), now - last)
        self.onvif_last_at[operation] = now

    def reset(self) -> None:
        """Start counting from zero."""
        self.onvif.clear()
        self.onvif_last_at.clear()
        self.onvif_min_gap_s.clear()
        self.rtsp.clear()
        self.logins.clear()
        self.onvif_auth_failures = self.snmp = self.snmp_rejected = self.snapshot = 0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready counters."""
        return {
            "onvif": dict(self.onvif),
            "onvif_total": sum(self.onvif.values()),
            "onvif_last_at": dict(self.onvif_last_at),
            "onvif_min_gap_s": {operation: round(gap, 3) for operation, gap in self.onvif_min_gap_s.items()},
            "onvif_auth_failures": self.onvif_auth_failures,
            "snmp": self.snmp,
            "snmp_rejected": self.snmp_rejected,
            "snapshot": self.snapshot,
            "rtsp": dict(self.rtsp),
            "rtsp_total": sum(self.rtsp.values()),
            "logins": dict(self.logins),
        }


@dataclass(slots=True)
class DeviceState:
    """Everything fault injection can change on a running camera."""

    firmware: str
    offline: bool = False
    rtsp_down: bool = False
    # The RTSP SDP announces a different size than the ONVIF profile (someone changed the encoder by hand).
    stream_mismatch: bool = False
    latency_ms: int = 0
    reject_auth: bool = False
    # The snapshot and RTSP logins offer (and accept) only Basic: a downgraded or factory-reset camera.
    basic_only: bool = False
    clock_offset_s: float = 0.0
    temperature_c: float = 38.0
    storage_failed: bool = False
    # The disk table's story (spec.sim_disks > 0): normal; failed (a disk crashed, its RAID volume degraded);
    # degraded (the volume lost a disk); full (the volume has 1 % free).
    disks: str = "normal"
    if_in_errors: int = 0
    image: ImageState = ImageState.NORMAL
    # The main stream's frame rate (ONVIF encoder configuration, SDP): someone changing it is configuration drift.
    frame_rate: int = 25
    # WS-Discovery left on (GetDiscoveryMode); the simulator never sends discovery traffic either way.
    discoverable: bool = False
    ntp_servers: list[str] = field(default_factory=lambda: ["ntp.gemeente.example"])
    # TLS listeners opened by SimulatedCamera.serve_tls (None: no HTTPS / RTSPS).
    https_port: int | None = None
    rtsps_port: int | None = None
    # The ONVIF events service and its quirks (see simulator/events.py).
    events: bool = True
    event_termination_scale: float = 1.0
    events_cancel_all: bool = False
    events_pull_hangs: bool = False
    # The longest an empty PullMessages is held, whatever Timeout was asked (0: answered at once).
    events_pull_cap_s: float = 60.0
    # A PullMessages Timeout over this is refused with a PullMessagesFaultResponse naming it (0: none refused).
    events_pull_max_s: float = 0.0
    # CreatePullPointSubscription is answered after this many seconds (a slow camera, or one busy making it).
    events_subscribe_delay_s: float = 0.0
    event_flood: int = 0
    # Where the SNMP agent sends its traps ("HOST:PORT" on loopback; empty: none), e.g. coldStart after a reboot.
    trap_to: str = ""
    # Failed ONVIF logins in a row that lock the accounts (0: never), for how long, and SetUser's half-way fault
    # (simulator/users.py).
    lockout_after: int = 0
    lockout_s: float = 60.0
    set_user_fault: str = ""
    # ONVIF GetUsers/SetUser offered; Hikvision ISAPI /ISAPI/Security/users served (simulator/isapi.py).
    onvif_users: bool = True
    isapi: bool = False
    # ONVIF Profile G: the recordings this device keeps (a recorder, or a camera recording on its own storage);
    # empty: no recording and search services. The period of the last FindEvents, for its results.
    recordings: list[SimRecording] = field(default_factory=list)
    event_search: tuple[datetime, datetime] | None = None
    # A network device's faults (simulator/network.py): ports whose link is down (a cut cable), ports whose PoE is
    # off (the device behind loses power); a UPS on battery and its charge (at 0 everything behind it goes dark).
    ports_down: list[int] = field(default_factory=list)
    poe_off: list[int] = field(default_factory=list)
    on_battery: bool = False
    battery_charge: int = 100
    # Cut off by the network (an uplink switched off, a port down) or without power: set by the fleet, not settable.
    dark: bool = False
    unpowered: bool = False
    boots: int = 1
    booted_at: float = field(default_factory=time.monotonic)

    def uptime_s(self) -> float:
        """Seconds since the last (simulated) boot."""
        return time.monotonic() - self.booted_at

    def device_time(self) -> float:
        """The device's wall clock (POSIX seconds), including its drift."""
        return time.time() + self.clock_offset_s

    def reboot(self) -> None:
        """Restart: uptime from zero, one more boot."""
        self.booted_at = time.monotonic()
        self.boots += 1
