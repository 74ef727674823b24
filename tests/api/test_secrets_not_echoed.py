"""A refused request never echoes the secret it carried: FastAPI's 422 names each problem's value ("input"), and a
password, an API token, a device credential or a channel URL would then sit in a browser, a proxy's log or an error
report. Every field of every route that looks like a secret (by its name) is sent wrong — too long, of the wrong
type — with a marker in it, and the marker must not come back, whatever the answer.

The routes come from the app, so new routes that take a password (setting one, resetting one) are covered too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, get_args

import httpx
from annotated_types import MaxLen
from fastapi import params
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel

from api.app import create_app
from api.pages.core import CSRF_HEADER
from config.settings import Settings
from fleet.db import Database
from fleet.users.models import Role
from tests.api import web
from tests.conftest import bearer

MARKER = "Zq8-marker-secret"
# Unbounded secret fields are sent this long: still under the body limit, far over any sensible one.
_LONG = 100_000
_SECRET = re.compile(r"password|secret|token|url|community|_key$")


@dataclass(frozen=True)
class Secret:
    """A secret-looking field of a route: sent as a form field, or at a path of keys in a JSON body."""

    method: str
    path: str
    form: bool
    keys: tuple[str, ...]
    max_length: int | None


def _flat(dependant: Dependant) -> list[Any]:
    found = list(dependant.body_params)
    for sub in dependant.dependencies:
        found += _flat(sub)
    return found


def _max_length(metadata: list[Any]) -> int | None:
    return next((m.max_length for m in metadata if isinstance(m, MaxLen)), None)


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for inner in get_args(annotation):
        yield from _models(inner)


def _in_model(model: type[BaseModel], prefix: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], int | None]]:
    for name, field in model.model_fields.items():
        if _SECRET.search(name):
            yield (*prefix, name), _max_length(field.metadata)
        for inner in _models(field.annotation):
            yield from _in_model(inner, (*prefix, name))


def _secrets(settings: Settings, database: Database) -> Iterator[Secret]:
    for route in iter_route_contexts(create_app(settings, database).routes):
        dependant = getattr(route, "dependant", None)
        if dependant is None or route.path is None:
            continue
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            for field in _flat(dependant):
                info = field.field_info
                if isinstance(info, params.Form) and _SECRET.search(field.alias):
                    yield Secret(method, route.path, True, (field.alias,), _max_length(info.metadata))
                for model in _models(info.annotation):
                    for keys, longest in _in_model(model, ()):
                        yield Secret(method, route.path, False, keys, longest)


def _nested(keys: tuple[str, ...], value: object) -> dict[str, Any]:
    body: Any = value
    for key in reversed(keys):
        body = {key: body}
    return dict(body)


def _wrong_values(secret: Secret) -> list[object]:
    too_long = (MARKER * (1 + (secret.max_length or _LONG) // len(MARKER)))[: (secret.max_length or _LONG) + 1]
    return [too_long] if secret.form else [too_long, [MARKER], {"value": MARKER}]


async def test_no_refusal_echoes_a_secret(
    pages: httpx.AsyncClient, tokens: dict[Role, str], settings: Settings, database: Database
) -> None:
    assert (await web.login(pages, Role.ADMIN.value)).status_code == 303
    csrf = await web.csrf(pages)
    secrets = list(_secrets(settings, database))
    found = {(s.method, s.path, s.keys[-1]) for s in secrets}
    # Those the municipality's officer named: the login form, a new user, a channel's URL, a camera's credentials.
    assert {
        ("POST", "/login", "password"),
        ("POST", "/admin/users", "password"),
        ("POST", "/admin/channels", "url"),
        ("POST", "/api/v1/users", "password"),
        ("POST", "/api/v1/notification-channels", "url"),
        ("POST", "/api/v1/cameras", "snmp_auth_key"),
        ("PATCH", "/api/v1/cameras/{camera_id}", "password"),
    } <= found, sorted(found)
    echoed, accepted = [], []
    for secret in secrets:
        url = re.sub(r"\{[^}]+\}", "1", secret.path)
        for value in _wrong_values(secret):
            if secret.form:
                answer = await pages.request(
                    secret.method, url, data={secret.keys[0]: value}, headers={CSRF_HEADER: csrf}
                )
            else:
                body = _nested(secret.keys, value)
                answer = await pages.request(secret.method, url, json=body, headers=bearer(tokens[Role.ADMIN]))
            shown = f"{secret.method} {secret.path} {'.'.join(secret.keys)} as {type(value).__name__}"
            if MARKER in answer.text or any(MARKER in v for v in answer.headers.values()):
                echoed.append(f"{shown}: {answer.status_code} {answer.text[:300]}")
            if answer.status_code < 400:
                accepted.append(f"{shown}: {answer.status_code}")
    assert not echoed, "\n".join(echoed)
    assert not accepted, "wrong secrets were accepted:\n" + "\n".join(accepted)


async def test_a_channel_url_apprise_refuses_is_not_repeated(pages: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    """Apprise names the parts of a URL it cannot use (a Slack token with a typo); the reason keeps, the parts go."""
    admin = bearer(tokens[Role.ADMIN])
    for url in (f"slack://T1/{MARKER}!/x", f"slack://{MARKER}!/B1/x", f"mailto://user:{MARKER}@host?to={MARKER}!"):
        answer = await pages.post("/api/v1/notification-channels", json={"name": "c", "url": url}, headers=admin)
        assert answer.status_code == 422, answer.text
        assert MARKER not in answer.text, answer.text
        assert answer.json()["detail"][0]["loc"] == ["body", "url"]
    assert (await web.login(pages, Role.ADMIN.value)).status_code == 303
    page = await pages.post(
        "/admin/channels",
        data={"name": "c", "url": f"slack://T1/{MARKER}!/x"},
        headers={CSRF_HEADER: await web.csrf(pages)},
    )
    assert page.status_code == 422 and "Slack" in page.text
    assert MARKER not in page.text
