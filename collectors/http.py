"""aiohttp for the ONVIF identity calls: answers read with a size cap, aiohttp errors translated."""

from __future__ import annotations

from typing import Any

import aiohttp
from lxml import etree
from requests import Response
from requests.structures import CaseInsensitiveDict

from collectors.errors import AuthFailed, BadResponse, CollectorError, Timeout, Unreachable

_CHUNK = 64 * 1024

# Named groups of what aiohttp raises, each with the camera behaviour behind it.
# aiohttp's own time limits (ServerTimeoutError is also a connection error): check first.
HTTP_TIMEOUTS: tuple[type[BaseException], ...] = (TimeoutError,)
# Refused, reset mid-answer (ClientOSError errno 104, which onvif-zeep-async does not retry),
# closed before the status line, no route: the camera is not there for us right now.
HTTP_CONNECTION_LOST: tuple[type[BaseException], ...] = (aiohttp.ClientConnectionError, OSError)
# Broken HTTP: garbage instead of a status line, a lying Content-Length, broken chunking.
HTTP_UNUSABLE: tuple[type[BaseException], ...] = (aiohttp.ClientPayloadError, aiohttp.ClientResponseError)


def translate_http(exc: BaseException) -> CollectorError | None:
    """Return the collector error an aiohttp/OS exception means, or None when it is not one."""
    if isinstance(exc, HTTP_TIMEOUTS):
        return Timeout("device stopped answering")
    if isinstance(exc, HTTP_CONNECTION_LOST):
        return Unreachable(f"connection failed ({type(exc).__name__})")
    if isinstance(exc, HTTP_UNUSABLE):
        return BadResponse(f"broken HTTP answer ({type(exc).__name__})")
    return None


_SOAP_HEADERS = {"Accept-Encoding": "identity"}


async def read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """Read the whole body of response, refusing one larger than max_bytes (BadResponse).

    A declared Content-Length over the cap is refused before reading; a chunked or
    undeclared body is counted while it streams, and the connection is closed (not
    returned to the pool) the moment the count passes the cap.
    """
    encoding = response.headers.get("Content-Encoding", "identity").lower()
    if encoding != "identity":
        # We ask for identity; a camera that compresses anyway could hide a zip bomb.
        response.close()
        raise BadResponse(f"answer is {encoding}-encoded although identity was asked for")
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        response.close()
        raise BadResponse(f"answer of {declared} bytes is over the {max_bytes}-byte limit")
    chunks: list[bytes] = []
    received = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        received += len(chunk)
        if received > max_bytes:
            response.close()
            raise BadResponse(f"answer is over the {max_bytes}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def new_session(connector: aiohttp.BaseConnector, device_timeout: float) -> aiohttp.ClientSession:
    """Return a session on the shared connector that never decompresses and never trusts the environment."""
    return aiohttp.ClientSession(
        connector=connector,
        connector_owner=False,
        auto_decompress=False,
        timeout=aiohttp.ClientTimeout(total=device_timeout),
        trust_env=False,
    )


class CappedZeepTransport:
    """A zeep transport that posts through a shared aiohttp session and caps every answer.

    onvif-zeep-async reads answers whole with no limit; the ONVIF collector installs this
    transport on every zeep client it creates, so no camera can make us read 50 MB. zeep's
    async binding needs only post_xml from a client transport.
    """

    def __init__(self, session: aiohttp.ClientSession, max_body_bytes: int) -> None:
        self._aiohttp = session
        self._max_body_bytes = max_body_bytes

    async def post_xml(self, address: str, envelope: Any, headers: dict[str, str]) -> Response:
        """Post a SOAP envelope and return the capped answer in the shape zeep expects."""
        message = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
        # Never follow a redirect: it would let a camera send us (with its credentials) to any host.
        async with self._aiohttp.post(
            address, data=message, headers={**headers, **_SOAP_HEADERS}, allow_redirects=False
        ) as answer:
            if answer.status in (401, 403):
                # Whatever the body (an HTML page, a Digest challenge, a fault), the credentials were refused;
                # zeep would parse an HTML page as a fault without a code and lose the status.
                raise AuthFailed(f"device refused the credentials (HTTP {answer.status})")
            content = await read_capped(answer, self._max_body_bytes)
            response = Response()
            response._content = content
            response.status_code = answer.status
            response.headers = CaseInsensitiveDict(answer.headers)
            response.encoding = answer.charset
            return response

    def load(self, url: str) -> bytes:
        """Refuse: a camera's answer must never make us fetch another document."""
        raise BadResponse("answer asked to load an external document")
