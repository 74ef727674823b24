"""The API's token is checked before a request body is read (the body's size is capped by FastAPI itself).

The user found here goes to the route with the request (``api.deps.get_current_user`` takes it instead of looking
the token up a second time).

FastAPI reads a request's body before it runs any dependency, the token check included. Without this layer an
anonymous client could make the server take in a body up to the size limit, again and again, before being told it
may not ask at all; in `camfleet serve` that work shares the process with the collectors.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import UNAUTHORIZED, remember_token_user
from fleet.db import Database
from fleet.users import service as users

# The API routes that need a token; health is for load balancers and needs none.
_API = "/api/v1/"
_OPEN = frozenset({"/api/v1/health"})


class TokenBeforeBody:
    """Pure ASGI middleware: an API request that carries a body and no valid token is 401 before it is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _needs_token(scope["path"]):
            headers = Headers(scope=scope)
            if _carries_body(headers) and not await _signed_in(scope, headers):
                refused = JSONResponse(
                    {"detail": UNAUTHORIZED.detail}, status_code=UNAUTHORIZED.status_code, headers=UNAUTHORIZED.headers
                )
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _needs_token(path: str) -> bool:
    return path.startswith(_API) and path not in _OPEN


def _carries_body(headers: Headers) -> bool:
    declared = headers.get("content-length")
    return (declared is not None and declared != "0") or "chunked" in headers.get("transfer-encoding", "").lower()


async def _signed_in(scope: Scope, headers: Headers) -> bool:
    """Whether the request carries a valid API token; its user is left for the route (api.deps), checked once."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    database: Database = scope["app"].state.database
    async with database.unit_of_work() as session:
        found = await users.token_user(session, token.strip())
    if found is None:
        return False
    remember_token_user(scope, token.strip(), *found)
    return True
