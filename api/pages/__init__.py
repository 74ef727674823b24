"""Server-rendered pages for people (Jinja2 and htmx), on the same services and roles as the JSON API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.staticfiles import StaticFiles

from api.pages import admin, auth, cameras, dashboard, records, work
from api.pages.core import LoginRequired, login_required, page_error, security_headers
from config.settings import Settings
from fleet.errors import NotFound


def install(app: FastAPI, settings: Settings) -> None:
    """Add the pages, their static files (vendored htmx and Leaflet) and the security headers to the app."""
    app.mount("/static", StaticFiles(directory=Path(__file__).resolve().parent.parent / "static"), name="static")
    for module in (auth, dashboard, cameras, work, records, admin):
        app.include_router(module.router)
    app.add_exception_handler(LoginRequired, login_required)
    # Refused and missing pages are pages too; for the API these handlers answer exactly as before.
    app.add_exception_handler(HTTPException, page_error)
    app.add_exception_handler(NotFound, page_error)
    app.middleware("http")(security_headers(settings))
