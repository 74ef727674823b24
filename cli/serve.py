"""`camfleet serve` and `camfleet collector`: the long-running services."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from cli.root import Opened, command, configure_logging, fail, load_settings, opened, out
from config.settings import Settings

if TYPE_CHECKING:
    import uvicorn
    from starlette.types import ASGIApp


@contextmanager
def stopped_by_signals(stop: Callable[[], None]) -> Iterator[None]:
    """SIGTERM (systemd, container runtimes) and SIGINT (Ctrl-C) call ``stop`` instead of ending the process.

    The service then winds down as its blocks end: claims given back, the database closed, exit status 0.
    """
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    try:
        yield
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def server_config(app: ASGIApp, settings: Settings, host: str, port: int) -> uvicorn.Config:
    """How uvicorn serves the app: X-Forwarded-Proto/-For are believed only from ``web.trusted_proxies``.

    uvicorn would otherwise trust 127.0.0.1; what it believes decides the Secure cookies and HSTS (api.headers).
    """
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        log_config=None,
        proxy_headers=bool(settings.web.trusted_proxies),
        forwarded_allow_ips=settings.web.trusted_proxies or None,
    )


async def run_server(root: Opened, host: str, port: int, *, scheduler: bool) -> None:
    """The API (and, unless told otherwise, the collectors and scheduler) in this process until a stop signal."""
    import uvicorn

    from api.app import create_app
    from fleet import offload
    from scheduler.jobs import loop_lag, running_collector
    from scheduler.watch import running_watch

    settings = root.settings
    # Documents, spreadsheets and password checks beside the loop, at most so many at once.
    offload.configure(settings.web.heavy_workers)
    server = uvicorn.Server(server_config(create_app(settings, root.database), settings, host, port))

    def stop() -> None:
        server.should_exit = True

    # uvicorn listens for the signals itself while it serves, then raises them again: these handlers take them,
    # and those that come while the scheduler starts.
    # The watch (silent poller groups, unchecked cameras) runs here whatever the collectors do; without a scheduler
    # of its own, serve dispatches the alerts too, so a silent group is told even when no collector is left.
    with stopped_by_signals(stop):
        # One probe of the loop the API and the collectors share: its lag is a metric, and a check that failed
        # while the loop stalled is not counted against its camera.
        async with (
            loop_lag(settings).running() as lag,
            running_watch(settings, root.database, root.cipher, dispatch=not scheduler),
        ):
            try:
                if not scheduler:
                    await server.serve()
                    return
                async with running_collector(settings, root.database, root.cipher, lag=lag):
                    await server.serve()
            finally:
                await asyncio.to_thread(offload.current().shutdown)


@command
async def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    no_scheduler: Annotated[
        bool,
        typer.Option(
            "--no-scheduler",
            help="Serve (watching for silent collectors, dispatching alerts); run the collectors elsewhere "
            "(camfleet collector).",
        ),
    ] = False,
) -> None:
    """Serve the API and pages, with the scheduler, collectors and alert dispatcher in-process."""
    settings = load_settings()
    configure_logging(settings)
    async with opened(settings) as root:
        await run_server(root, host or settings.api.host, port or settings.api.port, scheduler=not no_scheduler)


@command
async def collector(
    group: Annotated[str | None, typer.Option(help="Poll only this poller group (a network zone).")] = None,
    metrics: Annotated[
        str | None, typer.Option(help="Serve this collector's Prometheus metrics at http://HOST:PORT/metrics.")
    ] = None,
) -> None:
    """Run the scheduler and collectors only (next to the cameras' network), until stopped."""
    from prometheus_client import start_http_server

    from fleet.metrics import REGISTRY
    from scheduler.jobs import running_collector

    host, _, port = (metrics or "").rpartition(":")
    if metrics is not None and not (host and port.isdigit() and 0 < int(port) < 65536):
        fail(f"--metrics {metrics}: expected HOST:PORT, e.g. 0.0.0.0:9108")
    settings = load_settings()
    configure_logging(settings)
    stop = asyncio.Event()
    with stopped_by_signals(stop.set):
        async with opened(settings) as root:
            exporter = start_http_server(int(port), addr=host, registry=REGISTRY)[0] if metrics is not None else None
            try:
                async with running_collector(settings, root.database, root.cipher, poller_group=group):
                    out.print(f"collector running for {'poller group ' + group if group else 'every poller group'}")
                    await stop.wait()
            finally:
                if exporter is not None:
                    exporter.shutdown()
