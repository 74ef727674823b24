"""A Hikvision device's accounts over ISAPI, for cameras whose ONVIF has no user service (an AccountTransport).

Hikvision's ISAPI (Intelligent Security API; its developer guide, section Security, and the public clients that follow
it) lists users with ``GET /ISAPI/Security/users`` (a ``UserList`` of ``User`` elements with ``id``, ``userName`` and
``userLevel``) and changes one with ``PUT /ISAPI/Security/users/<id>`` carrying a ``User`` document (``id``,
``userName``, ``password``, ``userLevel``; firmware 5.5 and later also ask ``loginPassword``, the signing user's own
password). Every call is authenticated with HTTP Digest; the device answers a change with a ``ResponseStatus``
(``statusCode`` 1 and ``subStatusCode`` ``ok`` when done). A refused login is HTTP 401, whose ``ResponseStatus`` says
``lockStatus`` ``lock`` once the device locked the account after failed logins.

Every answer is untrusted: read with a size cap and parsed with the safe parser (collectors/safe_xml.py). Like ONVIF
SetUser, the new password crosses the camera network in the request body (over plain HTTP: in clear once). Nothing
here logs or raises a password.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from functools import partial

import aiohttp
from lxml import etree

from collectors.accounts import DeviceUser, answers
from collectors.authn import authorization
from collectors.base import Target
from collectors.errors import AuthFailed, BadResponse, CollectorError, LockedOut, Unsupported
from collectors.http import read_capped, translate_http
from collectors.networks import checked_host
from collectors.safe_xml import parse_document
from collectors.soap import short_reason, xml_text
from config.networks import IpNetwork

USERS_PATH = "/ISAPI/Security/users"
_NS = "http://www.isapi.org/ver20/XMLSchema"
_LOCKED = re.compile(r"\block(ed)?\b", re.I)
# A device without the service: no such path, or the method is not allowed on it.
_ABSENT = frozenset({404, 405, 501})


def _text(root: etree._Element, name: str) -> str:
    """The first ``name`` element's text anywhere under root, whatever its namespace (firmwares use several)."""
    for element in root.iter(f"{{*}}{name}"):
        return (element.text or "").strip()
    return ""


def _status(body: bytes) -> etree._Element | None:
    try:
        return parse_document(body) if body.strip() else None
    except BadResponse:
        return None


def _refused(status: int, body: bytes) -> CollectorError:
    """What a 401 or 403 after our login means: a lock-out, or refused credentials."""
    root = _status(body)
    if root is not None:
        said = short_reason(_text(root, "statusString") or _text(root, "subStatusCode"))
        if _text(root, "lockStatus").lower() in ("lock", "locked") or _LOCKED.search(said):
            return LockedOut(f"device locked the account after failed logins (HTTP {status})")
    return AuthFailed(f"device refused the credentials (HTTP {status})")


def _change_refused(body: bytes) -> CollectorError | None:
    """None when the ResponseStatus says done; else what the device said, as an error."""
    root = parse_document(body)
    code, sub = _text(root, "statusCode"), _text(root, "subStatusCode")
    if etree.QName(root).localname == "ResponseStatus" and (code == "1" or sub.lower() == "ok"):
        return None
    said = short_reason(_text(root, "statusString") or sub)
    if sub.lower() in ("notsupport", "notsupported"):
        return Unsupported(f"device does not support the change ({said})")
    return BadResponse(f"device refused the change (statusCode {short_reason(code)}: {said})")


def user_document(user: DeviceUser, password: str, login_password: str) -> bytes:
    """The ``User`` document of a password change."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><User version="2.0" xmlns="{_NS}"><id>{xml_text(user.id)}</id>'
        f"<userName>{xml_text(user.username)}</userName><password>{xml_text(password)}</password>"
        f"<userLevel>{xml_text(user.level)}</userLevel><loginPassword>{xml_text(login_password)}</loginPassword>"
        "</User>"
    ).encode()


class IsapiAccounts:
    """Logins proven and passwords set over Hikvision ISAPI, each call within the per-device time limit."""

    name = "isapi"
    # Hikvision and its own brands (config/vendors.toml keys); OEM products reselling its firmware are matched there.
    vendors = frozenset({"hikvision", "ezviz"})

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        device_timeout: float,
        max_body_bytes: int,
        allowed_networks: Sequence[IpNetwork] = (),
    ) -> None:
        self._session = session
        self._timeout = device_timeout
        self._max = max_body_bytes
        self._networks = tuple(allowed_networks)

    async def _call(
        self, target: Target, login: tuple[str, str], method: str, path: str, body: bytes = b""
    ) -> tuple[int, bytes]:
        """One Digest-authenticated request: status and capped body. The first, unauthenticated try carries no
        body (it only fetches the challenge), so a password in the body is sent once, with the login."""
        host = await checked_host(target.host, self._networks) if self._networks else target.host
        authority = f"[{host}]" if ":" in host else host
        url = f"http://{authority}:{target.onvif_port}{path}"
        headers = {"Accept-Encoding": "identity", "Content-Type": "application/xml"}
        try:
            async with self._session.request(method, url, headers=headers, allow_redirects=False) as first:
                content = await read_capped(first, self._max)
                if first.status != 401 and (not body or first.status in _ABSENT):
                    return first.status, content
                if first.status == 401:
                    if isinstance(refusal := _refused(401, content), LockedOut):
                        # Locked already: a login now would only prolong it.
                        raise refusal
                    _scheme, headers["Authorization"] = authorization(
                        first.headers.getall("WWW-Authenticate", []),
                        method=method,
                        uri=path,
                        username=login[0],
                        password=login[1],
                        basic_allowed=target.allow_basic,
                        channel="http",
                    )
            async with self._session.request(method, url, data=body, headers=headers, allow_redirects=False) as answer:
                return answer.status, await read_capped(answer, self._max)
        except aiohttp.ClientError as exc:
            error = translate_http(exc)
            if error is None:
                raise
            raise error from exc

    async def users(self, target: Target, username: str, password: str) -> list[DeviceUser]:
        """The device's accounts, asked with this login."""
        async with asyncio.timeout(self._timeout):
            status, body = await self._call(target, (username, password), "GET", USERS_PATH)
        if status in (401, 403):
            raise _refused(status, body)
        if status in _ABSENT:
            raise Unsupported(f"device has no ISAPI user service (HTTP {status})")
        if status != 200:
            raise BadResponse(f"ISAPI user list answered HTTP {status}")
        root = parse_document(body)
        if etree.QName(root).localname != "UserList":
            raise BadResponse("ISAPI user list is not a UserList")
        return [
            DeviceUser(_text(user, "userName"), _text(user, "userLevel"), _text(user, "id"))
            for user in root.iter("{*}User")
        ]

    async def login_works(self, target: Target, username: str, password: str) -> bool:
        """Whether the device accepts this login now; a lock-out is raised (LockedOut), never a plain no."""
        return await answers(partial(self.users, target, username, password))

    async def _user(self, target: Target, login: tuple[str, str], username: str) -> DeviceUser:
        for user in await self.users(target, *login):
            # The id goes into the request path: digits only, as ISAPI numbers its users.
            if user.username == username and user.id.isdigit() and len(user.id) <= 9:
                return user
        raise BadResponse(f"the device does not list the user {username} with an id")

    async def level_of(self, target: Target, username: str, password: str) -> str:
        """The user's level as the device reports it (kept when the password is set)."""
        return (await self._user(target, (username, password), username)).level or "Administrator"

    async def set_password(self, target: Target, login: tuple[str, str], username: str, new: str, level: str) -> None:
        """PUT the user with the new password, signed with ``login``; raises when the device refuses."""
        user = await self._user(target, login, username)
        document = user_document(DeviceUser(user.username, level, user.id), new, login[1])
        async with asyncio.timeout(self._timeout):
            status, body = await self._call(target, login, "PUT", f"{USERS_PATH}/{user.id}", document)
        if status in (401, 403):
            raise _refused(status, body)
        if status in _ABSENT:
            raise Unsupported(f"device has no ISAPI user service (HTTP {status})")
        refusal = _change_refused(body) if body.strip() else BadResponse(f"ISAPI change answered HTTP {status}")
        if refusal is not None:
            raise refusal
