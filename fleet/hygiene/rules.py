"""Pure hygiene rules: which certificates have ended or soon will, what is weak, and what drifted from a baseline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# Below these a key is weak (NIST SP 800-57: RSA and DSA 2048, elliptic curves 224 bits at the least).
MIN_KEY_BITS = {"RSA": 2048, "DSA": 2048, "EC": 224}
WEAK_HASHES = ("md2", "md5", "sha1")


@dataclass(frozen=True, slots=True)
class Ending:
    """A TLS endpoint whose certificate has ended, or ends within the warning time."""

    service: str
    port: int
    not_after: datetime
    subject: str

    @property
    def label(self) -> str:
        """`https:443`."""
        return f"{self.service}:{self.port}"


def endings(
    endpoints: Sequence[Mapping[str, Any]], now: datetime, warning: timedelta
) -> tuple[list[Ending], list[Ending]]:
    """The endpoints whose certificate has ended, and those ending within ``warning`` of now or ended already (so
    the expiring fault stays open when its certificate runs out: nothing recovered)."""
    expired, expiring = [], []
    for endpoint in endpoints:
        certificate = endpoint.get("certificate")
        if not certificate:
            continue
        not_after = datetime.fromisoformat(certificate["not_after"])
        ending = Ending(endpoint["service"], int(endpoint["port"]), not_after, str(certificate.get("subject", "")))
        if not_after <= now:
            expired.append(ending)
        if not_after - now <= warning:
            expiring.append(ending)
    return expired, expiring


def weaknesses(certificate: Mapping[str, Any]) -> list[str]:
    """What is weak about a certificate: a short key, a broken signature hash, no issuer but itself."""
    found = []
    minimum = MIN_KEY_BITS.get(str(certificate.get("key_type")))
    bits = certificate.get("key_bits")
    if minimum is not None and isinstance(bits, int) and bits < minimum:
        found.append(f"{certificate['key_type']} key of {bits} bits")
    # "sha1WithRSAEncryption", "ecdsa-with-SHA1", "md5WithRSAEncryption": the hash first, or after "with".
    algorithm = str(certificate.get("signature_algorithm", "")).lower().replace("-", "")
    if any(algorithm.startswith(name) or f"with{name}" in algorithm for name in WEAK_HASHES):
        found.append(f"signed with {certificate['signature_algorithm']}")
    if certificate.get("self_signed"):
        found.append("self-signed")
    return found


def plain_http_only(endpoints: Sequence[Mapping[str, Any]]) -> bool:
    """Whether no HTTPS port presented a certificate: the camera's web and ONVIF service is plain HTTP only."""
    return not any(e.get("service") == "https" and e.get("certificate") for e in endpoints)


def foreign_ntp(servers: Sequence[str] | None, municipal: Sequence[str]) -> list[str]:
    """The camera's NTP servers that are not the municipality's (nothing to compare when either is unknown)."""
    if not servers or not municipal:
        return []
    return [server for server in servers if server.lower() not in municipal]


def configuration(values: Mapping[str, Any], time_zone: str | None) -> dict[str, Any]:
    """The settings a baseline keeps, as {"section/name": value}; a part the camera did not report is left out."""
    found: dict[str, Any] = {}
    for encoder in values.get("encoders") or ():
        for key in ("encoding", "width", "height", "frame_rate", "bitrate_kbps", "gop"):
            found[f"encoder/{encoder['token']}/{key}"] = encoder.get(key)
    if values.get("ntp_servers") is not None:
        found["ntp/from_dhcp"] = values.get("ntp_from_dhcp")
        found["ntp/servers"] = list(values["ntp_servers"])
    if time_zone is not None:
        found["time_zone/tz"] = time_zone
    for protocol in values.get("protocols") or ():
        found[f"protocol/{protocol['name']}"] = {"enabled": protocol["enabled"], "ports": list(protocol["ports"])}
    return found


def _section(setting: str) -> str:
    return setting.split("/", 1)[0]


@dataclass(frozen=True, slots=True)
class Change:
    """One setting that differs from the baseline (None: absent on that side)."""

    setting: str
    old: Any
    new: Any

    def describe(self) -> str:
        """`encoder/main/frame_rate 25.0 → 12.0`."""
        return f"{self.setting} {_shown(self.old)} → {_shown(self.new)}"


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        state = "on" if value.get("enabled") else "off"
        return f"{state} {','.join(str(p) for p in value.get('ports', ()))}".strip()
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or "none"
    return "absent" if value is None else str(value)


def completed(baseline: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The baseline with the sections it lacks taken from now (a part first reported later is no drift)."""
    known = {_section(setting) for setting in baseline}
    return {**baseline, **{k: v for k, v in current.items() if _section(k) not in known}}


def drift(baseline: Mapping[str, Any], current: Mapping[str, Any]) -> list[Change]:
    """Every setting that differs, within the sections both sides report (one not reported now is not compared)."""
    sections = {_section(s) for s in baseline} & {_section(s) for s in current}
    settings = sorted(s for s in {*baseline, *current} if _section(s) in sections)
    return [
        Change(setting, baseline.get(setting), current.get(setting))
        for setting in settings
        if baseline.get(setting) != current.get(setting)
    ]
