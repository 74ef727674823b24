"""ONVIF identity: who the camera says it is, its MAC, and its media profiles (onvif-zeep-async).

Everything past this module sees our own dataclasses, never zeep objects.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import onvif
import zeep.exceptions
from lxml import etree
from onvif import SERVICES, ONVIFCamera, ONVIFError, ONVIFService
from zeep.settings import Settings

from collectors.base import MediaProfile, OnvifIdentityObservation, Target
from collectors.errors import BadResponse, CollectorError, Unsupported
from collectors.http import CappedZeepTransport, translate_http
from collectors.mac import normalise_mac
from collectors.soap import classify_fault
from config.checks import CheckKind

log = logging.getLogger(__name__)

_WSDL_DIR = Path(onvif.__file__).parent / "wsdl"

# The library's shared settings turn on xml_huge_tree; ours keep lxml's limits, refuse any DTD,
# and stay lenient (strict=False) because real firmwares deviate from the schema.
_SAFE_SETTINGS = Settings(strict=False, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True)

# Named group of what zeep and lxml raise when the answer is not a SOAP document we accept:
# bombs and entities (zeep forbid_* settings), broken XML, a document of the wrong shape. With
# strict=False a non-XML answer surfaces as AttributeError/TypeError from inside zeep.
_UNUSABLE_ANSWER: tuple[type[BaseException], ...] = (
    zeep.exceptions.DTDForbidden,
    zeep.exceptions.EntitiesForbidden,
    zeep.exceptions.ExternalReferenceForbidden,
    zeep.exceptions.XMLSyntaxError,
    zeep.exceptions.XMLParseError,
    zeep.exceptions.ValidationError,
    zeep.exceptions.UnexpectedElementError,
    etree.LxmlError,
    AttributeError,
    TypeError,
    ValueError,
)


# nat_override: every service address the camera advertises is pinned to the host and port we were given, so a
# camera cannot send us to another host (or its own NATed LAN address). encrypt: the UsernameToken carries a
# PasswordDigest (SHA-1 of nonce, time and password), never the password as text: ONVIF runs over plain HTTP.
_CAMERA_OPTIONS: dict[str, Any] = {"no_cache": True, "nat_override": True, "encrypt": True}


def _transport_error(exc: zeep.exceptions.TransportError) -> CollectorError:
    # 401 and 403 never get here: the transport refuses them first (collectors.http).
    if exc.status_code == 404:
        # Some firmwares answer an operation they lack with a bare 404 instead of a fault.
        return Unsupported("device answered HTTP 404 for the operation")
    return BadResponse(f"HTTP {exc.status_code} with a non-SOAP answer")


def translate(exc: BaseException) -> CollectorError:
    """Translate what onvif-zeep-async, zeep, lxml or aiohttp raised into the collector error tree."""
    if isinstance(exc, CollectorError):
        return exc
    if isinstance(exc, zeep.exceptions.Fault) and exc.code is None and not exc.subcodes:
        # zeep's stand-in when a non-200 answer carries no Fault element (an HTML error page).
        return BadResponse("device answered with an HTTP error instead of SOAP")
    if isinstance(exc, zeep.exceptions.Fault):
        codes = [str(exc.code or "")] + [str(code) for code in exc.subcodes or ()]
        return classify_fault(codes, exc.message)
    if isinstance(exc, zeep.exceptions.TransportError):
        return _transport_error(exc)
    http_error = translate_http(exc)
    if http_error is not None:
        return http_error
    if isinstance(exc, _UNUSABLE_ANSWER):
        return BadResponse(f"answer could not be used ({type(exc).__name__})")
    if isinstance(exc, ONVIFError):
        return BadResponse("the ONVIF library refused the answer")
    raise exc


@asynccontextmanager
async def edge(target: Target, operation: str) -> AsyncIterator[None]:
    """Translate library exceptions raised by one ONVIF operation, once, here."""
    try:
        yield
    except Exception as exc:
        error = translate(exc)
        log.debug("%s: %s failed: %s", target.name, operation, error.message)
        raise error from exc


def text_of(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def int_of(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _first_mac(interfaces: Any) -> str | None:
    for interface in interfaces or ():
        mac = normalise_mac(getattr(getattr(interface, "Info", None), "HwAddress", None))
        if mac is not None:
            return mac
    return None


async def warm_wsdl_cache() -> None:
    """Parse the device, media, recording and search WSDLs once, so a concurrent round does not parse them per
    device."""
    for name in ("devicemgmt", "media", "recording", "search"):
        definition = SERVICES[name]
        service = ONVIFService(
            "http://127.0.0.1:9/onvif/device_service",
            None,
            None,
            str(_WSDL_DIR / definition["wsdl"]),
            no_cache=True,
            binding_name=f"{{{definition['ns']}}}{definition['binding']}",
        )
        await service.setup()
        await service.close()


def camera_for(target: Target) -> ONVIFCamera:
    """The library's camera object for target (close it after use)."""
    return ONVIFCamera(target.host, target.onvif_port, target.username, target.password, **_CAMERA_OPTIONS)


def cap_service(service: ONVIFService, target: Target, transport: CappedZeepTransport) -> ONVIFService:
    """Put our capped transport and safe parser settings on a service, and never the password as text."""
    # The library builds each service with its own unlimited transport and huge-tree settings;
    # swap both on the zeep clients before the first call goes out.
    for client in (service.zeep_client, service.zeep_client_authless):
        client.transport = transport
        client.settings = _SAFE_SETTINGS
    if target.username is None or target.password is None:
        # The library signs every call with a UsernameToken, even one built from None.
        service.zeep_client.wsse = None
    elif not getattr(service.zeep_client.wsse, "use_digest", False):
        # PasswordText over plain HTTP would be the password in clear: never sent.
        raise Unsupported("the ONVIF library would send the password as text; not sent")
    return service


class OnvifIdentityCollector:
    """GetDeviceInformation, GetNetworkInterfaces, GetProfiles, GetStreamUri and GetSnapshotUri."""

    kind = CheckKind.ONVIF_IDENTITY

    def __init__(self, transport: CappedZeepTransport) -> None:
        self._transport = transport

    def _cap(self, service: ONVIFService, target: Target) -> ONVIFService:
        return cap_service(service, target, self._transport)

    async def collect(self, target: Target) -> OnvifIdentityObservation:
        """Read identity, MAC and profiles; raise a CollectorError when the camera will not say."""
        camera = camera_for(target)
        try:
            return await self._collect(camera, target)
        finally:
            await camera.close()

    async def main_profile(self, target: Target) -> MediaProfile | None:
        """The camera's first media profile with a stream or snapshot URI, asked over ONVIF (for the stream and
        image checks when no identity observation has recorded one yet)."""
        camera = camera_for(target)
        try:
            async with edge(target, "GetServices"):
                self._cap(await camera.create_devicemgmt_service(), target)
                await camera.update_xaddrs()
            profiles = await self._profiles(camera, target, first_only=True)
        finally:
            await camera.close()
        return profiles[0] if profiles else None

    async def _collect(self, camera: ONVIFCamera, target: Target) -> OnvifIdentityObservation:
        async with edge(target, "GetServices"):
            device = self._cap(await camera.create_devicemgmt_service(), target)
            await camera.update_xaddrs()
        async with edge(target, "GetDeviceInformation"):
            info = await device.GetDeviceInformation()
        if info is None:
            raise BadResponse("GetDeviceInformation answer is empty")
        # Optional parts: a camera without them still has an identity (absent is None, not an error).
        interfaces = await optional(target, "GetNetworkInterfaces", device.GetNetworkInterfaces)
        return OnvifIdentityObservation(
            manufacturer=text_of(getattr(info, "Manufacturer", None)),
            model=text_of(getattr(info, "Model", None)),
            firmware=text_of(getattr(info, "FirmwareVersion", None)),
            serial=text_of(getattr(info, "SerialNumber", None)),
            hardware_id=text_of(getattr(info, "HardwareId", None)),
            mac=_first_mac(interfaces),
            profiles=await self._profiles(camera, target),
        )

    async def _profiles(
        self, camera: ONVIFCamera, target: Target, *, first_only: bool = False
    ) -> tuple[MediaProfile, ...]:
        try:
            media = self._cap(await camera.create_media_service(), target)
        except ONVIFError:
            log.debug("%s: no media service advertised", target.name)
            return ()
        async with edge(target, "GetProfiles"):
            raw_profiles = await media.GetProfiles()
        profiles = []
        for raw in raw_profiles or ():
            token = text_of(getattr(raw, "token", None))
            if token is None:
                continue
            stream = await optional(target, "GetStreamUri", partial(media.GetStreamUri, _stream_setup(token)))
            async with edge(target, "GetSnapshotUri"):
                # The library answers None (and logs) when the camera faults on this call.
                snapshot_uri = await camera.get_snapshot_uri(token)
            encoder = getattr(raw, "VideoEncoderConfiguration", None)
            resolution = getattr(encoder, "Resolution", None)
            profiles.append(
                MediaProfile(
                    token=token,
                    name=text_of(getattr(raw, "Name", None)),
                    encoding=text_of(getattr(encoder, "Encoding", None)),
                    width=int_of(getattr(resolution, "Width", None)),
                    height=int_of(getattr(resolution, "Height", None)),
                    stream_uri=text_of(getattr(stream, "Uri", None)),
                    snapshot_uri=text_of(snapshot_uri),
                )
            )
            if first_only and (profiles[-1].stream_uri or profiles[-1].snapshot_uri):
                return (profiles[-1],)
        return () if first_only else tuple(profiles)


def _stream_setup(token: str) -> dict[str, Any]:
    return {"StreamSetup": {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}, "ProfileToken": token}


async def optional(target: Target, operation: str, call: Callable[[], Awaitable[Any]]) -> Any:
    """Run an operation the camera may lack; Unsupported becomes None, other errors propagate."""
    try:
        async with edge(target, operation):
            return await call()
    except Unsupported:
        return None
