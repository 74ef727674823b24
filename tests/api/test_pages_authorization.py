"""Who may open or post what among the pages: every page route × every role, signed in through the login form.

The API's matrix (test_authorization.py) covers bearer tokens; pages use a session cookie and a CSRF token, so they
get their own table here, of the same actions and rule (api.authz.RULES); test_authorization checks that every route
of the app is in one of the two tables and checks the action of its row.
Ids do not exist: an allowed call ends in 404, 422 or a page, and changes nothing.
"""

from __future__ import annotations

import re

import httpx
import pytest

from config.settings import Settings
from fleet.db import Database
from fleet.users.models import Role
from tests.api import web
from tests.api.test_authorization import PAGE_RULE, Access, allowed

_MISSING_ID = "987654"
_PATH_PARAMETER = re.compile(r"\{[^}]+\}")


@pytest.mark.parametrize("role", [None, *Role], ids=lambda role: "anonymous" if role is None else role.value)
async def test_page_authorization_matrix(settings: Settings, database: Database, role: Role | None) -> None:
    await web.people(database)
    wrong: list[str] = []
    async with web.client(settings, database) as http:
        token = ""
        if role is not None:
            signed_in = await web.login(http, role.value)
            assert signed_in.status_code == 303, signed_in.text
            token = await web.csrf(http)
        for (method, path), rule in sorted(PAGE_RULE.items()):
            if rule is Access.tested_elsewhere:
                continue
            url = _PATH_PARAMETER.sub(_MISSING_ID, path)
            data = {"csrf_token": token} if method == "POST" else None
            answer = await http.request(method, url, data=data)
            if allowed(rule, role):
                ok = answer.status_code not in (401, 403) and answer.status_code < 500
                if role is None:  # public: the login form and static files, never a redirect to log in
                    ok = ok and not answer.headers.get("location", "").startswith("/login")
                expectation = "allowed (no 401/403/5xx)"
            elif role is None:
                ok = answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")
                expectation = "303 to the login form"
            else:
                ok = answer.status_code == 403
                expectation = "403"
            if not ok:
                wrong.append(f"{method} {path} ({rule.value}): expected {expectation}, got {answer.status_code}")
    assert not wrong, "\n".join(wrong)


async def test_an_api_token_is_not_a_page_login(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    answer = await client.get("/", headers={"Authorization": f"Bearer {tokens[Role.ADMIN]}"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
