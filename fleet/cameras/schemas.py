"""Device shapes for input (API and import share one validation) and output (API and ``--json``); the types of
their fields are ``fleet.cameras.fields``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from fleet.cameras.fields import (
    RESERVED_RECORDER_NAMES,
    Day,
    DeviceName,
    Host,
    InputToken,
    Latitude,
    Longitude,
    Name,
    NetworkDeviceType,
    PollerGroup,
    Port,
    RecorderName,
    RetentionDays,
    Secret,
    ShortText,
    Text,
    UplinkPort,
    YesNo,
    host_value,
    lowercase,
    yes_no_or_none,
)
from fleet.cameras.models import (
    CameraKind,
    CameraStatus,
    DeviceType,
    Lifecycle,
    Network,
    RiskLevel,
    SnmpVersion,
)
from fleet.cameras.network_types import network_value
from fleet.errors import InvalidInput

# Columns that only describe a simulated device (see simulator/README.md); the registry ignores them.
SIMULATION_COLUMNS = frozenset({"sim_manufacturer", "sim_model", "sim_firmware", "sim_mac", "sim_disks"})
CREDENTIAL_FIELDS = (
    "username",
    "password",
    "snmp_version",
    "snmp_community",
    "snmp_user",
    "snmp_auth_key",
    "snmp_priv_key",
)
SNMP_V3_MIN_KEY = 8  # RFC 3414: USM keys are derived from passwords of at least 8 characters.


class CameraCredentialsIn(BaseModel):
    """Write-only device credentials; never returned by any response."""

    model_config = ConfigDict(extra="forbid")

    username: ShortText = None
    password: Secret = None
    snmp_version: Annotated[SnmpVersion | None, BeforeValidator(lowercase)] = None
    snmp_community: Secret = None
    snmp_user: ShortText = None
    snmp_auth_key: Secret = None
    snmp_priv_key: Secret = None

    @model_validator(mode="after")
    def _consistent(self) -> CameraCredentialsIn:
        # Raised as InvalidInput so the problem names its column, in the import as in the API.
        if self.password and not self.username:
            raise InvalidInput("username", "required when a password is given")
        version = self.snmp_version
        if version is None and self.snmp_user:
            version = SnmpVersion.V3
        elif version is None and self.snmp_community:
            version = SnmpVersion.V2C
        if version is SnmpVersion.V3:
            if not self.snmp_user:
                raise InvalidInput("snmp_user", "required for SNMP v3")
            if self.snmp_priv_key and not self.snmp_auth_key:
                raise InvalidInput("snmp_auth_key", "privacy (snmp_priv_key) needs an authentication key")
            for field in ("snmp_auth_key", "snmp_priv_key"):
                key = getattr(self, field)
                if key is not None and len(key) < SNMP_V3_MIN_KEY:
                    raise InvalidInput(field, f"must be at least {SNMP_V3_MIN_KEY} characters")
            if self.snmp_community:
                raise InvalidInput("snmp_community", "not used with SNMP v3; remove it or use snmp_version 2c")
        if version is SnmpVersion.V2C and self.snmp_user:
            raise InvalidInput("snmp_user", "not used with SNMP v2c; use snmp_version 3")
        if version is SnmpVersion.V2C and self.snmp_community is None:
            self.snmp_community = "public"
        self.snmp_version = version
        return self

    def secrets(self) -> dict[str, str]:
        """The values that are encrypted at rest."""
        return {
            field: value
            for field in CREDENTIAL_FIELDS
            if field != "snmp_version" and (value := getattr(self, field)) is not None
        }


def check_retention(minimum: int | None, maximum: int | None) -> None:
    """Footage cannot have to be kept longer than it may be kept."""
    if minimum is not None and maximum is not None and minimum > maximum:
        raise InvalidInput("retention_max_days", f"{maximum} is less than retention_min_days {minimum}")


def check_service_days(installed_on: date | None, retired_on: date | None) -> None:
    """A camera is retired after it was installed."""
    if installed_on is not None and retired_on is not None and retired_on <= installed_on:
        raise InvalidInput("retired_on", f"{retired_on} is not after installed_on {installed_on}")


class DeviceBase(BaseModel):
    """The registry fields every polled device has (a camera, a recorder), as declared by the municipality."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    lifecycle: Annotated[Lifecycle, BeforeValidator(lowercase)] = Lifecycle.IN_SERVICE
    site: ShortText = None
    area: ShortText = None
    location: Text = None
    latitude: Latitude = None
    longitude: Longitude = None
    onvif_port: Port = 80
    snmp_port: Port = 161
    poller_group: PollerGroup = "default"
    # Answer a Basic challenge over plain HTTP/RTSP (the password travels in clear): only for a device decided so.
    allow_basic: YesNo = False
    # The ONVIF digital input (InputToken, e.g. DI_0) wired to the street cabinet's door contact.
    cabinet_door_input: InputToken = None
    declared_manufacturer: ShortText = None
    declared_model: ShortText = None
    installed_on: Day = None
    # Out of service from this day on (local time); uptime counts nothing after it.
    retired_on: Day = None
    network: Annotated[Network | None, BeforeValidator(network_value)] = None
    # The network device it hangs on (its name) and the port there (ifIndex or ifName).
    uplink_device: DeviceName = None
    uplink_port: UplinkPort = None

    @model_validator(mode="after")
    def _both_coordinates(self) -> DeviceBase:
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            raise InvalidInput(missing, "latitude and longitude go together; give both or neither")
        check_service_days(self.installed_on, self.retired_on)
        if self.uplink_port is not None and self.uplink_device is None:
            raise InvalidInput("uplink_port", "a port needs its uplink_device")
        return self


class CameraBase(DeviceBase):
    """The registry fields of a camera: a device with a stream, and footage kept somewhere."""

    kind: Annotated[CameraKind, BeforeValidator(lowercase)] = CameraKind.FIXED
    rtsp_port: Port = 554
    # The name of the recorder keeping its footage, `edge` (the camera's own storage) or `none`.
    recorder: RecorderName = None
    retention_min_days: RetentionDays = None
    retention_max_days: RetentionDays = None

    @model_validator(mode="after")
    def _retention_in_order(self) -> CameraBase:
        check_retention(self.retention_min_days, self.retention_max_days)
        return self


class _DeviceCreate(CameraCredentialsIn):
    """What creating any device takes besides its registry fields: a name, a host and credentials."""

    name: Name
    host: Host

    # What a file of these devices holds, for messages ("no camera rows after the header").
    noun: ClassVar[str]

    def registry_fields(self) -> dict[str, Any]:
        """The fields given for the device row (everything but credentials and the device type)."""
        return self.model_dump(exclude={*CREDENTIAL_FIELDS, "device_type"})

    def credentials(self) -> CameraCredentialsIn:
        """The credential part of the input."""
        return CameraCredentialsIn.model_construct(**{f: getattr(self, f) for f in CREDENTIAL_FIELDS})

    def has_credentials(self) -> bool:
        """Whether any credential was given."""
        return self.snmp_version is not None or self.username is not None


class CameraCreate(CameraBase, _DeviceCreate):
    """A new camera, or one row of an import file."""

    device_type: ClassVar[DeviceType] = DeviceType.CAMERA
    noun: ClassVar[str] = "camera"


class RecorderCreate(DeviceBase, _DeviceCreate):
    """A new recorder (NVR, recording server), or one row of a recorder import file."""

    device_type: ClassVar[DeviceType] = DeviceType.RECORDER
    noun: ClassVar[str] = "recorder"

    @model_validator(mode="after")
    def _name_not_reserved(self) -> RecorderCreate:
        if self.name.casefold() in RESERVED_RECORDER_NAMES:
            raise InvalidInput("name", f"{self.name!r} means no recorder in the cameras' recorder column; rename it")
        return self


class NetworkDeviceCreate(DeviceBase, _DeviceCreate):
    """A new network device (switch, router, media converter, PoE injector, UPS), or one row of its import file."""

    noun: ClassVar[str] = "network device"
    device_type: NetworkDeviceType


class DeviceUpdate(BaseModel):
    """A partial change: only the fields sent are changed; ``null`` clears an optional field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name | None = None
    host: Annotated[str | None, BeforeValidator(host_value)] = None
    lifecycle: Annotated[Lifecycle | None, BeforeValidator(lowercase)] = None
    site: ShortText = None
    area: ShortText = None
    location: Text = None
    latitude: Latitude = None
    longitude: Longitude = None
    onvif_port: Port | None = None
    snmp_port: Port | None = None
    poller_group: PollerGroup | None = None
    allow_basic: Annotated[bool | None, BeforeValidator(yes_no_or_none)] = None
    cabinet_door_input: InputToken = None
    declared_manufacturer: ShortText = None
    declared_model: ShortText = None
    installed_on: Day = None
    retired_on: Day = None
    network: Annotated[Network | None, BeforeValidator(network_value)] = None
    uplink_device: DeviceName = None
    uplink_port: UplinkPort = None
    credentials: CameraCredentialsIn | None = Field(
        default=None, description="Replaces the stored credentials; an empty object removes them."
    )

    @model_validator(mode="after")
    def _required_stay_set(self) -> DeviceUpdate:
        for field in _REQUIRED_FIELDS & self.model_fields_set:
            if getattr(self, field) is None:
                raise InvalidInput(field, "cannot be cleared")
        return self


class CameraUpdate(DeviceUpdate):
    """A partial change of a camera."""

    kind: Annotated[CameraKind | None, BeforeValidator(lowercase)] = None
    rtsp_port: Port | None = None
    recorder: RecorderName = None
    retention_min_days: RetentionDays = None
    retention_max_days: RetentionDays = None


class RecorderUpdate(DeviceUpdate):
    """A partial change of a recorder."""


class NetworkDeviceUpdate(DeviceUpdate):
    """A partial change of a network device; its type may change among the network device types."""

    device_type: Annotated[NetworkDeviceType | None, Field(default=None)]


_REQUIRED_FIELDS = frozenset(
    {
        "name",
        "host",
        "device_type",
        "kind",
        "lifecycle",
        "onvif_port",
        "snmp_port",
        "rtsp_port",
        "poller_group",
        "allow_basic",
    }
)


class ObservedIdentity(BaseModel):
    manufacturer: str | None
    model: str | None
    firmware: str | None
    serial: str | None
    hardware_id: str | None
    mac: str | None
    snmp_enterprise: int | None
    sys_descr: str | None
    clock_drift_s: float | None
    uptime_s: float | None
    observed_at: datetime | None


class Evidence(BaseModel):
    signal: str
    value: str
    points_to: str | None


class Risk(BaseModel):
    level: RiskLevel
    origin_vendor: str | None
    origin_country: str | None
    confidence: float | None
    evidence: list[Evidence]
    identity_mismatch: bool


class CredentialSummary(BaseModel):
    """Which credentials are stored, never their values."""

    onvif: bool
    snmp_version: SnmpVersion | None


class DeviceOut(BaseModel):
    """What every polled device shows: registry fields, health, observed identity, risk; never a credential."""

    id: int
    name: str
    lifecycle: Lifecycle
    site: str | None
    area: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    host: str
    onvif_port: int
    snmp_port: int
    poller_group: str
    allow_basic: bool
    cabinet_door_input: str | None
    declared_manufacturer: str | None
    declared_model: str | None
    installed_on: date | None
    retired_on: date | None
    network: Network | None
    # The network device it hangs on, by name, and the port there; null when not declared.
    uplink_device: str | None
    uplink_port: str | None
    status: CameraStatus
    status_since: datetime | None
    last_seen_at: datetime | None
    observed: ObservedIdentity
    risk: Risk
    credentials: CredentialSummary
    created_at: datetime
    updated_at: datetime


class CameraOut(DeviceOut):
    kind: CameraKind
    rtsp_port: int
    # The recorder's name, `edge` or `none`; null when not declared.
    recorder: str | None
    retention_min_days: int | None
    retention_max_days: int | None


class RecorderOut(DeviceOut):
    # How many cameras declare this recorder as theirs.
    cameras: int


class NetworkDeviceOut(DeviceOut):
    device_type: DeviceType
    # How many devices (cameras and network devices) hang on it directly.
    devices_behind: int
