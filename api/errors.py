"""Domain errors mapped to HTTP in one place, all in FastAPI's error body shape."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from fleet.crypto import CredentialKeyError
from fleet.errors import (
    Conflict,
    DomainError,
    ImportRejected,
    InvalidInput,
    InvalidQuery,
    InvalidTransition,
    NotFound,
)


def _body(loc: list[str | int], msg: str, type_: str) -> dict[str, object]:
    return {"detail": [{"loc": loc, "msg": msg, "type": type_}]}


async def not_found(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=status.HTTP_404_NOT_FOUND, content={"detail": str(exc)})


# What a 422 says about each problem: where and what, never the value that was sent. FastAPI's own answer echoes
# it ("input"), and on a login form, a new user or a channel URL that value is a password or a token, which would
# then sit in a browser's history, a proxy's log or an error report (OWASP ASVS V7.1.1, V8.3.4).
_PROBLEM_KEYS = ("type", "loc", "msg", "ctx")


async def _request_invalid(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [{key: error[key] for key in _PROBLEM_KEYS if key in error} for error in exc.errors()]
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": jsonable_encoder(problems)}
    )


async def _invalid_transition(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidTransition)
    content = _body(["body", "status"], str(exc), "invalid_transition")
    content["allowed"] = exc.allowed
    return JSONResponse(status_code=status.HTTP_409_CONFLICT, content=content)


async def _conflict(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=status.HTTP_409_CONFLICT, content=_body(["body"], str(exc), "conflict"))


async def _invalid_input(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content=_body(["body", exc.field], exc.reason, "value_error"),
    )


async def _invalid_query(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidQuery)
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content=_body(["query", exc.field], exc.reason, "value_error"),
    )


async def _import_rejected(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ImportRejected)
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={
            "detail": [{"loc": ["body", p.line, p.column], "msg": p.reason, "type": "import"} for p in exc.problems]
        },
    )


async def _domain(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=status.HTTP_400_BAD_REQUEST, content=_body(["body"], str(exc), "invalid"))


async def _key_error(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=status.HTTP_503_SERVICE_UNAVAILABLE, content={"detail": str(exc)})


def install(app: FastAPI) -> None:
    """Register the handlers, most specific first."""
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(InvalidTransition, _invalid_transition)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(InvalidQuery, _invalid_query)
    app.add_exception_handler(InvalidInput, _invalid_input)
    app.add_exception_handler(ImportRejected, _import_rejected)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(CredentialKeyError, _key_error)
