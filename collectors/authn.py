"""Client side of HTTP and RTSP Basic/Digest authentication (RFC 7616/2617), for snapshots and RTSP DESCRIBE.

One small implementation for both protocols: RTSP borrows HTTP's challenge and header syntax, and aiohttp's own
Digest middleware neither speaks RTSP nor falls back to Basic for a camera that only offers Basic.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from collectors.errors import AuthFailed, Unsupported

_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))')
_HASHES = {"md5": hashlib.md5, "md5-sess": hashlib.md5, "sha-256": hashlib.sha256, "sha-256-sess": hashlib.sha256}

Scheme = Literal["basic", "digest"]


@dataclass(frozen=True, slots=True)
class Challenge:
    """One parsed ``WWW-Authenticate`` value."""

    scheme: Scheme
    params: dict[str, str]


def parse_challenges(values: Iterable[str]) -> list[Challenge]:
    """The Basic and Digest challenges among the header values, Digest first (never send a password in clear
    when the camera offers better); other schemes are left out."""
    found: list[Challenge] = []
    for value in values:
        scheme, _, rest = value.strip().partition(" ")
        name = scheme.lower()
        if name not in ("basic", "digest"):
            continue
        params = {key.lower(): quoted if quoted else bare for key, quoted, bare in _PARAM.findall(rest)}
        found.append(Challenge("digest" if name == "digest" else "basic", params))
    return sorted(found, key=lambda c: c.scheme != "digest")


def authorization(
    challenges: Iterable[str], *, method: str, uri: str, username: str | None, password: str | None
) -> tuple[Scheme, str]:
    """The ``Authorization`` header answering the best challenge; AuthFailed without credentials, Unsupported
    when no challenge is Basic or a usable Digest."""
    if username is None or password is None:
        raise AuthFailed("device asks for a login and no credentials are registered")
    for challenge in parse_challenges(challenges):
        if challenge.scheme == "basic":
            token = base64.b64encode(f"{username}:{password}".encode()).decode()
            return "basic", f"Basic {token}"
        header = _digest(challenge.params, method=method, uri=uri, username=username, password=password)
        if header is not None:
            return "digest", header
    raise Unsupported("device asks for an authentication scheme other than Basic or Digest")


def _digest(params: dict[str, str], *, method: str, uri: str, username: str, password: str) -> str | None:
    algorithm = params.get("algorithm", "MD5")
    hasher = _HASHES.get(algorithm.lower())
    realm, nonce = params.get("realm", ""), params.get("nonce")
    qops = {q.strip() for q in params.get("qop", "").split(",") if q.strip()}
    if hasher is None or nonce is None or (qops and "auth" not in qops):
        return None

    def h(text: str) -> str:
        return hasher(text.encode(), usedforsecurity=False).hexdigest()

    cnonce = secrets.token_hex(8)
    ha1 = h(f"{username}:{realm}:{password}")
    if algorithm.lower().endswith("-sess"):
        ha1 = h(f"{ha1}:{nonce}:{cnonce}")
    ha2 = h(f"{method}:{uri}")
    fields = [f'username="{username}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"']
    if qops:
        nc = "00000001"
        response = h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        fields += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
    else:
        response = h(f"{ha1}:{nonce}:{ha2}")
    fields += [f'response="{response}"', f"algorithm={algorithm}"]
    if "opaque" in params:
        fields.append(f'opaque="{params["opaque"]}"')
    return "Digest " + ", ".join(fields)
