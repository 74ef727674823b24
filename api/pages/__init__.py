"""Server-rendered pages for people (Jinja2 and htmx), on the same services and roles as the JSON API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.staticfiles import StaticFiles

from api.pages import (
    admin,
    auth,
    cameras,
    dashboard,
    devices,
    holds,
    hygiene,
    incidents,
    passwords,
    reconciliation,
    records,
    rollout,
    work,
)
from api.pages.core import LoginRequired, login_required, page_error
from fleet.errors import NotFound


def install(app: FastAPI) -> None:
    """Add the pages and their static files (vendored htmx and Leaflet) to the app."""
    app.mount("/static", StaticFiles(directory=Path(__file__).resolve().parent.parent / "static"), name="static")
    for module in (
        auth,
        dashboard,
        cameras,
        devices,
        holds,
        hygiene,
        work,
        records,
        rollout,
        incidents,
        admin,
        passwords,
        reconciliation,
    ):
        app.include_router(module.router)
    app.add_exception_handler(LoginRequired, login_required)
    # Refused and missing pages are pages too; for the API these handlers answer exactly as before.
    app.add_exception_handler(HTTPException, page_error)
    app.add_exception_handler(NotFound, page_error)
