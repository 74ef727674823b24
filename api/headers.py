"""The headers every answer carries: what browsers may cache, HTTPS only once reached over HTTPS, and the pages' CSP.

- ``Cache-Control: no-store`` on everything but the static files: pages, figures, reports and API answers (a new API
  token among them) stay out of the browser's and any proxy's cache, so the next person at a shared municipal
  computer cannot page back to them (OWASP ASVS V8.2.1).
- ``Strict-Transport-Security`` when the request came over HTTPS, directly or through a proxy listed in
  ``web.trusted_proxies`` (uvicorn believes its X-Forwarded-Proto only then); never over plain HTTP, where a
  browser would ignore it anyway and a test set-up on loopback would be pinned to HTTPS for a year.
- On pages and static files: a Content-Security-Policy (``'self'`` only, no inline script or style), nosniff,
  no framing and a same-origin referrer. The JSON API is not rendered by browsers and keeps its answers as they are.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from api.pages.core import is_https, is_page
from config.settings import Settings

NO_STORE = "no-store"
HSTS = "max-age=31536000; includeSubDomains"
_STATIC = "/static/"


def _page_headers(settings: Settings) -> dict[str, str]:
    images = "'self' data:" + (f" {settings.web.tile_origin}" if settings.web.tile_origin else "")
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
    }


def install(app: FastAPI, settings: Settings) -> None:
    """Add the headers to every answer (installed last, so it also wraps the refusals of the other layers)."""
    page_headers = _page_headers(settings)

    async def add(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        headers = response.headers
        if is_page(request):
            for name, value in page_headers.items():
                headers.setdefault(name, value)
        if not request.url.path.startswith(_STATIC):
            headers["Cache-Control"] = NO_STORE
        if is_https(request):
            headers["Strict-Transport-Security"] = HSTS
        return response

    app.middleware("http")(add)
