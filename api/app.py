"""The FastAPI application: ``create_app(settings)`` wires routes, errors and the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from api import errors, headers, pages
from api.deps import refuse_nul
from api.limits import TokenBeforeBody
from api.routes import (
    alerts,
    audit,
    cameras,
    decisions,
    faults,
    health,
    hygiene,
    images,
    incidents,
    inventory,
    maintenance,
    metrics,
    network_devices,
    passwords,
    reconciliation,
    recorders,
    recordings,
    reports,
    risk,
    tickets,
    users,
)
from config.settings import Settings
from fleet import __version__
from fleet.crypto import CredentialCipher, load_key
from fleet.db import Database


def create_app(settings: Settings, database: Database | None = None) -> FastAPI:
    """Build the application; a database may be passed in (tests, ``camfleet serve`` sharing it)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if database is not None:
            yield
            return
        app.state.database = Database(settings)
        try:
            yield
        finally:
            await app.state.database.dispose()

    app = FastAPI(
        title="camfleet",
        version=__version__,
        description="Health, faults, risk and accountability for a municipality's CCTV fleet.",
        lifespan=lifespan,
        # The stock pages load Swagger UI and ReDoc from a CDN; a municipal network has no internet (see below).
        docs_url=None,
        redoc_url=None,
        # Counted while the body streams in (pages and API alike): 413 past it, the rest never read.
        max_body_size=int(settings.api.max_body),
    )
    app.state.settings = settings
    app.state.database = database
    app.state.cipher = CredentialCipher(load_key(settings))
    errors.install(app)
    v1 = APIRouter(prefix="/api/v1", dependencies=[Depends(refuse_nul)])
    for module in (
        health,
        cameras,
        recorders,
        network_devices,
        recordings,
        faults,
        maintenance,
        alerts,
        users,
        audit,
        tickets,
        risk,
        reports,
        inventory,
        decisions,
        incidents,
        images,
        hygiene,
        passwords,
        reconciliation,
    ):
        v1.include_router(module.router)
    app.include_router(v1)
    app.include_router(metrics.router)
    pages.install(app)
    _install_offline_docs(app)
    # Nothing reads an API body before the caller's token is known.
    app.add_middleware(TokenBeforeBody)
    headers.install(app, settings)
    return app


def _install_offline_docs(app: FastAPI) -> None:
    """The OpenAPI page at ``/docs``, with Swagger UI served from the package (api/static/vendor/swagger-ui)."""
    assets = "/static/vendor/swagger-ui"

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon-32x32.png",
            # Swagger UI would otherwise show a badge loaded from validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )
