"""Image check: the snapshot named by GetSnapshotUri, fetched with Digest or Basic, reduced to statistics."""

from __future__ import annotations

import asyncio
import base64
from typing import Literal
from urllib.parse import urlsplit

import aiohttp

from collectors.authn import Offer
from collectors.authn import answer as login
from collectors.base import ImageObservation, Target
from collectors.errors import AuthFailed, BadResponse, Unsupported
from collectors.http import read_capped, translate_http
from collectors.image_analysis import analyse, thumbnail
from collectors.profiles import MediaProfiles
from collectors.stream import pinned
from config.checks import CheckKind

Used = Literal["none", "basic", "digest"]
_HEADERS = {"Accept": "image/jpeg", "Accept-Encoding": "identity"}


class ImageCollector:
    """GET the snapshot (size-capped, no redirects), measure it in a worker thread, keep only numbers."""

    kind = CheckKind.IMAGE

    def __init__(
        self,
        session: aiohttp.ClientSession,
        profiles: MediaProfiles,
        *,
        max_bytes: int,
        thumbnail_width: int | None = None,
    ) -> None:
        self._session = session
        self._profiles = profiles
        self._max_bytes = max_bytes
        self._thumbnail_width = thumbnail_width

    async def collect(self, target: Target) -> ImageObservation:
        """Fetch and measure one snapshot; raise a CollectorError when there is no usable picture."""
        profile = await self._profiles(target)
        if profile is None or not profile.snapshot_uri:
            raise Unsupported("the camera names no snapshot URI in its ONVIF media profile")
        default_port = 443 if profile.snapshot_uri.lower().startswith("https:") else 80
        url, _, _ = pinned(profile.snapshot_uri, target.host, default_port, ("http", "https"))
        try:
            jpeg, used, offer = await self._fetch(url, target)
        except aiohttp.ClientError as exc:
            error = translate_http(exc)
            if error is None:
                raise
            raise error from exc
        stats = await asyncio.to_thread(analyse, jpeg)
        small = None
        if self._thumbnail_width is not None:
            small = base64.b64encode(await asyncio.to_thread(thumbnail, jpeg, self._thumbnail_width)).decode()
        return ImageObservation(
            width=stats.width,
            height=stats.height,
            brightness=stats.brightness,
            contrast=stats.contrast,
            sharpness=stats.sharpness,
            digest=stats.digest,
            signature=stats.signature,
            thumbnail=small,
            auth=used,
            auth_uri=offer.uri if offer is not None else None,
            auth_offered=offer.schemes if offer is not None else (),
            auth_challenges=offer.challenges if offer is not None else (),
        )

    async def _fetch(self, url: str, target: Target) -> tuple[bytes, Used, Offer | None]:
        """The picture, how the login went and what the challenge offered (None: no login asked)."""
        parts = urlsplit(url)
        request_uri = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = dict(_HEADERS)
        offer: Offer | None = None
        used: Used = "none"
        for attempt in range(2):
            async with self._session.get(url, headers=headers, allow_redirects=False) as response:
                if response.status == 401 and attempt == 0:
                    challenges = response.headers.getall("WWW-Authenticate", [])
                    offer = Offer.of("snapshot", url, challenges)
                    # Over HTTPS a Basic password is encrypted on the wire; over plain HTTP only if allowed.
                    used, headers["Authorization"] = login(
                        offer,
                        challenges,
                        method="GET",
                        uri=request_uri,
                        username=target.username,
                        password=target.password,
                        basic_allowed=target.allow_basic or parts.scheme == "https",
                        channel=parts.scheme,
                    )
                    continue
                seen = offer.values(used) if offer is not None else {}
                if response.status in (401, 403):
                    raise AuthFailed(f"snapshot refused the credentials (HTTP {response.status})", evidence=seen)
                if response.status != 200:
                    raise BadResponse(f"snapshot answered HTTP {response.status}", evidence=seen)
                return await read_capped(response, self._max_bytes), used, offer
        raise AuthFailed("snapshot refused the credentials")
