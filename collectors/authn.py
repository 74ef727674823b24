"""Client side of HTTP and RTSP Basic/Digest authentication (RFC 7616/2617), for snapshots and RTSP DESCRIBE.

One small implementation for both protocols: RTSP borrows HTTP's challenge and header syntax, and aiohttp's own
Digest middleware neither speaks RTSP nor falls back to Basic for a camera that only offers Basic.

Basic puts the password on the wire in clear (base64). Over plain HTTP or RTSP it is answered only for a camera that
is explicitly allowed Basic; otherwise the check fails with BasicRefused and nothing secret is sent. Every answer to
a challenge carries what the endpoint offered (``Offer``), so the domain can remember it and notice a downgrade.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from collectors.errors import AuthFailed, BasicRefused, CollectorError, Unsupported

_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))')
_SCHEME = re.compile(r"^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)")
_PRINTABLE = re.compile(r"[^\x20-\x7e]+")
# Evidence kept per endpoint: a few challenge header values, each cut short (they are the device's own text).
_MAX_CHALLENGES = 4
_MAX_CHALLENGE_CHARS = 200
_MAX_SCHEME_CHARS = 32
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


@dataclass(frozen=True, slots=True)
class Offer:
    """What one endpoint's challenge offered: the evidence the domain remembers per camera and endpoint."""

    endpoint: Literal["rtsp", "snapshot"]
    uri: str
    schemes: tuple[str, ...]  # the schemes named, lower case: Digest and Basic first, then others as sent
    challenges: tuple[str, ...]  # the WWW-Authenticate values as seen, printable and cut short

    @classmethod
    def of(cls, endpoint: Literal["rtsp", "snapshot"], uri: str, values: Iterable[str]) -> Offer:
        """The offer in a list of ``WWW-Authenticate`` header values."""
        seen = [value for value in values if value.strip()]
        schemes: list[str] = []
        for value in seen:
            match = _SCHEME.match(value)
            scheme = match.group(1).lower()[:_MAX_SCHEME_CHARS] if match is not None else None
            if scheme is not None and scheme not in schemes:
                schemes.append(scheme)
        # The two that matter first (a device cannot push them out with others), then a few more.
        schemes = [s for s in schemes if s in ("digest", "basic")] + [
            s for s in schemes if s not in ("digest", "basic")
        ]
        kept = tuple(_PRINTABLE.sub(" ", value).strip()[:_MAX_CHALLENGE_CHARS] for value in seen[:_MAX_CHALLENGES])
        return cls(endpoint, uri, tuple(schemes[:_MAX_CHALLENGES]), kept)

    def values(self, used: Literal["none", "basic", "digest"]) -> dict[str, Any]:
        """JSON-ready values for an observation or a failure's evidence."""
        return {
            "auth": used,
            "auth_endpoint": self.endpoint,
            "auth_uri": self.uri,
            "auth_offered": list(self.schemes),
            "auth_challenges": list(self.challenges),
        }


def authorization(
    challenges: Iterable[str],
    *,
    method: str,
    uri: str,
    username: str | None,
    password: str | None,
    basic_allowed: bool,
    channel: str,
) -> tuple[Scheme, str]:
    """The ``Authorization`` header answering the best challenge.

    Digest when the device offers a usable one; Basic only when ``basic_allowed`` (the channel is encrypted, or the
    camera is explicitly allowed Basic), else BasicRefused before anything secret is written. AuthFailed without
    credentials, Unsupported when no challenge is Basic or a usable Digest. ``channel`` names the protocol for the
    message ("http", "rtsp").
    """
    if username is None or password is None:
        raise AuthFailed("device asks for a login and no credentials are registered")
    basic_offered = False
    for challenge in parse_challenges(challenges):
        if challenge.scheme == "basic":
            basic_offered = True
            if not basic_allowed:
                continue
            token = base64.b64encode(f"{username}:{password}".encode()).decode()
            return "basic", f"Basic {token}"
        header = _digest(challenge.params, method=method, uri=uri, username=username, password=password)
        if header is not None:
            return "digest", header
    if basic_offered:
        raise BasicRefused(
            f"camera asks for Basic over unencrypted {channel}; credentials not sent; "
            "allow Basic for this camera if that is accepted"
        )
    raise Unsupported("device asks for an authentication scheme other than Basic or Digest")


def answer(
    offer: Offer,
    challenges: Iterable[str],
    *,
    method: str,
    uri: str,
    username: str | None,
    password: str | None,
    basic_allowed: bool,
    channel: str,
) -> tuple[Scheme, str]:
    """``authorization`` for the challenges behind an offer; a failure carries the offer as its evidence."""
    try:
        return authorization(
            challenges,
            method=method,
            uri=uri,
            username=username,
            password=password,
            basic_allowed=basic_allowed,
            channel=channel,
        )
    except CollectorError as error:
        error.evidence.update(offer.values("none"))
        raise


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
