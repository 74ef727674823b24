"""What browsers and proxies may keep, and HTTPS once HTTPS: `Cache-Control: no-store` on every page and every
answer carrying a token, and `Strict-Transport-Security` when (and only when) the request came over HTTPS — directly,
or through a proxy camfleet is told to trust, checked on a real uvicorn as `camfleet serve` configures it.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from fastapi.routing import iter_route_contexts

from api.app import create_app
from api.pages.core import CSRF_HEADER
from cli.serve import server_config
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.users.models import Role
from tests.api import web
from tests.conftest import bearer
from tests.waiting import eventually

PROXY, OTHER, SERVER = "127.96.0.2", "127.96.0.3", "127.96.0.1"
_PARAMETER = re.compile(r"\{([^}:]+)[^}]*\}")


def _page_paths(settings: Settings, database: Database, ids: dict[str, int]) -> list[str]:
    """Every page a browser can open (GET, not the JSON API, the metrics or the static files), ids filled in."""
    paths = set()
    for route in iter_route_contexts(create_app(settings, database).routes):
        path = route.path or ""
        if "GET" not in (route.methods or set()) or path.startswith(("/api/", "/metrics", "/static")):
            continue
        paths.add(_PARAMETER.sub(lambda found: str(ids.get(found.group(1), 987654)), path))
    return sorted(paths)


async def test_every_page_says_no_store(
    pages: httpx.AsyncClient, settings: Settings, database: Database, cipher: CredentialCipher
) -> None:
    camera_id, fault_id, ticket_id = await web.seed(database, cipher, settings)
    ids = {"camera_id": camera_id, "fault_id": fault_id, "ticket_id": ticket_id}
    paths = _page_paths(settings, database, ids)
    assert {"/", "/login", "/admin", f"/cameras/{camera_id}", f"/tickets/{ticket_id}"} <= set(paths)
    anonymous = await pages.get("/login")
    assert anonymous.headers["cache-control"] == "no-store"
    assert (await web.login(pages, Role.ADMIN.value)).status_code == 303
    wrong = []
    for path in paths:
        answer = await pages.get(path)
        if answer.headers.get("cache-control") != "no-store":
            wrong.append(f"{path}: {answer.status_code} {answer.headers.get('cache-control')}")
    assert not wrong, "\n".join(wrong)
    # A refused or missing page, and a redirect to the login form, are pages too.
    assert (await pages.get("/cameras/987654")).headers["cache-control"] == "no-store"
    # The static files (versioned with the package, the same for everyone) may be cached.
    assert "cache-control" not in (await pages.get("/static/camfleet.css")).headers


async def test_a_new_api_token_is_not_stored_by_any_cache(pages: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    created = await pages.post(
        "/api/v1/tokens", json={"username": "viewer", "name": "cache-check"}, headers=bearer(tokens[Role.ADMIN])
    )
    assert created.status_code == 201 and created.json()["token"]
    assert created.headers["cache-control"] == "no-store"
    # The admin page shows a new token once, as a page: also not kept.
    assert (await web.login(pages, Role.ADMIN.value)).status_code == 303
    shown = await pages.post(
        "/admin/tokens",
        data={"username": "viewer", "name": "page-token"},
        headers={CSRF_HEADER: await web.csrf(pages, "/admin")},
    )
    assert shown.status_code == 200 and "page-token" in shown.text
    assert shown.headers["cache-control"] == "no-store"


async def test_hsts_over_https_only(settings: Settings, database: Database) -> None:
    for base_url, expected in (("https://camfleet.test", True), ("http://camfleet.test", False)):
        async with web.client(settings, database, base_url=base_url) as http:
            for path in ("/login", "/api/v1/health", "/static/camfleet.css", "/no-such-page", "/"):
                answer = await http.get(path)
                assert ("strict-transport-security" in answer.headers) is expected, (base_url, path)
                if expected:
                    assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((SERVER, 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def _serving(settings: Settings, database: Database) -> AsyncIterator[str]:
    """The app on a real uvicorn, configured as `camfleet serve` configures it."""
    port = _free_port()
    server = uvicorn.Server(server_config(create_app(settings, database), settings, SERVER, port))
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started or task.done(), timeout=30, what="uvicorn to start")
        assert not task.done(), task
        yield f"http://{SERVER}:{port}"
    finally:
        server.should_exit = True
        await task


async def _hsts(url: str, source: str, headers: dict[str, str]) -> str | None:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with httpx.AsyncClient(transport=transport, base_url=url) as http:
        answer = await http.get("/login", headers=headers)
    assert answer.status_code == 200
    return answer.headers.get("strict-transport-security")


async def test_hsts_behind_a_trusted_proxy_only(settings: Settings, database: Database) -> None:
    trusted = settings.model_copy(update={"web": settings.web.model_copy(update={"trusted_proxies": [PROXY]})})
    https = {"X-Forwarded-Proto": "https"}
    async with _serving(trusted, database) as url:
        assert await _hsts(url, PROXY, https) == "max-age=31536000; includeSubDomains"
        assert await _hsts(url, PROXY, {}) is None  # the proxy took the request over plain HTTP
        assert await _hsts(url, OTHER, https) is None  # anyone else's word for it is not believed
    async with _serving(settings, database) as url:  # no proxy configured: nobody is believed
        assert await _hsts(url, PROXY, https) is None
