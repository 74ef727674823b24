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


def server_config(app: ASGIApp | str, settings: Settings, host: str, port: int, workers: int = 1) -> uvicorn.Config:
    """How uvicorn serves the app: X-Forwarded-Proto/-For are believed only from ``web.trusted_proxies``.

    uvicorn would otherwise trust 127.0.0.1; what it believes decides the Secure cookies and HSTS (api.headers).
    With several workers the app is named (``module:factory``): each worker process builds its own.
    """
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        factory=isinstance(app, str),
        workers=workers,
        # A worker that does not answer the supervisor's ping in time is killed and replaced; starting one (a fresh
        # interpreter importing camfleet) takes seconds on a busy machine, past uvicorn's default of 5.
        timeout_worker_healthcheck=60,
        log_level=settings.log_level.lower(),
        log_config=None,
        proxy_headers=bool(settings.web.trusted_proxies),
        forwarded_allow_ips=settings.web.trusted_proxies or None,
    )


def worker_app() -> ASGIApp:
    """The API of one worker of `camfleet serve --workers N`: its own settings, database pool and heavy-job pools."""
    from api.app import create_app
    from fleet import offload

    settings = load_settings()
    configure_logging(settings)
    offload.configure(settings.web.heavy_workers)
    return create_app(settings)


async def run_workers(root: Opened, host: str, port: int, workers: int, *, scheduler: bool) -> None:
    """The API in ``workers`` processes; the watch (and, unless told otherwise, the scheduler) in this one only.

    uvicorn's supervisor takes SIGTERM and SIGINT: it stops the workers, then this process winds down the rest.
    """
    from uvicorn.supervisors import Multiprocess

    from fleet import offload
    from scheduler.jobs import loop_lag, running_collector
    from scheduler.watch import running_watch

    settings = root.settings
    offload.configure(settings.web.heavy_workers)
    config = server_config(f"{__name__}:worker_app", settings, host, port, workers)
    supervisor = Multiprocess(config, sockets=[config.bind_socket()])
    async with (
        loop_lag(settings).running() as lag,
        running_watch(settings, root.database, root.cipher, dispatch=not scheduler),
    ):
        try:
            if not scheduler:
                await asyncio.to_thread(supervisor.run)
                return
            async with running_collector(settings, root.database, root.cipher, lag=lag):
                await asyncio.to_thread(supervisor.run)
        finally:
            await asyncio.to_thread(offload.current().shutdown)


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
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="API worker processes (PostgreSQL only); the scheduler and the watch still run in one process.",
        ),
    ] = 1,
) -> None:
    """Serve the API and pages, with the scheduler, collectors and alert dispatcher in-process."""
    settings = load_settings()
    if workers > 1 and settings.is_sqlite:
        fail(
            f"--workers {workers}: several API processes need PostgreSQL (SQLite lets one process write at a time); "
            "serve with one worker, or set database_url to a PostgreSQL server"
        )
    configure_logging(settings)
    async with opened(settings) as root:
        host, port = host or settings.api.host, port or settings.api.port
        if workers > 1:
            await run_workers(root, host, port, workers, scheduler=not no_scheduler)
        else:
            await run_server(root, host, port, scheduler=not no_scheduler)


@command
async def collector(
    group: Annotated[str | None, typer.Option(help="Poll only this poller group (a network zone).")] = None,
    metrics: Annotated[
        str | None, typer.Option(help="Serve this collector's Prometheus metrics at http://HOST:PORT/metrics.")
    ] = None,
    traps: Annotated[
        str | None, typer.Option(help="Receive SNMP traps (v2c and v3) at HOST:PORT, e.g. 0.0.0.0:162.")
    ] = None,
) -> None:
    """Run the scheduler and collectors only (next to the cameras' network), until stopped."""
    from prometheus_client import start_http_server

    from fleet.metrics import REGISTRY
    from scheduler.jobs import running_collector

    host, _, port = (metrics or "").rpartition(":")
    if metrics is not None and not (host and port.isdigit() and 0 < int(port) < 65536):
        fail(f"--metrics {metrics}: expected HOST:PORT, e.g. 0.0.0.0:9108")
    trap_host, _, trap_port = (traps or "").rpartition(":")
    if traps is not None and not (trap_host and trap_port.isdigit() and 0 < int(trap_port) < 65536):
        fail(f"--traps {traps}: expected HOST:PORT, e.g. 0.0.0.0:162")
    settings = load_settings()
    configure_logging(settings)
    stop = asyncio.Event()
    receive = (trap_host, int(trap_port)) if traps is not None else None
    with stopped_by_signals(stop.set):
        async with opened(settings) as root:
            exporter = start_http_server(int(port), addr=host, registry=REGISTRY)[0] if metrics is not None else None
            try:
                async with running_collector(settings, root.database, root.cipher, poller_group=group, traps=receive):
                    out.print(f"collector running for {'poller group ' + group if group else 'every poller group'}")
                    await stop.wait()
            finally:
                if exporter is not None:
                    exporter.shutdown()
