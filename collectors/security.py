"""Cyber hygiene of one camera: its TLS certificates, the services and discovery it leaves on, its NTP servers and
its encoder configurations (the baseline's values), through onvif-zeep-async and bare TLS handshakes.

Every ONVIF call after the service lookup is optional: a camera that lacks one, or answers it with something we will
not use, answers None for that part, not a failed check. A camera that refuses our login, is not there or runs out
of time fails the check as any ONVIF check does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from onvif import ONVIFError

from collectors.base import EncoderConfiguration, NetworkProtocol, SecurityObservation, Target, TlsEndpoint
from collectors.errors import BadResponse, Unsupported
from collectors.http import CappedZeepTransport
from collectors.onvif_identity import camera_for, cap_service, edge, int_of, text_of
from collectors.tls import probe
from config.checks import CheckKind

log = logging.getLogger(__name__)

# A camera lists a handful of protocols, ports, NTP servers and encoders; more is garbage, not configuration.
_MAX_ITEMS = 16


def _protocols(raw: Any) -> tuple[NetworkProtocol, ...] | None:
    if raw is None:
        return None
    found = []
    for item in list(raw)[:_MAX_ITEMS]:
        name = text_of(getattr(item, "Name", None))
        if name is None:
            continue
        ports = [int_of(port) for port in list(getattr(item, "Port", None) or ())[:_MAX_ITEMS]]
        found.append(
            NetworkProtocol(
                name=name.upper()[:20],
                enabled=str(getattr(item, "Enabled", "")).lower() == "true",
                ports=tuple(sorted({p for p in ports if p is not None and 0 < p < 65536})),
            )
        )
    return tuple(sorted(found, key=lambda p: p.name))


def _discoverable(raw: Any) -> bool | None:
    # zeep hands back the lone DiscoveryMode value itself, or the response object around it.
    mode = text_of(getattr(raw, "DiscoveryMode", raw)) if raw is not None else None
    return None if mode is None else mode.lower() == "discoverable"


def _host(raw: Any) -> str | None:
    for field in ("DNSname", "IPv4Address", "IPv6Address"):
        value = text_of(getattr(raw, field, None))
        if value:
            return value.lower()[:253]
    return None


def _ntp(raw: Any) -> tuple[bool | None, tuple[str, ...] | None]:
    if raw is None:
        return None, None
    from_dhcp = str(getattr(raw, "FromDHCP", "")).lower() == "true"
    hosts = getattr(raw, "NTPFromDHCP" if from_dhcp else "NTPManual", None) or ()
    servers = (_host(host) for host in list(hosts)[:_MAX_ITEMS])
    return from_dhcp, tuple(server for server in servers if server)


def _number(value: Any) -> float | None:
    try:
        number = float(str(value))
    except ValueError:
        return None
    return number if 0 <= number < 1e6 else None


def _encoder(raw: Any) -> EncoderConfiguration | None:
    token = text_of(getattr(raw, "token", None))
    if token is None:
        return None
    resolution, rate = getattr(raw, "Resolution", None), getattr(raw, "RateControl", None)
    # Media 1 keeps the GOP inside the codec's element, Media 2 beside the encoding.
    codec = getattr(raw, "H264", None) or getattr(raw, "MPEG4", None)
    gop = getattr(raw, "GovLength", None) or getattr(codec, "GovLength", None)
    return EncoderConfiguration(
        token=token[:64],
        encoding=(text_of(getattr(raw, "Encoding", None)) or "")[:20] or None,
        width=int_of(getattr(resolution, "Width", None)),
        height=int_of(getattr(resolution, "Height", None)),
        frame_rate=_number(getattr(rate, "FrameRateLimit", None)),
        bitrate_kbps=int_of(getattr(rate, "BitrateLimit", None)),
        gop=int_of(gop),
    )


def _encoders(raw: Any) -> tuple[EncoderConfiguration, ...] | None:
    if raw is None:
        return None
    found = (_encoder(item) for item in list(raw)[:_MAX_ITEMS])
    return tuple(sorted((e for e in found if e is not None), key=lambda e: e.token))


async def _part(target: Target, operation: str, call: Callable[[], Awaitable[Any]]) -> Any:
    """One optional part: a camera that lacks it or answers it with something unusable said nothing (None). A
    refused login, a camera gone or out of time still fail the check."""
    try:
        async with edge(target, operation):
            return await call()
    except (Unsupported, BadResponse) as error:
        log.debug("%s: %s left out: %s", target.name, operation, error.message)
        return None


class SecurityCollector:
    """GetNetworkProtocols, GetDiscoveryMode, GetNTP, GetVideoEncoderConfigurations, and a TLS handshake on every
    HTTPS and RTSPS port."""

    kind = CheckKind.SECURITY

    def __init__(
        self,
        transport: CappedZeepTransport,
        *,
        probe_timeout: float,
        https_ports: tuple[int, ...] = (443,),
        rtsps_ports: tuple[int, ...] = (322,),
    ) -> None:
        self._transport = transport
        self._probe_timeout = probe_timeout
        self._https_ports = https_ports
        self._rtsps_ports = rtsps_ports

    async def collect(self, target: Target) -> SecurityObservation:
        """Ask the camera what it serves and how it is set, then look at the certificate of each TLS port."""
        camera = camera_for(target)
        try:
            async with edge(target, "GetServices"):
                device = cap_service(await camera.create_devicemgmt_service(), target, self._transport)
                await camera.update_xaddrs()
            protocols = _protocols(await _part(target, "GetNetworkProtocols", device.GetNetworkProtocols))
            discovery = await _part(target, "GetDiscoveryMode", device.GetDiscoveryMode)
            from_dhcp, servers = _ntp(await _part(target, "GetNTP", device.GetNTP))
            encoders = await self._encoders(camera, target)
        finally:
            await camera.close()
        return SecurityObservation(
            endpoints=await self._endpoints(target, protocols),
            protocols=protocols,
            discoverable=_discoverable(discovery),
            ntp_from_dhcp=from_dhcp,
            ntp_servers=servers,
            encoders=encoders,
            snmp_version=target.snmp.version if target.snmp is not None else None,
        )

    async def _encoders(self, camera: Any, target: Target) -> tuple[EncoderConfiguration, ...] | None:
        try:
            media = cap_service(await camera.create_media_service(), target, self._transport)
        except ONVIFError:
            return None  # no media service advertised
        return _encoders(await _part(target, "GetVideoEncoderConfigurations", media.GetVideoEncoderConfigurations))

    async def _endpoints(
        self, target: Target, protocols: tuple[NetworkProtocol, ...] | None
    ) -> tuple[TlsEndpoint, ...]:
        named = {port for p in protocols or () if p.name == "HTTPS" and p.enabled for port in p.ports}
        tries: list[tuple[Literal["https", "rtsps"], int]] = [
            *(("https", port) for port in sorted(named | set(self._https_ports))),
            *(("rtsps", port) for port in self._rtsps_ports if port not in named),
        ]
        found = await asyncio.gather(
            *(probe(service, target.host, port, self._probe_timeout) for service, port in tries)
        )
        return tuple(endpoint for endpoint in found if endpoint is not None)
