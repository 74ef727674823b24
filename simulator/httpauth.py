"""HTTP/RTSP Basic and Digest (RFC 2617, MD5, qop=auth) checking on the device side."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

_PARAM = re.compile(r'(\w+)=(?:"([^"]*)"|([^,\s]*))')
_NONCE_LIFETIME_S = 300
_SECRET = secrets.token_bytes(16)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def new_nonce() -> str:
    """A nonce the device can later recognise as its own without storing it."""
    stamp = f"{int(time.time()):x}"
    return stamp + hmac.new(_SECRET, stamp.encode(), hashlib.sha256).hexdigest()[:24]


def _nonce_fresh(nonce: str) -> bool:
    stamp, mac = nonce[:-24], nonce[-24:]
    expected = hmac.new(_SECRET, stamp.encode(), hashlib.sha256).hexdigest()[:24]
    try:
        age = time.time() - int(stamp, 16)
    except ValueError:
        return False
    return hmac.compare_digest(mac, expected) and 0 <= age < _NONCE_LIFETIME_S


def challenges(realm: str, *, basic_only: bool = False) -> list[str]:
    """`WWW-Authenticate` values: Digest first (what clients pick), Basic as fallback; Basic alone if basic_only."""
    basic = f'Basic realm="{realm}"'
    if basic_only:
        return [basic]
    return [f'Digest realm="{realm}", qop="auth", nonce="{new_nonce()}", algorithm=MD5', basic]


def authorised(header: str, method: str, realm: str, username: str, password: str) -> bool:
    """Check an `Authorization` header value against one account."""
    scheme, _, rest = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            given = base64.b64decode(rest.strip(), validate=True).decode()
        except ValueError:
            return False
        return hmac.compare_digest(given.encode(), f"{username}:{password}".encode())
    if scheme.lower() != "digest":
        return False
    params = {key.lower(): quoted or bare for key, quoted, bare in _PARAM.findall(rest)}
    nonce = params.get("nonce", "")
    if params.get("username") != username or params.get("realm") != realm or not _nonce_fresh(nonce):
        return False
    ha1 = _md5(f"{username}:{realm}:{password}")
    ha2 = _md5(f"{method}:{params.get('uri', '')}")
    if params.get("qop"):
        expected = _md5(f"{ha1}:{nonce}:{params.get('nc', '')}:{params.get('cnonce', '')}:{params['qop']}:{ha2}")
    else:
        expected = _md5(f"{ha1}:{nonce}:{ha2}")
    return hmac.compare_digest(params.get("response", "").encode(), expected.encode())


def claimed_username(header: str) -> str:
    """The user name an `Authorization` header claims (Digest's parameter, Basic's first part), or ''."""
    scheme, _, rest = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(rest.strip(), validate=True).decode().partition(":")[0]
        except ValueError:
            return ""
    params = {key.lower(): quoted or bare for key, quoted, bare in _PARAM.findall(rest)}
    return str(params.get("username", ""))
