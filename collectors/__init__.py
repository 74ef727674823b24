"""Pure I/O adapters: a camera target in, an observation (or a typed error) out."""

from collectors.base import (
    CheckKind,
    CheckResult,
    Collector,
    MediaProfile,
    Observation,
    OnvifHealthObservation,
    OnvifIdentityObservation,
    ReachabilityObservation,
    SnmpCredentials,
    SnmpObservation,
    Target,
)
from collectors.errors import AuthFailed, BadResponse, CollectorError, Timeout, Unreachable, Unsupported
from collectors.registry import Collectors, run_check

__all__ = [
    "AuthFailed",
    "BadResponse",
    "CheckKind",
    "CheckResult",
    "Collector",
    "CollectorError",
    "Collectors",
    "MediaProfile",
    "Observation",
    "OnvifHealthObservation",
    "OnvifIdentityObservation",
    "ReachabilityObservation",
    "SnmpCredentials",
    "SnmpObservation",
    "Target",
    "Timeout",
    "Unreachable",
    "Unsupported",
    "run_check",
]
