"""Hikvision ISAPI's user calls on a simulated camera (state `isapi`): list the users, change one's password.

`GET /ISAPI/Security/users` answers a `UserList`; `PUT /ISAPI/Security/users/<id>` takes a `User` document and
answers a `ResponseStatus`. Every call needs HTTP Digest (Basic too, as older firmwares take it) for one of the
camera's accounts; failed logins count toward the same lock-out as ONVIF's, and a locked camera says
`lockStatus` `lock` in its 401 answer. The half-way fault (`set_user_fault`) applies to a change as to SetUser.
"""

from __future__ import annotations

from aiohttp import web
from lxml import etree
from multidict import CIMultiDict

from simulator import httpauth
from simulator.device import Device
from simulator.soap import PARSER
from simulator.users import SetUserFault, UserFault

USERS_PATH = "/ISAPI/Security/users"
NS = "http://www.isapi.org/ver20/XMLSchema"
_SERVER = "App-webs/"


def _status(http: int, code: int, text: str, sub: str, extra: str = "") -> web.Response:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><ResponseStatus version="2.0" xmlns="{NS}">'
        f"<requestURL>{USERS_PATH}</requestURL><statusCode>{code}</statusCode><statusString>{text}</statusString>"
        f"<subStatusCode>{sub}</subStatusCode>{extra}</ResponseStatus>"
    )
    return web.Response(status=http, text=body, content_type="application/xml", headers={"Server": _SERVER})


def _challenge(device: Device, response: web.Response) -> web.Response:
    headers = CIMultiDict(response.headers)
    for challenge in httpauth.challenges(device.realm):
        headers.add("WWW-Authenticate", challenge)
    return web.Response(status=response.status, body=response.body, headers=headers)


def _unauthorised(device: Device) -> web.Response:
    lock = "lock" if device.accounts.locked() else "unlock"
    refused = _status(401, 4, "Invalid Operation", "invalidOperation", f"<lockStatus>{lock}</lockStatus>")
    return _challenge(device, refused)


def _logged_in(device: Device, request: web.BaseRequest) -> str | None:
    """The account a request logs in as (None: refused, counted toward the lock-out)."""
    header = request.headers.get("Authorization", "")
    name = httpauth.claimed_username(header)
    password = device.accounts.password_of(name)
    if device.state.reject_auth or password is None:
        ok = False
    else:
        ok = httpauth.authorised(header, request.method, device.realm, name, password)
    if ok:
        device.accounts.succeeded()
        return name
    device.counters.onvif_auth_failures += 1
    device.accounts.failed(device.state.lockout_after, device.state.lockout_s)
    return None


def _user_list(device: Device) -> web.Response:
    users = "".join(
        f"<User><id>{number}</id><userName>{account.username}</userName><userLevel>{account.level}</userLevel></User>"
        for number, account in enumerate(device.accounts.users.values(), start=1)
    )
    body = f'<?xml version="1.0" encoding="UTF-8"?><UserList version="2.0" xmlns="{NS}">{users}</UserList>'
    return web.Response(text=body, content_type="application/xml", headers={"Server": _SERVER})


def _change(device: Device, signer: str, number: str, payload: bytes) -> web.Response:
    names = list(device.accounts.users)
    if not number.isdigit() or not 1 <= int(number) <= len(names):
        return _status(404, 4, "Invalid Operation", "invalidID")
    try:
        user = etree.fromstring(payload, parser=PARSER)
    except etree.XMLSyntaxError:
        return _status(400, 5, "Invalid XML Format", "badXmlFormat")
    name = user.findtext(f"{{{NS}}}userName") or ""
    password = user.findtext(f"{{{NS}}}password") or ""
    account = device.accounts.users[names[int(number) - 1]]
    level = user.findtext(f"{{{NS}}}userLevel") or account.level
    login_password = user.findtext(f"{{{NS}}}loginPassword")
    if login_password is not None and login_password != device.accounts.password_of(signer):
        # Firmware 5.5 and later check the signing user's own password once more before a change.
        return _status(401, 4, "Invalid Operation", "passwordError")
    if name != account.username:
        return _status(400, 6, "Invalid XML Content", "badParameters")
    try:
        wanted = device.accounts.checked(name, password, level)
    except UserFault:
        return _status(400, 6, "Invalid XML Content", "badParameters")
    fault = SetUserFault(device.state.set_user_fault)
    # `unsupported` is an ONVIF SetUser fault: the ISAPI change works then.
    device.accounts.apply([wanted], SetUserFault.NONE if fault is SetUserFault.UNSUPPORTED else fault)
    return _status(200, 1, "OK", "ok")


async def handle(device: Device, request: web.BaseRequest) -> web.Response | None:
    """The answer to an ISAPI user call, or None when the path is not one (or the camera has no ISAPI)."""
    path = request.path
    if not device.state.isapi or not (path == USERS_PATH or path.startswith(USERS_PATH + "/")):
        return None
    payload = await request.read()
    if not request.headers.get("Authorization"):
        return _challenge(device, _status(401, 4, "Invalid Operation", "invalidOperation"))
    if device.accounts.locked():
        device.counters.onvif_auth_failures += 1
        return _unauthorised(device)
    signer = _logged_in(device, request)
    if signer is None:
        return _unauthorised(device)
    if request.method == "GET" and path == USERS_PATH:
        return _user_list(device)
    if request.method == "PUT" and path.count("/") == 4:
        return _change(device, signer, path.rsplit("/", 1)[1], payload)
    return _status(405, 4, "Invalid Operation", "methodNotAllowed")
