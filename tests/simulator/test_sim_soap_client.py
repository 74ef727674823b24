"""An independent ONVIF client: envelopes built with lxml, WS-Security computed here, raw HTTP with aiohttp.

(PyPI libonvif 4.0.25 also reads the simulator, but its dependency niquests installs urllib3-future over
urllib3, so it cannot live in the project's environment.)
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import UTC, datetime

import aiohttp
import pytest
from lxml import etree

from simulator.fleet import SimulatedFleet

ENV = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
TOKEN_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
TDS, TRT, TT = (
    "http://www.onvif.org/ver10/device/wsdl",
    "http://www.onvif.org/ver10/media/wsdl",
    "http://www.onvif.org/ver10/schema",
)
NS = {"env": ENV, "tds": TDS, "trt": TRT, "tt": TT}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


class SoapFault(Exception):
    """The device answered with a SOAP fault."""


def _security(username: str, password: str, *, digest: bool = True) -> etree._Element:
    nonce, created = os.urandom(16), datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    security = etree.Element(f"{{{WSSE}}}Security", nsmap={"wsse": WSSE, "wsu": WSU})
    token = etree.SubElement(security, f"{{{WSSE}}}UsernameToken")
    etree.SubElement(token, f"{{{WSSE}}}Username").text = username
    secret = etree.SubElement(token, f"{{{WSSE}}}Password")
    if digest:
        secret.set("Type", f"{TOKEN_PROFILE}#PasswordDigest")
        secret.text = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()
    else:
        secret.set("Type", f"{TOKEN_PROFILE}#PasswordText")
        secret.text = password
    etree.SubElement(token, f"{{{WSSE}}}Nonce").text = base64.b64encode(nonce).decode()
    etree.SubElement(token, f"{{{WSU}}}Created").text = created
    return security


async def _call(
    http: aiohttp.ClientSession,
    url: str,
    operation: etree._Element,
    credentials: tuple[str, str] | None = None,
    *,
    digest: bool = True,
) -> etree._Element:
    envelope = etree.Element(f"{{{ENV}}}Envelope", nsmap={"env": ENV})
    if credentials:
        etree.SubElement(envelope, f"{{{ENV}}}Header").append(_security(*credentials, digest=digest))
    etree.SubElement(envelope, f"{{{ENV}}}Body").append(operation)
    headers = {"Content-Type": "application/soap+xml; charset=utf-8"}
    async with http.post(url, data=etree.tostring(envelope), headers=headers) as response:
        answer = etree.fromstring(await response.read(), PARSER)
    fault = answer.find("env:Body/env:Fault", NS)
    if fault is not None:
        raise SoapFault(fault.findtext("env:Code/env:Subcode/env:Value", namespaces=NS))
    return answer


def _op(namespace: str, name: str, **children: str) -> etree._Element:
    element = etree.Element(f"{{{namespace}}}{name}")
    for child, text in children.items():
        etree.SubElement(element, f"{{{namespace}}}{child}").text = text
    return element


async def test_independent_client_reads_every_operation(fleet: SimulatedFleet) -> None:
    device = fleet.camera("HIK-1").device
    login = (device.spec.username, device.spec.password)
    url = "http://127.40.1.2:8080/onvif/device_service"
    async with aiohttp.ClientSession() as http:
        clock = await _call(http, url, _op(TDS, "GetSystemDateAndTime"))  # no token needed
        assert int(clock.findtext(".//tt:UTCDateTime/tt:Date/tt:Year", namespaces=NS)) == datetime.now(UTC).year
        info = await _call(http, url, _op(TDS, "GetDeviceInformation"), login)
        assert info.findtext(".//tds:Manufacturer", namespaces=NS) == "HIKVISION"
        assert info.findtext(".//tds:FirmwareVersion", namespaces=NS) == device.firmware
        nic = await _call(http, url, _op(TDS, "GetNetworkInterfaces"), login)
        assert nic.findtext(".//tt:HwAddress", namespaces=NS) == device.identity.mac
        caps = await _call(http, url, _op(TDS, "GetCapabilities", Category="All"), login)
        media_url = caps.findtext(".//tt:Media/tt:XAddr", namespaces=NS)
        assert media_url == "http://127.40.1.2:8080/onvif/Media"
        services = await _call(http, url, _op(TDS, "GetServices", IncludeCapability="false"), login)
        assert len(services.findall(".//tds:Service", NS)) == 3  # device, media, events
        scopes = await _call(http, url, _op(TDS, "GetScopes"), login)
        assert "onvif://www.onvif.org/name/HIK-1" in scopes.xpath("//tt:ScopeItem/text()", namespaces=NS)
        profiles = await _call(http, media_url, _op(TRT, "GetProfiles"), login)
        tokens = [p.get("token") for p in profiles.findall(".//trt:Profiles", NS)]
        assert tokens == ["Profile_1", "Profile_2"]
        stream = await _call(http, media_url, _op(TRT, "GetStreamUri", ProfileToken=tokens[1]), login)
        assert stream.findtext(".//tt:Uri", namespaces=NS).startswith("rtsp://127.40.1.2:8554/Streaming/Channels/102")
        snapshot = await _call(http, media_url, _op(TRT, "GetSnapshotUri", ProfileToken=tokens[0]), login)
        digest = aiohttp.DigestAuthMiddleware(*login)
        async with http.get(snapshot.findtext(".//tt:Uri", namespaces=NS), middlewares=(digest,)) as response:
            assert (await response.read())[:2] == b"\xff\xd8"


async def test_password_text_is_accepted_and_a_wrong_one_is_not(fleet: SimulatedFleet) -> None:
    spec = fleet.camera("DAH-1").device.spec
    url = "http://127.40.1.3:8080/onvif/device_service"
    async with aiohttp.ClientSession() as http:
        await _call(http, url, _op(TDS, "GetScopes"), (spec.username, spec.password), digest=False)
        with pytest.raises(SoapFault, match="ter:NotAuthorized"):
            await _call(http, url, _op(TDS, "GetScopes"), (spec.username, "wrong"))
        with pytest.raises(SoapFault, match="ter:NotAuthorized"):
            await _call(http, url, _op(TDS, "GetScopes"))
