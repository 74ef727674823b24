"""`camfleet cameras`: import the registry from a file, list it, take configuration baselines."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.passwords import cameras_passwords, cameras_rotate_passwords
from cli.root import cli_actor, command, err, fail, load_settings, out, unit_of_work
from fleet.cameras import importer, reading, recorders, uplinks
from fleet.cameras import service as cameras
from fleet.cameras.filters import CameraFilter
from fleet.cameras.models import CameraKind, CameraStatus, RiskLevel
from fleet.cameras.schemas import CameraCreate, NetworkDeviceCreate
from fleet.hygiene import service as hygiene
from fleet.maintenance.service import cameras_in_maintenance
from fleet.pagination import Window
from fleet.vendor_risk import service as vendor_risk

app = typer.Typer(no_args_is_help=True)


@app.command("import")
@command
async def cameras_import(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file; see the README for its columns.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only; write nothing.")] = False,
) -> None:
    """Create or update cameras by name from a file; any invalid row imports nothing."""
    await import_devices(file, CameraCreate, "cameras", dry_run=dry_run)


async def import_devices(file: Path, shape: type[importer.DeviceRow], noun: str, *, dry_run: bool) -> None:
    """Create or update devices of one shape (cameras, recorders, network devices) by name from a file: every row,
    recorder, uplink and address checked first, so any invalid row imports nothing."""
    if not file.is_file():
        fail(f"{file}: no such file")
    rows = importer.read_camera_file(file, shape)
    networks = load_settings().cameras.allowed_networks
    await importer.check_networks(rows, networks)
    with progress(len(rows), "importing") as advance:
        async with unit_of_work() as work:
            await recorders.check_names(work.session, importer.recorder_names(rows))
            network_devices = shape is NetworkDeviceCreate
            await uplinks.check_names(work.session, importer.uplink_names(rows), network_devices=network_devices)
            if dry_run:
                out.print(f"{len(rows)} rows valid; nothing written (--dry-run)")
                return
            result = await cameras.upsert_many(
                work.session,
                actor=cli_actor(),
                rows=importer.iter_cameras(rows),
                cipher=work.cipher,
                progress=advance,
                networks=networks,
            )
            await vendor_risk.reassess_all(work.session, work.settings)
    out.print(
        f"imported {len(rows)} {noun}: {len(result.created)} created, "
        f"{len(result.updated)} updated, {len(result.unchanged)} unchanged"
    )


class progress:
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


@app.command("list")
@command
async def cameras_list(
    as_json: Annotated[bool, typer.Option("--json", help="The API's camera shape, as a JSON list.")] = False,
    status: Annotated[CameraStatus | None, typer.Option(help="Only cameras with this status.")] = None,
    kind: Annotated[CameraKind | None, typer.Option(help="fixed or flexible.")] = None,
    area: Annotated[str | None, typer.Option(help="Only this area.")] = None,
    risk: Annotated[RiskLevel | None, typer.Option(help="Only this vendor-origin risk level.")] = None,
) -> None:
    """List the cameras."""
    filters = CameraFilter(status=status, kind=kind, area=area, risk=risk)
    async with unit_of_work() as work:
        now = datetime.now(UTC)
        maintenance = await cameras_in_maintenance(work.session, now)
        listed = await reading.page_of(work.session, filters, Window(size=10**9), maintenance=maintenance, now=now)
        shaped, total = listed.items, listed.total
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


@app.command("baseline")
@command
async def cameras_baseline(
    camera: Annotated[str | None, typer.Argument(help="The camera's name.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every camera the security check has seen.")] = False,
) -> None:
    """Make the configuration a camera showed last its baseline (after a deliberate change); closes config_drift."""
    if (camera is None) is not every:
        fail("name one camera, or give --all")
    now = datetime.now(UTC)
    async with unit_of_work() as work:
        if every:
            found = list(await hygiene.observed_cameras(work.session))
        else:
            named = await cameras.get_by_name(work.session, camera or "")
            if named is None:
                fail(f"camera {camera!r} not found")
            found = [named]
        for one in found:
            await hygiene.take_baseline(work.session, camera=one, actor=cli_actor(), now=now)
    out.print(f"baseline taken for {len(found)} cameras", markup=False)


# The device-password commands (cli/passwords.py) belong to this group too.
app.command("passwords")(cameras_passwords)
app.command("rotate-passwords")(cameras_rotate_passwords)
