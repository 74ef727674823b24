"""Every id the app takes, in a path, a query, a form or a JSON body, is typed: an id no row can have is refused as
input (422 naming the parameter), never passed to the database to fail there (a 500 on PostgreSQL, whose integer
columns end at 2³¹ − 1).

The routes and their parameters come from the app itself, so a route added later is covered without a change here.
Requests are made as an admin (a token for the API, a signed-in session with its CSRF token for the pages), so what
answers is the parameter's check and not a refusal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, get_args

import httpx
from fastapi import FastAPI, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel

from api.app import create_app
from api.pages.core import CSRF_HEADER
from config.settings import Settings
from fleet.db import MAX_ROW_ID, Database
from fleet.users.models import Role
from tests.api import web
from tests.conftest import bearer

HOSTILE = [MAX_ROW_ID + 1, 2**63, -1, 0]


def _is_id(name: str) -> bool:
    return name == "id" or name.endswith(("_id", "_ids"))


def _integers(annotation: Any) -> bool:
    """Whether a parameter holds integers (``int``, ``RowId``, optional or a list of them)."""
    if annotation is int:
        return True
    return any(_integers(inner) for inner in get_args(annotation))


def _integer_id(name: str, annotation: Any) -> bool:
    """An id of a row (the audit log's ``target_id`` is a name or a number as text, so no row id)."""
    return _is_id(name) and _integers(annotation)


@dataclass(frozen=True)
class Target:
    """One id parameter of one route: where it goes (path, query, form or JSON body) and whether it is a list."""

    method: str
    path: str
    where: str
    name: str
    many: bool
    integer: bool = True


def _flat(dependant: Dependant, kind: str) -> list[Any]:
    found = list(getattr(dependant, kind))
    for sub in dependant.dependencies:
        found += _flat(sub, kind)
    return found


def _targets(app: FastAPI) -> Iterator[Target]:
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        if dependant is None or route.path is None:
            continue
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            for field in _flat(dependant, "path_params"):
                yield Target(
                    method, route.path, "path", field.alias, many=False, integer=_integers(field.field_info.annotation)
                )
            for field in _flat(dependant, "query_params"):
                if _integer_id(field.alias, field.field_info.annotation):
                    yield Target(method, route.path, "query", field.alias, many=field.alias.endswith("_ids"))
            for field in _flat(dependant, "body_params"):
                form = isinstance(field.field_info, params.Form)
                if form and _integer_id(field.alias, field.field_info.annotation):
                    yield Target(method, route.path, "form", field.alias, many=field.alias.endswith("_ids"))
                model = field.field_info.annotation
                if isinstance(model, type) and issubclass(model, BaseModel):
                    for name, inner in model.model_fields.items():
                        if _integer_id(name, inner.annotation):
                            yield Target(method, route.path, "json", name, many=name.endswith("_ids"))


async def _send(http: httpx.AsyncClient, target: Target, value: int, headers: dict[str, str]) -> httpx.Response:
    sent: int | list[int] = [value] if target.many else value
    path_value = value if target.where == "path" else 1
    url = target.path
    for name in _path_names(target.path):
        url = url.replace("{" + name + "}", str(path_value))
    request: dict[str, Any] = {"headers": headers}
    if target.where == "query":
        request["params"] = {target.name: sent}
    elif target.where == "form":
        request["data"] = {target.name: sent}
    elif target.where == "json":
        request["json"] = {target.name: sent}
    elif target.method in ("POST", "PATCH", "PUT"):
        request["data" if not target.path.startswith("/api/") else "json"] = {}
    return await http.request(target.method, url, **request)


def _path_names(path: str) -> list[str]:
    return [part[1:-1].split(":")[0] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def _names_it(answer: httpx.Response, target: Target) -> bool:
    """A 422 whose problems include this parameter (for a list, its first item)."""
    if answer.status_code != 422:
        return False
    where = "body" if target.where in ("form", "json") else target.where
    return any(problem["loc"][:2] == [where, target.name] for problem in answer.json()["detail"])


async def test_every_id_parameter_refuses_ids_no_row_can_have(
    pages: httpx.AsyncClient, tokens: dict[Role, str], settings: Settings, database: Database
) -> None:
    assert (await web.login(pages, Role.ADMIN.value)).status_code == 303
    page_headers = {CSRF_HEADER: await web.csrf(pages)}
    api_headers = bearer(tokens[Role.ADMIN])
    targets = list(_targets(create_app(settings, database)))
    # The app's own routes are found: pages and API, path, query, form and body ids.
    assert {t.where for t in targets} == {"path", "query", "form", "json"}
    assert any(t.path.startswith("/api/") for t in targets) and any(not t.path.startswith("/api/") for t in targets)
    wrong = []
    for target in targets:
        headers = api_headers if target.path.startswith("/api/") else page_headers
        for value in HOSTILE:
            answer = await _send(pages, target, value, headers)
            if target.integer:
                ok = _names_it(answer, target)
                expected = f"422 naming {target.where} {target.name}"
            else:  # a path parameter that is no number (a name, a format): whatever it is, never a 500
                ok = answer.status_code < 500
                expected = "no 5xx"
            if not ok:
                wrong.append(f"{target.method} {target.path} {target.name}={value}: {answer.status_code}, {expected}")
    assert not wrong, "\n".join(wrong)


async def test_the_largest_id_a_row_can_have_is_simply_not_found(
    pages: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    assert (await web.login(pages, Role.ADMIN.value)).status_code == 303
    for url in (f"/cameras/{MAX_ROW_ID}", f"/tickets/{MAX_ROW_ID}", f"/api/v1/tickets/{MAX_ROW_ID}"):
        answer = await pages.get(url, headers=bearer(tokens[Role.ADMIN]))
        assert answer.status_code == 404, (url, answer.text)
