"""The security check against simulated cameras with TLS endpoints whose certificates are made here, on 127.119.1.x."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from collectors.base import SecurityObservation, Target
from collectors.registry import Collectors
from collectors.tls import probe, read_certificate
from config.checks import CheckKind
from simulator.certificates import make_authority, make_certificate
from simulator.fleet import SimulatedFleet
from tests.peers.tcp import TcpListener

HTTP, SNMP, RTSP, HTTPS, RTSPS = 8080, 1161, 8554, 8443, 8322
CAMERAS = {"SEC-AXIS": ("127.119.1.1", "Axis Communications"), "SEC-HIK": ("127.119.1.2", "Hikvision")}


@pytest_asyncio.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimulatedFleet]:
    path = tmp_path / "fleet.csv"
    rows = ["name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,username,password"]
    rows += [f"{n},{h},{HTTP},{SNMP},{RTSP},{m},admin,hygiene-{n}" for n, (h, m) in CAMERAS.items()]
    path.write_text("\n".join(rows) + "\n")
    async with SimulatedFleet.from_csv(path, snapshot_size=(320, 180)) as simulated:
        yield simulated


def _target(name: str) -> Target:
    host, _maker = CAMERAS[name]
    return Target(1, name, host, HTTP, RTSP, SNMP, username="admin", password=f"hygiene-{name}")


async def _observe(name: str) -> SecurityObservation:
    async with Collectors(device_timeout=10.0, https_ports=(), rtsps_ports=(RTSPS,)) as collectors:
        result = await collectors.run(CheckKind.SECURITY, _target(name))
    assert result.ok, result.error
    assert isinstance(result.observation, SecurityObservation)
    return result.observation


async def test_certificates_services_and_configuration_are_read(fleet: SimulatedFleet) -> None:
    expired = make_certificate("sec-axis.venlo.test", ended_ago=timedelta(days=3))
    weak = make_certificate("sec-axis-rtsps", rsa_bits=1024, issuer=make_authority())
    camera = fleet.camera("SEC-AXIS")
    await camera.serve_tls(weak.certificate_pem, weak.key_pem, rtsps_port=RTSPS)
    await camera.update(discoverable=True, ntp_servers=["pool.ntp.org", "10.0.0.1"])

    seen = await _observe("SEC-AXIS")
    (rtsps,) = seen.endpoints
    assert (rtsps.service, rtsps.port, rtsps.error) == ("rtsps", RTSPS, None)
    assert rtsps.certificate is not None
    assert (rtsps.certificate.key_type, rtsps.certificate.key_bits) == ("RSA", 1024)
    assert rtsps.certificate.self_signed is False and "Gemeente Test CA" in rtsps.certificate.issuer
    assert rtsps.certificate.signature_algorithm == "ecdsa-with-SHA256"  # signed by the EC authority
    assert seen.discoverable is True and seen.ntp_servers == ("pool.ntp.org", "10.0.0.1")
    assert seen.ntp_from_dhcp is False
    protocols = {p.name: p for p in seen.protocols or ()}
    assert protocols["HTTPS"].enabled is False and protocols["HTTP"].ports == (HTTP,)
    assert protocols["RTSP"].enabled and protocols["RTSP"].ports == (RTSP,)
    main = (seen.encoders or ())[0]
    assert (main.encoding, main.width, main.height, main.frame_rate, main.gop) == ("H264", 1920, 1080, 25.0, 50)

    await camera.serve_tls(expired.certificate_pem, expired.key_pem, https_port=HTTPS)
    await camera.update(frame_rate=12)
    again = await _observe("SEC-AXIS")
    (https,) = again.endpoints
    assert https.service == "https" and https.certificate is not None
    assert https.certificate.self_signed and https.certificate.not_after == expired.not_after
    assert https.certificate.not_after < datetime.now(UTC)
    assert {p.name: p.enabled for p in again.protocols or ()}["HTTPS"] is True
    assert (again.encoders or ())[0].frame_rate == 12.0


async def test_a_camera_without_tls_has_no_endpoints(fleet: SimulatedFleet) -> None:
    seen = await _observe("SEC-HIK")
    assert seen.endpoints == ()  # nothing listens on the RTSPS port, HTTPS is off: plain HTTP only
    assert seen.discoverable is False and seen.snmp_version is None
    hik = (seen.encoders or ())[0]
    assert (hik.encoding, hik.width, hik.height, hik.gop) == ("H265", 2688, 1520, None)


async def test_a_port_speaking_plain_text_or_nothing_is_no_certificate(fleet: SimulatedFleet) -> None:
    plain = await probe("https", "127.119.1.2", HTTP, timeout=5.0)  # the plain HTTP listener answers 400
    assert plain is not None and plain.certificate is None and "TLS handshake failed" in (plain.error or "")

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # accepts, never answers the handshake

    listener = TcpListener()
    await listener.start(silent, "127.119.1.9", 8443)
    try:
        hung = await probe("https", "127.119.1.9", 8443, timeout=0.5)
    finally:
        await listener.stop()
    assert hung is not None and hung.certificate is None and hung.error == "no TLS handshake within 0.5 s"
    assert await probe("https", "127.119.1.9", 8443, timeout=0.5) is None  # nothing listening: not offered


@pytest.mark.parametrize("garbage", [b"", b"\x30\x03\x02\x01\x00", b"not a certificate" * 10])
def test_a_garbage_certificate_is_refused_clearly(garbage: bytes) -> None:
    with pytest.raises(ValueError):
        read_certificate(garbage)


def test_a_huge_certificate_is_not_parsed() -> None:
    with pytest.raises(ValueError, match="over the 65536-byte limit"):
        read_certificate(b"\x30" * (70 * 1024))
