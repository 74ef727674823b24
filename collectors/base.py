"""What goes into a collector (a target) and what comes out (an observation or an error)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from collectors.errors import CollectorError
from config.checks import CheckKind


@dataclass(frozen=True, slots=True)
class SnmpCredentials:
    """SNMP v2c community or v3 USM user; secrets are left out of the repr."""

    version: Literal["2c", "3"]
    community: str | None = field(default=None, repr=False)
    user: str | None = None
    auth_key: str | None = field(default=None, repr=False)
    priv_key: str | None = field(default=None, repr=False)
    auth_protocol: str = "sha"
    priv_protocol: str = "aes"


@dataclass(frozen=True, slots=True)
class MediaProfile:
    """One ONVIF media profile with its video encoding and URIs."""

    token: str
    name: str | None
    encoding: str | None
    width: int | None
    height: int | None
    stream_uri: str | None
    snapshot_uri: str | None


@dataclass(frozen=True, slots=True)
class Target:
    """One camera as the collectors see it; the password is left out of the repr."""

    camera_id: int
    name: str
    host: str
    onvif_port: int
    rtsp_port: int
    snmp_port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    snmp: SnmpCredentials | None = None
    # The media profile last reported over ONVIF (stream and snapshot URIs); None: ask the camera.
    media: MediaProfile | None = None
    # Answer a Basic challenge over plain HTTP/RTSP (the password in clear): only when the camera is allowed it.
    allow_basic: bool = False
    # A recorder: its SNMP check also reads the vendor's disk table.
    recorder: bool = False
    # A network device (switch, router, media converter, PoE injector, UPS): its SNMP check also walks its ports
    # (IF-MIB), their PoE (POWER-ETHERNET-MIB) and reads its battery (UPS-MIB).
    network_device: bool = False


@dataclass(frozen=True, slots=True)
class ReachabilityObservation:
    """Which ports accepted a TCP connection, and how long the ONVIF connect took."""

    onvif_port_open: bool
    rtsp_port_open: bool
    connect_ms: float | None


@dataclass(frozen=True, slots=True)
class OnvifHealthObservation:
    """The device clock (aware UTC) and its drift from ours: device time minus the request midpoint."""

    device_time: datetime
    clock_drift_s: float
    # The POSIX TZ string the camera is set to (GetSystemDateAndTime's TimeZone), when it names one.
    time_zone: str | None = None


@dataclass(frozen=True, slots=True)
class OnvifIdentityObservation:
    """What the device reports about itself over ONVIF."""

    manufacturer: str | None
    model: str | None
    firmware: str | None
    serial: str | None
    hardware_id: str | None
    mac: str | None
    profiles: tuple[MediaProfile, ...]


@dataclass(frozen=True, slots=True)
class PortSeen:
    """One interface of a network device (IF-MIB), with its PoE state where the device has POWER-ETHERNET-MIB."""

    index: int  # ifIndex
    name: str | None  # ifName, e.g. "Gi1/0/3"
    descr: str | None  # ifDescr, e.g. "GigabitEthernet1/0/3"
    alias: str | None  # ifAlias: the label people gave the port
    admin_up: bool | None
    oper_up: bool | None
    speed_mbps: int | None  # ifHighSpeed, else ifSpeed / 10^6
    in_errors: int | None  # counters as read: the domain takes the deltas
    out_errors: int | None
    poe_enabled: bool | None = None  # pethPsePortAdminEnable (None: no PoE on this port, or no PoE table)
    # pethPsePortDetectionStatus: disabled, searching, delivering, fault, test, other_fault
    poe_status: str | None = None


@dataclass(frozen=True, slots=True)
class UpsSeen:
    """What a UPS says of its battery (UPS-MIB, RFC 1628)."""

    on_battery: bool | None  # upsOutputSource is battery(5)
    battery_status: str | None  # upsBatteryStatus: unknown, normal, low, depleted
    minutes_remaining: int | None
    charge_percent: int | None
    seconds_on_battery: int | None


@dataclass(frozen=True, slots=True)
class DiskSeen:
    """One disk or volume of a recorder, as its vendor's SNMP disk table reports it (collectors/disks.py)."""

    kind: Literal["disk", "volume"]
    name: str
    # failed: the disk or volume is broken; degraded: it works with a failure tolerated (a RAID missing a disk) or
    # the disk warns of its end; ok: neither.
    state: Literal["ok", "failed", "degraded"]
    status: str  # the vendor's own word for the state, e.g. "Crashed", "Degrade"
    free_bytes: int | None = None
    total_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class SnmpObservation:
    """MIB-II basics plus the vendor values we know how to read."""

    sys_descr: str | None
    sys_object_id: str | None
    enterprise: int | None
    uptime_s: float | None
    sys_name: str | None
    if_oper_up: bool | None
    if_in_errors: int | None
    temperature_c: float | None
    storage_ok: bool | None
    vendor_values: dict[str, str]
    # A recorder's disks and volumes from its vendor's disk table (empty: it has none we know how to read).
    disks: tuple[DiskSeen, ...] = ()
    # A network device's interfaces and PoE (empty: not a network device, or it has no ifTable), its UPS battery.
    ports: tuple[PortSeen, ...] = ()
    ups: UpsSeen | None = None


@dataclass(frozen=True, slots=True)
class StreamObservation:
    """What the RTSP DESCRIBE answer says about the stream, next to what the ONVIF profile promised."""

    stream_uri: str
    auth: Literal["none", "basic", "digest"]
    codec: str | None  # from the SDP rtpmap, e.g. H264, H265, JPEG
    width: int | None  # from the SDP's size attributes or the H.264 sequence parameter set
    height: int | None
    profile_encoding: str | None  # from the ONVIF media profile, when known
    profile_width: int | None
    profile_height: int | None
    # What DESCRIBE's challenge offered (empty when it asked for no login): see collectors.authn.Offer.
    auth_endpoint: str = "rtsp"
    auth_uri: str | None = None
    auth_offered: tuple[str, ...] = ()
    auth_challenges: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImageObservation:
    """A snapshot reduced to statistics; the picture itself never leaves the collector.

    ``thumbnail`` is a tiny grey JPEG (base64), made only when the settings allow a reference thumbnail.
    """

    width: int
    height: int
    brightness: float
    contrast: float
    sharpness: float
    digest: str
    signature: tuple[float, ...]
    thumbnail: str | None = field(default=None, repr=False)
    # How the snapshot's login went and what its challenge offered (empty when it asked for none).
    auth: Literal["none", "basic", "digest"] = "none"
    auth_endpoint: str = "snapshot"
    auth_uri: str | None = None
    auth_offered: tuple[str, ...] = ()
    auth_challenges: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordingSeen:
    """One recording of a recording device (ONVIF Profile G): its source, its footage's span, its job, its gaps."""

    token: str
    source_id: str | None
    source_name: str | None
    source_address: str | None
    earliest: datetime | None
    latest: datetime | None
    # The recording job's state (ONVIF: Idle, Active, PartiallyActive, Error), lower case; None: no job for it.
    job_state: str | None
    # Spans without data in the period searched (FindEvents' recording history), oldest first; None: not known.
    gaps: tuple[tuple[datetime, datetime], ...] | None


@dataclass(frozen=True, slots=True)
class RecordingObservation:
    """What a recording device says about its recordings, at its own clock's time of asking."""

    asked_at: datetime
    recordings: tuple[RecordingSeen, ...]
    # From FindEvents: whether recording history could be searched (devices without it give no gap figures).
    history_searched: bool


@dataclass(frozen=True, slots=True)
class Certificate:
    """What a TLS endpoint's own certificate says (read without trusting it)."""

    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    key_type: str  # RSA, EC, Ed25519, …
    key_bits: int | None
    signature_algorithm: str
    self_signed: bool
    sha256: str


@dataclass(frozen=True, slots=True)
class TlsEndpoint:
    """One port tried for TLS: its certificate, or why there is none (refused: nothing listens there)."""

    service: Literal["https", "rtsps"]
    port: int
    certificate: Certificate | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class NetworkProtocol:
    """A protocol the camera serves (ONVIF GetNetworkProtocols): HTTP, HTTPS, RTSP."""

    name: str
    enabled: bool
    ports: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class EncoderConfiguration:
    """One video encoder configuration (ONVIF media GetVideoEncoderConfigurations)."""

    token: str
    encoding: str | None
    width: int | None
    height: int | None
    frame_rate: float | None
    bitrate_kbps: int | None
    gop: int | None


@dataclass(frozen=True, slots=True)
class SecurityObservation:
    """Certificates and exposed services, and the settings a baseline keeps; None: the camera would not say."""

    endpoints: tuple[TlsEndpoint, ...]
    protocols: tuple[NetworkProtocol, ...] | None
    discoverable: bool | None
    ntp_from_dhcp: bool | None
    ntp_servers: tuple[str, ...] | None
    encoders: tuple[EncoderConfiguration, ...] | None
    snmp_version: str | None  # the version camfleet polls it with: "2c" sends the community in clear


Observation = (
    ReachabilityObservation
    | OnvifHealthObservation
    | OnvifIdentityObservation
    | SnmpObservation
    | StreamObservation
    | ImageObservation
    | RecordingObservation
    | SecurityObservation
)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check of one camera: an observation, or the error that stopped it."""

    kind: CheckKind
    target_name: str
    ok: bool
    observation: Observation | None
    error: CollectorError | None
    started_at: datetime
    duration_s: float


class Collector(Protocol):
    """One check kind: a target in, an observation out, or a CollectorError raised."""

    @property
    def kind(self) -> CheckKind: ...

    async def collect(self, target: Target) -> Observation:
        """Run the check against one camera."""
        ...
