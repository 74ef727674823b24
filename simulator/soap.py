"""SOAP 1.2 as the simulated camera speaks it: requests read without entities or DTDs and counted, WS-Security
UsernameTokens checked (with the camera's lock-out), envelopes and faults written. ``simulator.onvif`` and
``simulator.pullpoint`` answer the operations."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from simulator.device import Device
from simulator.events import NS_TEV, NS_TNS1, NS_WSA, NS_WSNT, NS_WSTOP
from simulator.users import LOCKED_REASON

NS_ENV = "http://www.w3.org/2003/05/soap-envelope"
NS_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
NS_WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
NS_TDS = "http://www.onvif.org/ver10/device/wsdl"
NS_TRT = "http://www.onvif.org/ver10/media/wsdl"
_PASSWORD_TEXT = "#PasswordText"
_MAX_REQUEST = 64 * 1024

# Requests are read without entities, DTDs or network access (the ISAPI and WS-Discovery answerers too).
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)

CONTENT_TYPE = "application/soap+xml; charset=utf-8"


@dataclass(frozen=True, slots=True)
class SoapReply:
    """HTTP status and SOAP envelope to send."""

    status: int
    body: str


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where this camera is reached (its own loopback address and ports)."""

    host: str
    http_port: int
    rtsp_port: int

    @property
    def http(self) -> str:
        """Base URL of the camera's web server."""
        return f"http://{self.host}:{self.http_port}"


class SoapFault(Exception):
    """A SOAP fault to answer with."""

    def __init__(self, status: int, code: str, subcode: str, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.status, self.code, self.subcode, self.reason, self.detail = status, code, subcode, reason, detail


def envelope(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<env:Envelope xmlns:env="{NS_ENV}" xmlns:tds="{NS_TDS}" xmlns:trt="{NS_TRT}" '
        'xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:ter="http://www.onvif.org/ver10/error" '
        f'xmlns:tev="{NS_TEV}" xmlns:wsnt="{NS_WSNT}" xmlns:wsa="{NS_WSA}" xmlns:tns1="{NS_TNS1}" '
        f'xmlns:wstop="{NS_WSTOP}">'
        f"<env:Body>{body}</env:Body></env:Envelope>"
    )


def fault_reply(fault: SoapFault) -> SoapReply:
    body = (
        f"<env:Fault><env:Code><env:Value>{fault.code}</env:Value><env:Subcode><env:Value>{fault.subcode}"
        f'</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">{escape(fault.reason)}'
        f"</env:Text></env:Reason>{f'<env:Detail>{fault.detail}</env:Detail>' if fault.detail else ''}</env:Fault>"
    )
    return SoapReply(fault.status, envelope(body))


def _not_authorized(device: Device) -> SoapFault:
    return SoapFault(device.profile.auth_fault_status, "env:Sender", "ter:NotAuthorized", "Sender not Authorized")


def text_at(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def token_is_valid(header: etree._Element | None, username: str, password: str) -> bool:
    """Check a WS-Security UsernameToken: PasswordDigest = B64(SHA1(nonce + created + password))."""
    token = header.find(f"{{{NS_WSSE}}}Security/{{{NS_WSSE}}}UsernameToken") if header is not None else None
    if token is None or text_at(token, f"{{{NS_WSSE}}}Username") != username:
        return False
    password_el = token.find(f"{{{NS_WSSE}}}Password")
    if password_el is None:
        return False
    given = (password_el.text or "").strip()
    if password_el.get("Type", "").endswith(_PASSWORD_TEXT):
        return hmac.compare_digest(given.encode(), password.encode())
    try:
        nonce = base64.b64decode(text_at(token, f"{{{NS_WSSE}}}Nonce"), validate=True)
    except ValueError:
        return False
    created = text_at(token, f"{{{NS_WSU}}}Created")
    expected = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()
    return hmac.compare_digest(given.encode(), expected.encode())


def read_request(device: Device, payload: bytes) -> tuple[str, etree._Element, etree._Element | None]:
    """The operation's name, its request element and the SOAP header of one request (counted); or a SoapFault."""
    if len(payload) > _MAX_REQUEST:
        raise SoapFault(400, "env:Sender", "ter:InvalidArgVal", "Request too large")
    try:
        root = etree.fromstring(payload, PARSER)
    except etree.XMLSyntaxError:
        raise SoapFault(400, "env:Sender", "ter:WellFormed", "Malformed XML") from None
    body = root.find(f"{{{NS_ENV}}}Body")
    request = next((child for child in body if isinstance(child.tag, str)), None) if body is not None else None
    if request is None:
        raise SoapFault(400, "env:Sender", "ter:InvalidArgVal", "Missing SOAP Body")
    operation = etree.QName(request).localname
    device.counters.count_onvif(operation)
    return operation, request, root.find(f"{{{NS_ENV}}}Header")


def check_authorised(device: Device, header: etree._Element | None) -> None:
    """Raise the camera's NotAuthorized fault unless the request carries a valid token (or the lock-out fault)."""
    accounts, state = device.accounts, device.state
    if accounts.locked():
        device.counters.onvif_auth_failures += 1
        raise SoapFault(device.profile.auth_fault_status, "env:Sender", "ter:NotAuthorized", LOCKED_REASON)
    if not _authorised(device, header):
        device.counters.onvif_auth_failures += 1
        accounts.failed(state.lockout_after, state.lockout_s)
        raise _not_authorized(device)
    accounts.succeeded()


def not_implemented() -> SoapFault:
    """The fault for an operation the service lacks."""
    return SoapFault(500, "env:Receiver", "ter:ActionNotSupported", "Optional Action Not Implemented")


def _authorised(device: Device, header: etree._Element | None) -> bool:
    if device.state.reject_auth:
        return False
    if not device.accounts.users:
        return True
    token = header.find(f"{{{NS_WSSE}}}Security/{{{NS_WSSE}}}UsernameToken") if header is not None else None
    password = device.accounts.password_of(text_at(token, f"{{{NS_WSSE}}}Username"))
    return password is not None and token_is_valid(header, text_at(token, f"{{{NS_WSSE}}}Username"), password)
