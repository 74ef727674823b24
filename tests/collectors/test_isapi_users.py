"""The ISAPI account transport against a hostile device on a real socket: bombs, oversized and malformed answers, a
user id that is not a number, refusals; each becomes the device's own error, never a crash or a request elsewhere."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import web

from collectors import Collectors, Target
from collectors.errors import BadResponse, CollectorError, LockedOut, Unsupported
from collectors.isapi_users import IsapiAccounts

HOST, PORT = "127.132.3.1", 8080
NS = 'xmlns="http://www.isapi.org/ver20/XMLSchema"'
USERS = (
    f"<UserList {NS}><User><id>1</id><userName>admin</userName><userLevel>Administrator</userLevel></User></UserList>"
)
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    f"<UserList {NS}><User><id>1</id><userName>&b;</userName></User></UserList>"
)


def _status(code: int, sub: str, extra: str = "") -> str:
    codes = f"<statusCode>{code}</statusCode><subStatusCode>{sub}</subStatusCode>"
    return f"<ResponseStatus {NS}>{codes}{extra}</ResponseStatus>"


# What the device answers: (GET users status, body), (PUT status, body).
ANSWERS: dict[str, tuple[tuple[int, str], tuple[int, str]]] = {
    "bomb": ((200, BOMB), (200, _status(1, "ok"))),
    "path_id": ((200, USERS.replace("<id>1</id>", "<id>../../System/reboot</id>")), (200, _status(1, "ok"))),
    "not_xml": ((200, "<html>login</html"), (200, _status(1, "ok"))),
    "wrong_document": ((200, _status(1, "ok")), (200, _status(1, "ok"))),
    "refused_change": ((200, USERS), (200, _status(4, "invalidOperation"))),
    "not_supported": ((200, USERS), (200, _status(4, "notSupport"))),
    "absent": ((404, "Not Found"), (404, "Not Found")),
    "locked": ((401, _status(4, "invalidOperation", "<lockStatus>lock</lockStatus>")), (401, "")),
    "done": ((200, USERS), (200, _status(1, "ok"))),
}


@pytest_asyncio.fixture
async def device() -> AsyncIterator[dict[str, str]]:
    mode = {"now": "done"}

    async def users(request: web.Request) -> web.Response:
        if mode["now"] == "huge":
            return web.Response(body=b"<UserList>" + b" " * (2 * 1024 * 1024))
        status, body = ANSWERS[mode["now"]][0]
        return web.Response(status=status, text=body, content_type="application/xml")

    async def change(request: web.Request) -> web.Response:
        await request.read()
        status, body = ANSWERS[mode["now"]][1]
        return web.Response(status=status, text=body, content_type="application/xml")

    app = web.Application()
    app.router.add_get("/ISAPI/Security/users", users)
    app.router.add_put("/ISAPI/Security/users/{id}", change)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, HOST, PORT)
    await site.start()
    try:
        yield mode
    finally:
        await runner.cleanup()


@pytest_asyncio.fixture
async def isapi() -> AsyncIterator[IsapiAccounts]:
    async with Collectors(device_timeout=3.0) as collectors:
        yield collectors.isapi_accounts


TARGET = Target(1, "HOSTILE", HOST, PORT, 554, 161)


@pytest.mark.parametrize(
    ("mode", "error", "said"),
    [
        ("bomb", BadResponse, "DTD"),
        ("path_id", BadResponse, "with an id"),
        ("not_xml", BadResponse, "not well-formed"),
        ("wrong_document", BadResponse, "not a UserList"),
        ("huge", BadResponse, "limit"),
        ("refused_change", BadResponse, "statusCode 4"),
        ("not_supported", Unsupported, "does not support"),
        ("absent", Unsupported, "no ISAPI user service"),
        ("locked", LockedOut, "locked"),
    ],
)
async def test_hostile_answers_are_the_devices_own_errors(
    device: dict[str, str], isapi: IsapiAccounts, mode: str, error: type[CollectorError], said: str
) -> None:
    device["now"] = mode
    with pytest.raises(error) as raised:
        await isapi.set_password(TARGET, ("admin", "Oud-Wachtwoord-1"), "admin", "Nieuw-Wachtwoord-2", "Administrator")
    assert said in raised.value.message
    assert "Wachtwoord" not in raised.value.message


async def test_a_change_the_device_confirms(device: dict[str, str], isapi: IsapiAccounts) -> None:
    await isapi.set_password(TARGET, ("admin", "Oud-Wachtwoord-1"), "admin", "Nieuw-Wachtwoord-2", "Administrator")
    assert await isapi.level_of(TARGET, "admin", "Oud-Wachtwoord-1") == "Administrator"
