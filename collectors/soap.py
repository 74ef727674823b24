"""SOAP faults from cameras, translated into the collector error tree."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from datetime import UTC, datetime

from lxml import etree

from collectors.errors import AuthFailed, BadResponse, CollectorError, LockedOut, Unsupported

# ONVIF (Core spec, 5.11) names these fault subcodes; cameras also put them in the reason text.
_AUTH_CODES = frozenset({"NotAuthorized", "FailedAuthentication", "InvalidSecurity", "InvalidSecurityToken"})
_UNSUPPORTED_CODES = frozenset({"ActionNotSupported", "NoSuchService", "NoProfile"})
# Firmwares that put no subcode in the fault still say so in the reason text.
_AUTH_REASON = re.compile(r"not ?authori[sz]ed|authori[sz]ation fail|authentication fail|unauthori[sz]ed", re.I)
# A lock-out after failed logins: ONVIF has no subcode for it; firmwares say it in the reason ("user locked",
# Hikvision's "The user is locked", "too many failed login attempts").
_LOCKED_REASON = re.compile(r"\block(ed)?\b|too many (failed )?(login|attempt|authentication)", re.I)
_PRINTABLE = re.compile(r"[^\x20-\x7e]+")
_MAX_REASON = 120
_SECURITY = (
    '<Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/'
    'oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken><Username>{user}</Username>'
    '<Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0'
    '#PasswordDigest">{digest}</Password><Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/'
    'oasis-200401-wss-soap-message-security-1.0#Base64Binary">{nonce}</Nonce>'
    '<Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">'
    "{created}</Created></UsernameToken></Security>"
)


def xml_text(value: str) -> str:
    """``value`` escaped for XML text and attribute values."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def security_header(user: str, password: str) -> str:
    """A WS-Security UsernameToken with a PasswordDigest (never the password as text), for a SOAP 1.2 header whose
    envelope prefix is ``s``."""
    nonce = os.urandom(16)
    # Hikvision firmwares reject a "+00:00" offset in Created; the Zulu form is accepted everywhere.
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()
    return _SECURITY.format(user=xml_text(user), digest=digest, nonce=base64.b64encode(nonce).decode(), created=created)


def local_name(qname: str) -> str:
    """Return the local part of a prefixed or Clark-notation QName."""
    return qname.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def short_reason(text: str | None) -> str:
    """Return the device's reason text made printable and short, fit for a log line."""
    return _PRINTABLE.sub(" ", text or "").strip()[:_MAX_REASON] or "no reason given"


def classify_fault(codes: list[str], reason: str | None) -> CollectorError:
    """Map a fault's code/subcode names and reason text to AuthFailed, Unsupported or BadResponse."""
    names = {local_name(code) for code in codes}
    said = short_reason(reason)
    if _LOCKED_REASON.search(said):
        return LockedOut(f"device locked the account after failed logins ({said})")
    if names & _AUTH_CODES or _AUTH_REASON.search(said):
        return AuthFailed(f"device refused the credentials ({said})")
    if names & _UNSUPPORTED_CODES:
        return Unsupported(f"device does not support the operation ({said})")
    return BadResponse(f"device answered with a SOAP fault ({said})")


def fault_from_element(fault: etree._Element) -> CollectorError:
    """Classify a SOAP 1.1 or 1.2 Fault element."""
    codes = [value.text or "" for value in fault.iter("{*}Value", "faultcode")]
    reason_element = next(iter(fault.iter("{*}Text", "faultstring")), None)
    return classify_fault(codes, reason_element.text if reason_element is not None else None)
