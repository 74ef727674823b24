"""The pure hygiene rules over their tables: certificate endings, weaknesses, plain HTTP, NTP, baseline and drift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fleet.hygiene import rules

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
WARNING = timedelta(days=30)


def _endpoint(service: str, port: int, ends_in: timedelta | None, **certificate: Any) -> dict[str, Any]:
    if ends_in is None:
        return {"service": service, "port": port, "certificate": None, "error": "TLS handshake failed (x)"}
    return {
        "service": service,
        "port": port,
        "certificate": {"not_after": (NOW + ends_in).isoformat(), "subject": "CN=cam", **certificate},
        "error": None,
    }


@pytest.mark.parametrize(
    ("ends_in", "expired", "expiring"),
    [
        (timedelta(days=400), False, False),
        (timedelta(days=31), False, False),
        (timedelta(days=30), False, True),  # the warning's last day counts
        (timedelta(hours=1), False, True),
        (timedelta(0), True, True),  # ended at this moment
        (-timedelta(days=3), True, True),  # an ended certificate keeps its expiring fault: nothing recovered
        (None, False, False),  # no certificate: nothing ends
    ],
)
def test_endings(ends_in: timedelta | None, expired: bool, expiring: bool) -> None:
    found_expired, found_expiring = rules.endings([_endpoint("https", 443, ends_in)], NOW, WARNING)
    assert (bool(found_expired), bool(found_expiring)) == (expired, expiring)
    for ending in (*found_expired, *found_expiring):
        assert ending.label == "https:443" and ending.subject == "CN=cam"


def _certificate(key: str, bits: int, signature: str, self_signed: bool = False) -> dict[str, Any]:
    return {"key_type": key, "key_bits": bits, "signature_algorithm": signature, "self_signed": self_signed}


@pytest.mark.parametrize(
    ("certificate", "weak"),
    [
        (_certificate("RSA", 2048, "sha256WithRSAEncryption"), []),
        (_certificate("RSA", 1024, "sha256WithRSAEncryption"), ["RSA key of 1024 bits"]),
        (_certificate("EC", 256, "ecdsa-with-SHA256"), []),
        (_certificate("EC", 192, "ecdsa-with-SHA1"), ["EC key of 192 bits", "signed with ecdsa-with-SHA1"]),
        (_certificate("RSA", 4096, "sha1WithRSAEncryption"), ["signed with sha1WithRSAEncryption"]),
        (_certificate("RSA", 2048, "md5WithRSAEncryption"), ["signed with md5WithRSAEncryption"]),
        (_certificate("DSA", 1024, "dsa_with_sha256"), ["DSA key of 1024 bits"]),
        (_certificate("Ed25519", 256, "ed25519", self_signed=True), ["self-signed"]),
    ],
)
def test_weaknesses(certificate: dict[str, Any], weak: list[str]) -> None:
    assert rules.weaknesses(certificate) == weak


def test_plain_http_only_means_no_https_certificate() -> None:
    assert rules.plain_http_only([])
    assert rules.plain_http_only([_endpoint("rtsps", 322, timedelta(days=90))])  # RTSPS is not the web service
    assert rules.plain_http_only([_endpoint("https", 443, None)])  # a port that would not speak TLS
    assert not rules.plain_http_only([_endpoint("https", 443, -timedelta(days=1))])  # expired, but HTTPS


def test_foreign_ntp() -> None:
    assert rules.foreign_ntp(["ntp.gemeente.example", "Pool.NTP.org"], ["ntp.gemeente.example"]) == ["Pool.NTP.org"]
    assert rules.foreign_ntp(["pool.ntp.org"], []) == []  # nothing to compare with
    assert rules.foreign_ntp(None, ["ntp.gemeente.example"]) == []


VALUES: dict[str, Any] = {
    "encoders": [
        {"token": "main", "encoding": "H264", "width": 1920, "height": 1080, "frame_rate": 25.0, "gop": 50},
    ],
    "ntp_from_dhcp": False,
    "ntp_servers": ["ntp.gemeente.example"],
    "protocols": [{"name": "HTTP", "enabled": True, "ports": [80]}, {"name": "HTTPS", "enabled": False, "ports": []}],
}


def test_configuration_leaves_out_what_was_not_reported() -> None:
    full = rules.configuration(VALUES, "CET-1CEST,M3.5.0,M10.5.0/3")
    assert full["encoder/main/frame_rate"] == 25.0 and full["encoder/main/bitrate_kbps"] is None
    assert full["ntp/servers"] == ["ntp.gemeente.example"] and full["time_zone/tz"].startswith("CET")
    assert full["protocol/HTTPS"] == {"enabled": False, "ports": []}
    bare = rules.configuration({"encoders": None, "ntp_servers": None, "protocols": None}, None)
    assert bare == {}


def test_drift_names_old_and_new_values_within_sections_both_report() -> None:
    baseline = rules.configuration(VALUES, "CET-1CEST,M3.5.0,M10.5.0/3")
    changed = {**VALUES, "encoders": [{**VALUES["encoders"][0], "frame_rate": 12.0, "width": 1280}]}
    changed["protocols"] = [{"name": "HTTP", "enabled": True, "ports": [80, 8080]}]
    now = rules.configuration(changed, None)  # the time zone is not known this time: not compared
    found = rules.drift(baseline, now)
    assert [(c.setting, c.old, c.new) for c in found] == [
        ("encoder/main/frame_rate", 25.0, 12.0),
        ("encoder/main/width", 1920, 1280),
        ("protocol/HTTP", {"enabled": True, "ports": [80]}, {"enabled": True, "ports": [80, 8080]}),
        ("protocol/HTTPS", {"enabled": False, "ports": []}, None),
    ]
    assert found[0].describe() == "encoder/main/frame_rate 25.0 → 12.0"
    assert found[2].describe() == "protocol/HTTP on 80 → on 80,8080"
    assert found[3].describe() == "protocol/HTTPS off → absent"
    assert rules.drift(baseline, baseline) == []


def test_a_section_first_reported_later_completes_the_baseline_without_drift() -> None:
    without_zone = rules.configuration(VALUES, None)
    with_zone = rules.configuration(VALUES, "UTC0")
    completed = rules.completed(without_zone, with_zone)
    assert completed["time_zone/tz"] == "UTC0" and rules.drift(completed, with_zone) == []
    # A zone that changes afterwards is drift.
    assert [c.setting for c in rules.drift(completed, rules.configuration(VALUES, "GMT0"))] == ["time_zone/tz"]
