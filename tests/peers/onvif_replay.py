"""An ONVIF camera on loopback that answers from real captured responses.

Answers come from a capture folder (one file per operation, as in tests/data/onvif-captures);
captured private addresses are rewritten to the server's own loopback address. The calls that
were not captured (GetSystemDateAndTime, GetStreamUri, GetSnapshotUri) are written here from the
ONVIF specification. Optionally the camera demands a WS-Security UsernameToken and answers a
missing or wrong one the Hikvision way: HTTP 400 with a ter:NotAuthorized fault.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web
from lxml import etree

SOAP_ENV = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_PRIVATE_URL = re.compile(rb"http://192\.168\.\d{1,3}\.\d{1,3}(?::\d+)?")
_PRIVATE_ADDRESS = re.compile(rb"192\.168\.\d{1,3}\.\d{1,3}")
_FILES = {"GetServices": "GetServicestrue.xml"}
_ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" '
    'xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:ter="http://www.onvif.org/ver10/error">'
    "<env:Body>{body}</env:Body></env:Envelope>"
)
_FAULT = (
    "<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>{subcode}</env:Value>"
    "</env:Subcode></env:Code>"
    '<env:Reason><env:Text xml:lang="en">{reason}</env:Text></env:Reason></env:Fault>'
)


def soap(body: str) -> bytes:
    """Wrap body in a SOAP 1.2 envelope with the ONVIF prefixes bound."""
    return _ENVELOPE.format(body=body).encode()


def fault(subcode: str, reason: str) -> bytes:
    """A SOAP 1.2 Sender fault with an ONVIF subcode such as ter:NotAuthorized."""
    return soap(_FAULT.format(subcode=subcode, reason=reason))


def system_date_and_time(now: datetime) -> bytes:
    """GetSystemDateAndTimeResponse (ONVIF Core, Device Management) for the given device clock."""
    return soap(
        "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
        "<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
        "<tt:TimeZone><tt:TZ>CET-1CEST,M3.5.0,M10.5.0/3</tt:TZ></tt:TimeZone>"
        f"<tt:UTCDateTime><tt:Time><tt:Hour>{now.hour}</tt:Hour><tt:Minute>{now.minute}</tt:Minute>"
        f"<tt:Second>{now.second}</tt:Second></tt:Time><tt:Date><tt:Year>{now.year}</tt:Year>"
        f"<tt:Month>{now.month}</tt:Month><tt:Day>{now.day}</tt:Day></tt:Date></tt:UTCDateTime>"
        "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
    )


def media_uri(response: str, uri: str) -> bytes:
    """GetStreamUriResponse or GetSnapshotUriResponse (ONVIF Media) carrying uri."""
    return soap(
        f"<trt:{response}><trt:MediaUri><tt:Uri>{uri}</tt:Uri>"
        "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
        "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout>"
        f"</trt:MediaUri></trt:{response}>"
    )


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """WS-Security UsernameToken PasswordDigest: Base64(SHA-1(nonce + created + password))."""
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()


@dataclass
class OnvifReplayCamera:
    """A replay camera serving one capture folder on host:port."""

    capture_dir: Path
    host: str
    port: int = 8080
    clock_offset: timedelta = timedelta(0)
    username: str | None = None
    password: str | None = None
    # Axis-style: demand credentials even for GetSystemDateAndTime.
    auth_for_clock: bool = False
    # Send answers with Transfer-Encoding: chunked instead of a Content-Length.
    chunked: bool = False
    # Operations answered with ter:ActionNotSupported, as by a camera that lacks them.
    unsupported: frozenset[str] = frozenset()
    requests: list[str] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on host:port."""
        app = web.Application()
        app.router.add_route("POST", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        if self._runner is not None:
            await self._runner.cleanup()

    def _rewrite(self, captured: bytes) -> bytes:
        own_url = f"http://{self.host}:{self.port}".encode()
        return _PRIVATE_ADDRESS.sub(self.host.encode(), _PRIVATE_URL.sub(own_url, captured))

    def _authorised(self, envelope: etree._Element) -> bool:
        if self.username is None or self.password is None:
            return True
        token = envelope.find(f"{{{SOAP_ENV}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
        if token is None:
            return False
        user = token.findtext(f"{{{WSSE}}}Username")
        digest = token.findtext(f"{{{WSSE}}}Password")
        nonce = token.findtext(f"{{{WSSE}}}Nonce")
        created = token.findtext(f"{{{WSU}}}Created")
        if user != self.username or digest is None or nonce is None or created is None:
            return False
        return bool(digest == password_digest(base64.b64decode(nonce), created, self.password))

    def _answer(self, operation: str, request: etree._Element) -> bytes:
        if operation in self.unsupported:
            raise FileNotFoundError(operation)
        if operation == "GetSystemDateAndTime":
            return system_date_and_time(datetime.now(UTC) + self.clock_offset)
        token = request.findtext("{*}ProfileToken") or ""
        if operation == "GetStreamUri":
            return media_uri("GetStreamUriResponse", f"rtsp://{self.host}:554/stream/{token}")
        if operation == "GetSnapshotUri":
            return media_uri("GetSnapshotUriResponse", f"http://{self.host}:{self.port}/snapshot/{token}.jpg")
        path = self.capture_dir / _FILES.get(operation, f"{operation}.xml")
        if not path.is_file():
            raise FileNotFoundError(operation)
        return self._rewrite(path.read_bytes())

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        envelope = etree.fromstring(await request.read(), parser=etree.XMLParser(resolve_entities=False))
        body = envelope.find(f"{{{SOAP_ENV}}}Body")
        operation_element = body[0] if body is not None and len(body) else None
        if operation_element is None:
            return await self._reply(request, fault("ter:InvalidArgVal", "No operation"), 400)
        operation = etree.QName(operation_element).localname
        self.requests.append(operation)
        # ONVIF Core 5.9.4.1: GetSystemDateAndTime answers without credentials.
        needs_auth = self.auth_for_clock or operation != "GetSystemDateAndTime"
        if needs_auth and not self._authorised(envelope):
            return await self._reply(request, fault("ter:NotAuthorized", "Sender not Authorized"), 400)
        try:
            answer = self._answer(operation, operation_element)
        except FileNotFoundError:
            return await self._reply(request, fault("ter:ActionNotSupported", "Optional Action Not Implemented"), 400)
        return await self._reply(request, answer, 200)

    async def _reply(self, request: web.Request, body: bytes, status: int) -> web.StreamResponse:
        if not self.chunked:
            return web.Response(body=body, status=status, content_type="application/soap+xml", charset="utf-8")
        response = web.StreamResponse(status=status)
        response.content_type = "application/soap+xml"
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(body), 100):
            await response.write(body[start : start + 100])
        await response.write_eof()
        return response
