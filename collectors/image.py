"""Image check: the snapshot named by GetSnapshotUri, fetched with Digest or Basic, reduced to statistics."""

from __future__ import annotations

import asyncio
import base64
from urllib.parse import urlsplit

import aiohttp

from collectors.authn import authorization
from collectors.base import ImageObservation, Target
from collectors.errors import AuthFailed, BadResponse, Unsupported
from collectors.http import read_capped, translate_http
from collectors.image_analysis import analyse, thumbnail
from collectors.profiles import MediaProfiles
from collectors.stream import pinned
from config.checks import CheckKind

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
            jpeg = await self._fetch(url, target)
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
        )

    async def _fetch(self, url: str, target: Target) -> bytes:
        parts = urlsplit(url)
        request_uri = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = dict(_HEADERS)
        for attempt in range(2):
            async with self._session.get(url, headers=headers, allow_redirects=False) as response:
                if response.status == 401 and attempt == 0:
                    _, headers["Authorization"] = authorization(
                        response.headers.getall("WWW-Authenticate", []),
                        method="GET",
                        uri=request_uri,
                        username=target.username,
                        password=target.password,
                    )
                    continue
                if response.status in (401, 403):
                    raise AuthFailed(f"snapshot refused the credentials (HTTP {response.status})")
                if response.status != 200:
                    raise BadResponse(f"snapshot answered HTTP {response.status}")
                return await read_capped(response, self._max_bytes)
        raise AuthFailed("snapshot refused the credentials")
