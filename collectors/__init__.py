"""Pure I/O adapters: a camera target in, an observation (or a typed error) out."""

from collectors.base import (
    CheckResult,
    Collector,
    ImageObservation,
    MediaProfile,
    Observation,
    OnvifHealthObservation,
    OnvifIdentityObservation,
    ReachabilityObservation,
    SnmpCredentials,
    SnmpObservation,
    StreamObservation,
    Target,
)
from collectors.errors import AuthFailed, BadResponse, CollectorError, Timeout, Unreachable, Unsupported
from collectors.registry import Collectors, run_check

__all__ = [
    "AuthFailed",
    "BadResponse",
    "CheckResult",
    "Collector",
    "CollectorError",
    "Collectors",
    "ImageObservation",
    "MediaProfile",
    "Observation",
    "OnvifHealthObservation",
    "OnvifIdentityObservation",
    "ReachabilityObservation",
    "SnmpCredentials",
    "SnmpObservation",
    "StreamObservation",
    "Target",
    "Timeout",
    "Unreachable",
    "Unsupported",
    "run_check",
]
