"""Between the domain and the collectors: a device as the collectors' target, a result as the values kept, a
collector error by the domain's name, a media profile back from what was kept."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from collectors.base import CheckResult, MediaProfile, OnvifIdentityObservation, SnmpCredentials, Target
from collectors.errors import (
    AuthFailed,
    BadResponse,
    CollectorError,
    NotAllowed,
    Timeout,
    Unreachable,
    Unsupported,
)
from fleet.cameras.targets import PollTarget
from fleet.health.models import ErrorClass

# Most specific first: Timeout is a kind of Unreachable.
_ERROR_CLASSES: tuple[tuple[type[CollectorError], ErrorClass], ...] = (
    (Timeout, ErrorClass.TIMEOUT),
    (Unreachable, ErrorClass.UNREACHABLE),
    (AuthFailed, ErrorClass.AUTH_FAILED),
    (BadResponse, ErrorClass.BAD_RESPONSE),
    (Unsupported, ErrorClass.UNSUPPORTED),
    (NotAllowed, ErrorClass.NOT_ALLOWED),
)


def error_class(error: CollectorError) -> ErrorClass:
    """The domain's name for a collector error."""
    for cls, name in _ERROR_CLASSES:
        if isinstance(error, cls):
            return name
    return ErrorClass.INTERNAL


def _json_safe(value: Any) -> Any:
    """The value as JSON holds it, dataclasses as dicts of their fields, in one walk (``dataclasses.asdict`` would
    deep-copy every value first, a fifth of the poller's own CPU per check)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json_safe(getattr(value, f.name)) for f in fields(value)}
    return value


def observation_values(result: CheckResult) -> dict[str, Any]:
    """The observation as JSON-safe values; for a failure, the evidence the device showed on the way."""
    observation = result.observation
    if observation is None or not is_dataclass(observation):
        evidence: dict[str, Any] = _json_safe(result.error.evidence) if result.error is not None else {}
        return evidence
    values: dict[str, Any] = _json_safe(observation)
    return values


def media_profile(values: dict[str, Any] | None) -> MediaProfile | None:
    """A stored media profile back as the collectors' dataclass (None when absent or not of that shape)."""
    if not values:
        return None
    try:
        return MediaProfile(
            token=str(values["token"]),
            name=values.get("name"),
            encoding=values.get("encoding"),
            width=values.get("width"),
            height=values.get("height"),
            stream_uri=values.get("stream_uri"),
            snapshot_uri=values.get("snapshot_uri"),
        )
    except KeyError:
        return None


def main_profile(result: CheckResult | None) -> MediaProfile | None:
    """The first media profile with a stream or snapshot URI that an identity check found."""
    observation = result.observation if result is not None else None
    if not isinstance(observation, OnvifIdentityObservation):
        return None
    return next((p for p in observation.profiles if p.stream_uri or p.snapshot_uri), None)


def to_target(poll: PollTarget, media: MediaProfile | None = None) -> Target:
    """The collectors' view of a camera."""
    secrets = poll.secrets
    snmp = None
    if poll.snmp_version in ("2c", "3"):
        snmp = SnmpCredentials(
            version="2c" if poll.snmp_version == "2c" else "3",
            community=secrets.get("snmp_community"),
            user=secrets.get("snmp_user"),
            auth_key=secrets.get("snmp_auth_key"),
            priv_key=secrets.get("snmp_priv_key"),
        )
    return Target(
        camera_id=poll.camera_id,
        name=poll.name,
        host=poll.host,
        onvif_port=poll.onvif_port,
        rtsp_port=poll.rtsp_port,
        snmp_port=poll.snmp_port,
        username=secrets.get("username"),
        password=secrets.get("password"),
        snmp=snmp,
        media=media,
        allow_basic=poll.allow_basic,
        recorder=poll.recorder,
        network_device=poll.network_device,
    )
