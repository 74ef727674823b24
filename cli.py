"""The ``camfleet`` command: the composition root, the only place that wires every part together."""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
import secrets
import sys
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings, get_settings
from config.zone import LOCAL
from fleet import schema
from fleet.alerts import outbox
from fleet.alerts import service as alerts
from fleet.alerts.models import NotificationChannel
from fleet.alerts.schemas import ChannelIn
from fleet.audit.service import Actor
from fleet.cameras import importer
from fleet.cameras import service as cameras
from fleet.cameras.models import CameraKind, CameraStatus, RiskLevel
from fleet.crypto import CredentialCipher, CredentialKeyError, load_key
from fleet.db import Database, utcnow
from fleet.decisions import importer as decision_importer
from fleet.decisions import service as decisions
from fleet.decisions.models import DecisionKind
from fleet.errors import DomainError, ImportRejected
from fleet.faults.models import FaultKind, Severity
from fleet.health.status import status_counts
from fleet.inventory.export import ExportFormat
from fleet.inventory.export import render as render_inventory
from fleet.inventory.service import build_inventory
from fleet.language import LANGUAGES, Language
from fleet.tickets import history, reading, workflow
from fleet.tickets.models import RepairTicket, TicketStatus
from fleet.tickets.schemas import TicketDetail, TicketOut
from fleet.uptime import export as uptime_export
from fleet.uptime.service import GroupBy, uptime_report
from fleet.uptime.when import parse_when
from fleet.users import service as users
from fleet.users.models import Role
from fleet.vendor_risk import service as vendor_risk
from notify.delivery import deliver, validate_url

DEMO_FLEET = Path(__file__).resolve().parent / "config" / "demo" / "fleet-venlo.csv"

app = typer.Typer(help="camfleet: keeps a municipality's CCTV fleet healthy and accountable.", no_args_is_help=True)
db_app = typer.Typer(help="Create or migrate the database.", no_args_is_help=True)
cameras_app = typer.Typer(help="The camera registry.", no_args_is_help=True)
users_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(cameras_app, name="cameras")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
T = TypeVar("T")


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit status 1."""


def fail(message: str) -> NoReturn:
    """Stop with a one-line reason on stderr and exit status 1."""
    raise UserError(message)


def _language(lang: str) -> Language:
    """The --lang option as a language, or a one-line refusal."""
    for language in LANGUAGES:
        if lang == language:
            return language
    fail(f"--lang {lang}: use nl or en")


def _cli_actor() -> Actor:
    return Actor(name=f"cli:{getpass.getuser()}")


def _settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        fail(f"invalid setting {where}: {first['msg']}")
    except FileNotFoundError as exc:
        fail(str(exc))


def _configure_logging(settings: Settings) -> None:
    # onvif-zeep-async sets the root logger to INFO when imported; this runs after and decides.
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    for noisy in ("zeep", "aiosqlite", "asyncio", "collectors"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A tick that outlasts the tick interval is normal; APScheduler would warn about every skipped run.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    # WeasyPrint warns about every SVG presentation property of the charts that its HTML CSS parser does not know
    # (its SVG renderer draws them): hundreds of lines per PDF that tell the reader nothing.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)


def command(func: Callable[..., Coroutine[Any, Any, T]]) -> Callable[..., T]:
    """Run an async command body; turn user errors into one line on stderr and exit status 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return asyncio.run(func(*args, **kwargs))
        except UserError as exc:
            err.print(f"error: {exc}")
        except ImportRejected as exc:
            for problem in exc.problems:
                err.print(str(problem), markup=False)
            err.print(f"error: {exc}")
        except (DomainError, CredentialKeyError) as exc:
            err.print(f"error: {exc}", markup=False)
        except (OperationalError, ProgrammingError, OSError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            err.print(
                f"error: database unavailable or not set up ({reason}); run `camfleet db upgrade`",
                markup=False,
            )
        raise typer.Exit(1)

    return wrapper


async def _open_database(settings: Settings) -> Database:
    database = Database(settings)
    if not await schema.is_current(database.engine):
        await database.dispose()
        fail("the database schema is missing or out of date; run `camfleet db upgrade` first")
    return database


@db_app.command("upgrade")
@command
async def db_upgrade() -> None:
    """Create the database or migrate it to the newest schema."""
    settings = _settings()
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(schema.upgrade, settings.database_url)
    out.print("database is up to date")


@cameras_app.command("import")
@command
async def cameras_import(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file; see the README for its columns.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only; write nothing.")] = False,
) -> None:
    """Create or update cameras by name from a file; any invalid row imports nothing."""
    if not file.is_file():
        fail(f"{file}: no such file")
    rows = importer.read_camera_file(file)
    if dry_run:
        out.print(f"{len(rows)} rows valid; nothing written (--dry-run)")
        return
    settings = _settings()
    database = await _open_database(settings)
    cipher = CredentialCipher(load_key(settings))
    try:
        with _progress(len(rows), "importing") as advance:
            async with database.unit_of_work() as session:
                result = await cameras.upsert_many(
                    session,
                    actor=_cli_actor(),
                    rows=importer.iter_cameras(rows),
                    cipher=cipher,
                    progress=advance,
                )
                await vendor_risk.reassess_all(session, settings)
    finally:
        await database.dispose()
    out.print(
        f"imported {len(rows)} cameras: {len(result.created)} created, "
        f"{len(result.updated)} updated, {len(result.unchanged)} unchanged"
    )


class _progress:
    """A progress bar on stderr for long work (only when there is a terminal and enough rows)."""

    def __init__(self, total: int, label: str) -> None:
        self._bar = Progress(
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        self._show = total >= 200 and err.is_terminal
        self._task = self._bar.add_task(label, total=total)

    def __enter__(self) -> Callable[[int], None]:
        if self._show:
            self._bar.start()
        return lambda done: self._bar.update(self._task, completed=done)

    def __exit__(self, *_exc: object) -> None:
        if self._show:
            self._bar.stop()


@cameras_app.command("list")
@command
async def cameras_list(
    as_json: Annotated[bool, typer.Option("--json", help="The API's camera shape, as a JSON list.")] = False,
    status: Annotated[CameraStatus | None, typer.Option(help="Only cameras with this status.")] = None,
    kind: Annotated[CameraKind | None, typer.Option(help="fixed or flexible.")] = None,
    area: Annotated[str | None, typer.Option(help="Only this area.")] = None,
    risk: Annotated[RiskLevel | None, typer.Option(help="Only this vendor-origin risk level.")] = None,
) -> None:
    """List the cameras."""
    settings = _settings()
    database = await _open_database(settings)
    filters = cameras.CameraFilter(status=status, kind=kind, area=area, risk=risk)
    try:
        async with database.unit_of_work() as session:
            rows, total = await cameras.list_cameras(session, filters=filters, page=1, size=max(1, 10**9))
            shaped = [cameras.to_out(c) for c in rows]
    finally:
        await database.dispose()
    if as_json:
        out.print(
            json.dumps([c.model_dump(mode="json") for c in shaped], indent=2, ensure_ascii=False),
            markup=False,
        )
        return
    table = Table("name", "kind", "status", "area", "location", "host", "declared", "risk", title=f"{total} cameras")
    for c in shaped:
        declared = " ".join(x for x in (c.declared_manufacturer, c.declared_model) if x)
        table.add_row(c.name, c.kind, c.status, c.area or "", c.location or "", c.host, declared, c.risk.level)
    out.print(table)


@users_app.command("create")
@command
async def users_create(
    name: Annotated[str, typer.Argument(help="The user name.")],
    role: Annotated[Role, typer.Option(help="viewer, auditor, technician, coordinator or admin.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    email: Annotated[str | None, typer.Option(help="For alerts and ticket mail.")] = None,
    language: Annotated[str, typer.Option(help="nl or en.")] = "nl",
) -> None:
    """Create a user; without a password it is a service account that only uses API tokens."""
    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("no password on standard input")
    elif sys.stdin.isatty():
        password = getpass.getpass("password (empty for a token-only account): ") or None
        if password is not None and getpass.getpass("again: ") != password:
            fail("the passwords differ")
    settings = _settings()
    database = await _open_database(settings)
    try:
        async with database.unit_of_work() as session:
            await users.create_user(
                session,
                actor=_cli_actor(),
                username=name,
                role=role,
                password=password,
                email=email,
                language=language,
            )
    finally:
        await database.dispose()
    out.print(f"created user {name} ({role.value}{'' if password else ', token-only'})")


@tokens_app.command("create")
@command
async def tokens_create(
    name: Annotated[str, typer.Argument(help="The user the token acts as.")],
    label: Annotated[str, typer.Option(help="What the token is for, shown in the admin pages.")] = "cli",
    role: Annotated[
        Role | None,
        typer.Option(help="Create NAME as a token-only account with this role if it does not exist."),
    ] = None,
) -> None:
    """Create an API token; it is printed once, as the last word of the output."""
    settings = _settings()
    database = await _open_database(settings)
    try:
        async with database.unit_of_work() as session:
            user = await users.get_by_username(session, name)
            if user is None:
                if role is None:
                    fail(f"no user {name}; create it with `camfleet users create` or pass --role")
                user = await users.create_user(session, actor=_cli_actor(), username=name, role=role)
            _row, token = await users.create_token(session, actor=_cli_actor(), user=user, name=label)
    finally:
        await database.dispose()
    out.print(f"token for {name} ({user.role.value}), shown once: {token}", markup=False)


async def _serve(settings: Settings, host: str, port: int, database: Database, *, scheduler: bool) -> None:
    """The API (and, unless told otherwise, the collectors and scheduler) in this process until stopped."""
    import uvicorn

    from api.app import create_app
    from scheduler.jobs import running_collector

    # X-Forwarded-Proto/-For are believed only from the configured proxies (uvicorn would trust 127.0.0.1).
    config = uvicorn.Config(
        create_app(settings, database),
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        log_config=None,
        proxy_headers=bool(settings.web.trusted_proxies),
        forwarded_allow_ips=settings.web.trusted_proxies or None,
    )
    server = uvicorn.Server(config)
    if not scheduler:
        await server.serve()
        return
    async with running_collector(settings, database, CredentialCipher(load_key(settings))):
        await server.serve()


@app.command()
@command
async def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    no_scheduler: Annotated[
        bool, typer.Option("--no-scheduler", help="Serve only; run the collectors elsewhere (camfleet collector).")
    ] = False,
) -> None:
    """Serve the API and pages, with the scheduler, collectors and alert dispatcher in-process."""
    settings = _settings()
    _configure_logging(settings)
    database = await _open_database(settings)
    try:
        await _serve(
            settings, host or settings.api.host, port or settings.api.port, database, scheduler=not no_scheduler
        )
    finally:
        await database.dispose()


@app.command()
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
    settings = _settings()
    _configure_logging(settings)
    database = await _open_database(settings)
    exporter = start_http_server(int(port), addr=host, registry=REGISTRY)[0] if metrics is not None else None
    try:
        async with running_collector(settings, database, CredentialCipher(load_key(settings)), poller_group=group):
            out.print(f"collector running for {'poller group ' + group if group else 'every poller group'}")
            await asyncio.Event().wait()
    finally:
        if exporter is not None:
            exporter.shutdown()
        await database.dispose()


@app.command()
@command
async def poll(
    camera: Annotated[list[str] | None, typer.Option(help="Only this camera (repeatable).")] = None,
    group: Annotated[str | None, typer.Option(help="Only this poller group.")] = None,
) -> None:
    """Run every check once now for the selected cameras and record the results as scheduled polls do."""
    from collectors.registry import Collectors
    from scheduler.jobs import collector_name
    from scheduler.polling import Poller

    settings = _settings()
    _configure_logging(settings)
    logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
    database = await _open_database(settings)
    try:
        if camera:
            async with database.unit_of_work() as session:
                unknown = [name for name in camera if await cameras.get_by_name(session, name) is None]
            if unknown:
                fail(f"no camera named {', '.join(unknown)}")
        async with Collectors.for_settings(settings) as collectors:
            poller = Poller(
                database,
                settings,
                collectors,
                CredentialCipher(load_key(settings)),
                owner=collector_name(group),
                poller_group=group,
            )
            summary = await poller.tick(names=camera, everything=True)
        async with database.unit_of_work() as session:
            counts = await status_counts(session, poller_group=group, names=camera)
    finally:
        await database.dispose()
    if not summary.checks:
        out.print("no cameras to poll (none in service in that selection)")
        return
    out.print(
        f"polled {len(summary.cameras)} cameras ({summary.checks} checks, {summary.failed} failed): "
        + ", ".join(f"{counts[s]} {s.value}" for s in (CameraStatus.UP, CameraStatus.DEGRADED, CameraStatus.DOWN))
        + f"; {len(summary.status_changes)} status changes"
    )


@app.command()
def simulate(
    fleet: Annotated[Path, typer.Option(help="Fleet CSV: one simulated camera per row, on its host and ports.")],
    control: Annotated[
        str | None, typer.Option(help="Serve the control API on this loopback HOST:PORT (see simulator/README.md).")
    ] = None,
    snapshot_size: Annotated[str, typer.Option(help="Snapshot size WIDTHxHEIGHT.")] = "1920x1080",
) -> None:
    """Simulate a camera for every row of a fleet file until interrupted."""
    from simulator.fleet import parse_host_port, run
    from simulator.spec import FleetFileError

    try:
        address = parse_host_port(control) if control else None
        width, _, height = snapshot_size.lower().partition("x")
        size = (int(width), int(height))
    except ValueError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from exc
    if not fleet.is_file():
        err.print(f"error: {fleet}: no such file", markup=False)
        raise typer.Exit(1)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        run(fleet, address, snapshot_size=size)
    except (FleetFileError, OSError) as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from exc


# What `camfleet demo` does to a few simulated cameras, so the pages have something to show.
DEMO_FAULTS: dict[str, dict[str, Any]] = {
    "VL-F012": {"offline": True},
    "VL-F027": {"clock_offset_s": 42.0},
    "VL-F033": {"image": "covered"},
}
DEMO_REBOOTING = "VL-F040"


@app.command()
@command
async def demo(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    control: Annotated[int, typer.Option(help="Port of the simulator's control API on 127.0.0.1.")] = 8765,
) -> None:
    """Everything at once on a fresh SQLite database: the illustrative fleet, simulated, polled and served."""
    from simulator.control import ControlServer
    from simulator.fleet import SimulatedFleet

    base = _settings()
    demo_db = base.data_dir / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{demo_db}{suffix}").unlink(missing_ok=True)
    settings = base.model_copy(
        update={
            "database_url": f"sqlite+aiosqlite:///{demo_db}",
            "scheduler": base.scheduler.model_copy(
                update={"reachability_interval": timedelta(seconds=15), "health_interval": timedelta(seconds=30)}
            ),
        }
    )
    _configure_logging(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(schema.upgrade, settings.database_url)
    database = Database(settings)
    cipher = CredentialCipher(load_key(settings))
    password = secrets.token_urlsafe(12)
    rows = importer.read_camera_file(DEMO_FLEET)
    async with database.unit_of_work() as session:
        actor = Actor.system("demo")
        await cameras.upsert_many(session, actor=actor, rows=importer.iter_cameras(rows), cipher=cipher)
        admin = await users.create_user(session, actor=actor, username="admin", role=Role.ADMIN, password=password)
        _row, token = await users.create_token(session, actor=actor, user=admin, name="demo")
    fleet = SimulatedFleet.from_csv(DEMO_FLEET, snapshot_size=(640, 360))
    control_server = ControlServer(fleet, "127.0.0.1", control)
    async with fleet:
        await control_server.start()
        for name, changes in DEMO_FAULTS.items():
            await fleet.camera(name).update(**changes)

        async def keep_rebooting() -> None:
            while True:
                await asyncio.sleep(90)
                await fleet.camera(DEMO_REBOOTING).reboot()

        rebooter = asyncio.create_task(keep_rebooting())
        out.print(f"camfleet demo: {len(rows)} simulated cameras on 127.30.0.x, database {demo_db}", markup=False)
        out.print(
            f"  misbehaving: {', '.join(DEMO_FAULTS)} (offline, clock drift, lens covered), "
            f"{DEMO_REBOOTING} (reboots every 90 s)",
            markup=False,
        )
        out.print(f"  simulator control API: http://127.0.0.1:{control}/cameras", markup=False)
        out.print(f"  pages: http://127.0.0.1:{port}/  login admin / {password}", markup=False)
        out.print(
            f"  API:   curl -H 'Authorization: Bearer {token}' http://127.0.0.1:{port}/api/v1/cameras", markup=False
        )
        out.print(f"  admin token: {token}", markup=False)
        try:
            await _serve(settings, "127.0.0.1", port, database, scheduler=True)
        finally:
            rebooter.cancel()
            await control_server.stop()
            await database.dispose()


channels_app = typer.Typer(help="Notification channels (Apprise URLs) for technicians' alerts.", no_args_is_help=True)
app.add_typer(channels_app, name="channels")
report_app = typer.Typer(help="Reports for the annual review.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@channels_app.command("add")
@command
async def channels_add(
    name: Annotated[str, typer.Argument(help="A name people recognise, e.g. team-noord.")],
    url: Annotated[str, typer.Argument(help="An Apprise URL: mailto://…, json://…, msteams://…, slack://…")],
    area: Annotated[list[str] | None, typer.Option(help="Only cameras in this area (repeatable).")] = None,
    site: Annotated[list[str] | None, typer.Option(help="Only cameras at this site (repeatable).")] = None,
    min_severity: Annotated[Severity, typer.Option(help="The least severe fault that is sent.")] = Severity.WARNING,
    kind: Annotated[list[FaultKind] | None, typer.Option(help="Only these fault kinds (repeatable).")] = None,
    quiet: Annotated[str | None, typer.Option(help="Quiet hours, local time, e.g. 22:00-07:00.")] = None,
) -> None:
    """Add a channel; its URL is checked with Apprise and stored encrypted."""
    quiet_from, _, quiet_until = (quiet or "").partition("-")
    data = ChannelIn(
        name=name,
        url=url,
        areas=area or [],
        sites=site or [],
        min_severity=min_severity,
        fault_kinds=kind or [],
        quiet_from=quiet_from or None,
        quiet_until=quiet_until or None,
    )
    service = validate_url(url)
    settings = _settings()
    database = await _open_database(settings)
    try:
        async with database.unit_of_work() as session:
            channel = await alerts.create_channel(
                session, actor=_cli_actor(), data=data, service=service, cipher=CredentialCipher(load_key(settings))
            )
    finally:
        await database.dispose()
    out.print(f"added channel {channel.name} ({channel.service})", markup=False)


@channels_app.command("list")
@command
async def channels_list() -> None:
    """List the channels and their routing (never their URLs)."""
    settings = _settings()
    database = await _open_database(settings)
    try:
        async with database.unit_of_work() as session:
            found = await alerts.list_channels(session)
    finally:
        await database.dispose()
    table = Table("id", "name", "service", "areas", "sites", "min severity", "kinds", "quiet hours", "enabled")
    for c in found:
        quiet = f"{c.quiet_from}-{c.quiet_until}" if c.quiet_from else ""
        kinds = ", ".join(c.fault_kinds or [])
        table.add_row(
            str(c.id),
            c.name,
            c.service,
            ", ".join(c.areas),
            ", ".join(c.sites),
            c.min_severity,
            kinds,
            quiet,
            str(c.enabled),
        )
    out.print(table)


async def _channel_named(session: AsyncSession, name: str) -> NotificationChannel:
    for channel in await alerts.list_channels(session):
        if channel.name == name:
            return channel
    fail(f"no channel named {name}")


@channels_app.command("test")
@command
async def channels_test(name: Annotated[str, typer.Argument(help="The channel's name.")]) -> None:
    """Send a test message now; exit 1 if the service did not take it."""
    settings = _settings()
    database = await _open_database(settings)
    try:
        async with database.unit_of_work() as session:
            channel = await _channel_named(session, name)
            message = outbox.test_message(channel, CredentialCipher(load_key(settings)), settings.alerts.language)
    finally:
        await database.dispose()
    error = await deliver(message, timeout=settings.alerts.send_timeout)
    if error is not None:
        fail(f"not delivered: {error}")
    out.print(f"test message delivered to {name}", markup=False)


@channels_app.command("remove")
@command
async def channels_remove(name: Annotated[str, typer.Argument(help="The channel's name.")]) -> None:
    """Remove a channel."""
    settings = _settings()
    database = await _open_database(settings)
    try:
        async with database.unit_of_work() as session:
            channel = await _channel_named(session, name)
            await alerts.delete_channel(session, actor=_cli_actor(), channel_id=channel.id)
    finally:
        await database.dispose()
    out.print(f"removed channel {name}", markup=False)


@report_app.command("uptime")
@command
async def report_uptime(
    from_: Annotated[
        str, typer.Option("--from", help="ISO date or date-time (Amsterdam time unless a zone is given).")
    ],
    to: Annotated[str, typer.Option(help="ISO date (through the end of that day) or date-time.")],
    output: Annotated[Path, typer.Option(help="The file to write.")],
    by: Annotated[GroupBy, typer.Option(help="One row per camera, area, site, manufacturer, kind or poller group.")] = (
        GroupBy.CAMERA
    ),
    format: Annotated[str, typer.Option(help="json, csv, html or pdf.")] = "json",
    lang: Annotated[str, typer.Option(help="nl or en, for html and pdf.")] = "nl",
) -> None:
    """Availability, downtime, maintenance, unknown time, outages, MTTR and MTBF for a period."""
    if format not in ("json", "csv", "html", "pdf"):
        fail(f"--format {format}: use json, csv, html or pdf")
    language = _language(lang)
    period = (parse_when(from_, field="--from"), parse_when(to, field="--to", end_of_day=True))
    if period[1] <= period[0]:
        fail("--to must be after --from")
    settings = _settings()
    database = await _open_database(settings)
    try:
        async with database.unit_of_work() as session:
            if format in ("html", "pdf"):
                from fleet.reports.uptime import uptime_document  # charts and templates: only for documents

                document = await uptime_document(session, period=period, by=by, now=utcnow(), language=language)
            else:
                rows = await uptime_report(session, period=period, by=by, now=utcnow())
    finally:
        await database.dispose()
    if format == "html":
        output.write_text(document.html, encoding="utf-8")
    elif format == "pdf":
        output.write_bytes(await asyncio.to_thread(document.pdf))
    else:
        data = uptime_export.to_csv(rows) if format == "csv" else uptime_export.to_json(rows, period=period, by=by)
        output.write_bytes(data)
    out.print(f"wrote the uptime report to {output} ({format})", markup=False)


@report_app.command("annual")
@command
async def report_annual(
    year: Annotated[int, typer.Option(help="The calendar year.", min=2000, max=2100)],
    output: Annotated[Path, typer.Option(help="The file to write.")],
    format: Annotated[str, typer.Option(help="html or pdf.")] = "pdf",
    lang: Annotated[str, typer.Option(help="nl (default) or en.")] = "nl",
) -> None:
    """The camera chapter of the annual report: composition, availability, maintenance, risk, firmware, decisions."""
    if format not in ("html", "pdf"):
        fail(f"--format {format}: use html or pdf")
    language = _language(lang)
    from fleet.reports.annual import annual_document  # charts and templates: a third of every start-up otherwise

    settings = _settings()
    database = await _open_database(settings)
    try:
        async with database.unit_of_work() as session:
            document = await annual_document(session, year=year, settings=settings, now=utcnow(), language=language)
    finally:
        await database.dispose()
    if format == "html":
        output.write_text(document.html, encoding="utf-8")
    else:
        output.write_bytes(await asyncio.to_thread(document.pdf))
    out.print(f"wrote the {year} annual report to {output} ({format})", markup=False)


export_app = typer.Typer(help="Exports for the tender and the annual review.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("inventory")
@command
async def export_inventory(
    format: Annotated[ExportFormat, typer.Option(help="xlsx, csv, json or geojson.")],
    output: Annotated[Path, typer.Option(help="The file to write.")],
    as_of: Annotated[
        str | None, typer.Option(help="The day the inventory describes (YYYY-MM-DD; default today).")
    ] = None,
    lang: Annotated[str, typer.Option(help="en (default) or nl: the xlsx summary and replacement plan.")] = "en",
) -> None:
    """The camera inventory: identity, age, health, origin risk, firmware state, replacement priority."""
    try:
        day = date.fromisoformat(as_of) if as_of else datetime.now(LOCAL).date()
    except ValueError:
        fail(f"--as-of {as_of}: use YYYY-MM-DD")
    language = _language(lang)
    settings = _settings()
    database = await _open_database(settings)
    try:
        async with database.unit_of_work() as session:
            rows = await build_inventory(session, settings=settings, as_of=day)
    finally:
        await database.dispose()
    output.write_bytes(render_inventory(rows, format, day, language))
    out.print(f"wrote {len(rows)} cameras to {output} ({format.value}, as of {day})", markup=False)


decisions_app = typer.Typer(help="Mayoral decisions on camera areas and flexible cameras.", no_args_is_help=True)
app.add_typer(decisions_app, name="decisions")


@decisions_app.command("import")
@command
async def decisions_import(
    file: Annotated[Path, typer.Argument(help="A .csv file with the columns of decisions-2023.csv.")],
) -> None:
    """Register the decisions of a file; any invalid row imports nothing, register warnings are printed."""
    if not file.is_file():
        fail(f"{file}: no such file")
    rows = decision_importer.read_decision_file(file)
    database = await _open_database(_settings())
    try:
        async with database.unit_of_work() as session:
            result = await decisions.import_rows(session, actor=_cli_actor(), rows=rows)
    finally:
        await database.dispose()
    for warning in result.warnings:
        out.print(str(warning), markup=False)
    out.print(
        f"imported {len(rows)} rows: {len(result.created)} decisions registered, "
        f"{result.already_registered} already registered, {len(result.warnings)} warnings"
    )


@decisions_app.command("list")
@command
async def decisions_list(
    year: Annotated[int | None, typer.Option(help="Only decisions decided or starting in this year.")] = None,
    kind: Annotated[DecisionKind | None, typer.Option(help="Only decisions of this kind.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """The registered decisions, newest first."""
    database = await _open_database(_settings())
    try:
        async with database.unit_of_work() as session:
            rows, _total = await decisions.list_decisions(session, page=1, size=1_000_000, year=year, kind=kind)
            shaped = await decisions.shaped(session, rows)
    finally:
        await database.dispose()
    if as_json:
        out.print(json.dumps([d.model_dump(mode="json") for d in shaped], indent=2, ensure_ascii=False), markup=False)
        return
    table = Table("id", "kind", "decided", "period", "location", "registration", "supersedes", "warnings")
    for d in shaped:
        period = ", ".join(map(str, d.days)) if d.days else f"{d.starts_on} – {d.ends_on or ''}"
        table.add_row(
            str(d.id),
            d.kind.value,
            str(d.decision_date),
            period,
            d.location,
            d.registration,
            str(d.supersedes_id or ""),
            str(len(d.warnings)),
        )
    out.print(table)


tickets_app = typer.Typer(help="Repair tickets.", no_args_is_help=True)
app.add_typer(tickets_app, name="tickets")


async def _ticket_call(
    action: Callable[[AsyncSession, Settings], Coroutine[Any, Any, RepairTicket]],
) -> TicketDetail:
    settings = _settings()
    database = await _open_database(settings)
    try:
        async with database.unit_of_work() as session:
            return await reading.detail(session, await action(session, settings))
    finally:
        await database.dispose()


def _print_ticket(ticket: TicketOut) -> None:
    assignee = ticket.assignee or "nobody"
    out.print(
        f"ticket {ticket.id} [{ticket.priority}] {ticket.status}: {ticket.title} "
        f"(camera {ticket.camera_name or '-'}, assignee {assignee}, "
        f"response due {ticket.response_due_at:%Y-%m-%d %H:%M}Z, "
        f"resolution due {ticket.resolution_due_at:%Y-%m-%d %H:%M}Z)",
        markup=False,
    )


@tickets_app.command("list")
@command
async def tickets_list(
    as_json: Annotated[bool, typer.Option("--json", help="The API's ticket shape, as a JSON list.")] = False,
    everything: Annotated[bool, typer.Option("--all", help="Resolved and closed tickets too.")] = False,
    status: Annotated[TicketStatus | None, typer.Option(help="Only tickets with this status.")] = None,
) -> None:
    """List the open tickets (all with --all), newest first."""
    settings = _settings()
    database = await _open_database(settings)
    filters = reading.TicketFilter(open=None if everything or status else True, status=status)
    try:
        async with database.unit_of_work() as session:
            rows, total = await reading.list_tickets(session, filters=filters, page=1, size=max(1, 10**9))
            shaped = await reading.to_out(session, rows)
    finally:
        await database.dispose()
    if as_json:
        out.print(json.dumps([t.model_dump(mode="json") for t in shaped], indent=2, ensure_ascii=False), markup=False)
        return
    table = Table("id", "priority", "status", "camera", "title", "assignee", "resolution due", title=f"{total} tickets")
    for t in shaped:
        due = f"{t.resolution_due_at:%Y-%m-%d %H:%M}Z"
        table.add_row(str(t.id), t.priority, t.status, t.camera_name or "", t.title, t.assignee or "", due)
    out.print(table)


@tickets_app.command("show")
@command
async def tickets_show(
    ticket_id: Annotated[int, typer.Argument(help="The ticket number.")],
    as_json: Annotated[bool, typer.Option("--json", help="The API's ticket shape with its history.")] = False,
) -> None:
    """Show a ticket with its history."""

    async def get(session: AsyncSession, _settings: Settings) -> RepairTicket:
        return await history.get_or_raise(session, ticket_id)

    ticket = await _ticket_call(get)
    if as_json:
        out.print(json.dumps(ticket.model_dump(mode="json"), indent=2, ensure_ascii=False), markup=False)
        return
    _print_ticket(ticket)
    out.print(f"faults: {', '.join(map(str, ticket.fault_ids)) or '-'}; cost: {ticket.cost_cents / 100:.2f} EUR")
    for event in ticket.history:
        change = " -> ".join(x for x in (event.from_value, event.to_value) if x)
        line = f"  {event.at:%Y-%m-%d %H:%M}Z {event.actor} {event.kind} {change} {event.text or ''}"
        out.print(line.rstrip(), markup=False)


@tickets_app.command("assign")
@command
async def tickets_assign(
    ticket_id: Annotated[int, typer.Argument(help="The ticket number.")],
    username: Annotated[str, typer.Argument(help="An active technician (or higher).")],
) -> None:
    """Give a ticket to a technician."""

    async def act(session: AsyncSession, settings: Settings) -> RepairTicket:
        user = await users.get_by_username_or_raise(session, username)
        return await workflow.assign(
            session, actor=_cli_actor(), ticket_id=ticket_id, assignee_id=user.id, now=utcnow(), settings=settings
        )

    _print_ticket(await _ticket_call(act))


@tickets_app.command("comment")
@command
async def tickets_comment(
    ticket_id: Annotated[int, typer.Argument(help="The ticket number.")],
    text: Annotated[str, typer.Argument(help="The comment or work-log entry.")],
) -> None:
    """Add a comment or work-log entry to a ticket."""
    if not text.strip():
        fail("the comment is empty")

    async def act(session: AsyncSession, _settings: Settings) -> RepairTicket:
        await workflow.comment(session, actor=_cli_actor(), ticket_id=ticket_id, text=text, now=utcnow())
        return await history.get_or_raise(session, ticket_id)

    await _ticket_call(act)
    out.print(f"comment added to ticket {ticket_id}")


@tickets_app.command("resolve")
@command
async def tickets_resolve(
    ticket_id: Annotated[int, typer.Argument(help="The ticket number.")],
    note: Annotated[str | None, typer.Option(help="What was done.")] = None,
) -> None:
    """Mark a ticket resolved."""

    async def act(session: AsyncSession, settings: Settings) -> RepairTicket:
        return await workflow.resolve(
            session, actor=_cli_actor(), ticket_id=ticket_id, now=utcnow(), settings=settings, note=note
        )

    _print_ticket(await _ticket_call(act))


@tickets_app.command("close")
@command
async def tickets_close(
    ticket_id: Annotated[int, typer.Argument(help="The ticket number.")],
    note: Annotated[str | None, typer.Option(help="Why it can be closed.")] = None,
) -> None:
    """Close a resolved ticket."""

    async def act(session: AsyncSession, settings: Settings) -> RepairTicket:
        return await workflow.close(
            session, actor=_cli_actor(), ticket_id=ticket_id, now=utcnow(), settings=settings, note=note
        )

    _print_ticket(await _ticket_call(act))


def main() -> None:
    """Entry point of the console script."""
    app()


if __name__ == "__main__":
    main()
