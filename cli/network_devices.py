"""`camfleet network-devices`: import the switches, routers, media converters, PoE injectors and UPSes the cameras
hang on from a file, list them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.cameras import progress
from cli.root import cli_actor, command, fail, load_settings, out, unit_of_work
from fleet.cameras import importer, reading, uplinks
from fleet.cameras import service as registry
from fleet.cameras.models import NETWORK_DEVICE_TYPES, CameraStatus
from fleet.cameras.schemas import NetworkDeviceCreate
from fleet.vendor_risk import service as vendor_risk

app = typer.Typer(help="The network devices the cameras hang on.", no_args_is_help=True)


@app.command("import")
@command
async def network_devices_import(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file; see the README for its columns.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only; write nothing.")] = False,
) -> None:
    """Create or update network devices by name from a file; any invalid row imports nothing."""
    if not file.is_file():
        fail(f"{file}: no such file")
    rows = importer.read_camera_file(file, NetworkDeviceCreate)
    networks = load_settings().cameras.allowed_networks
    await importer.check_networks(rows, networks)
    with progress(len(rows), "importing") as advance:
        async with unit_of_work() as work:
            await uplinks.check_names(work.session, importer.uplink_names(rows), network_devices=True)
            if dry_run:
                out.print(f"{len(rows)} rows valid; nothing written (--dry-run)")
                return
            result = await registry.upsert_many(
                work.session,
                actor=cli_actor(),
                rows=importer.iter_cameras(rows),
                cipher=work.cipher,
                progress=advance,
                networks=networks,
            )
            await vendor_risk.reassess_all(work.session, work.settings)
    out.print(
        f"imported {len(rows)} network devices: {len(result.created)} created, "
        f"{len(result.updated)} updated, {len(result.unchanged)} unchanged"
    )


@app.command("list")
@command
async def network_devices_list(
    as_json: Annotated[bool, typer.Option("--json", help="The API's network device shape, as a JSON list.")] = False,
    status: Annotated[CameraStatus | None, typer.Option(help="Only devices with this status.")] = None,
) -> None:
    """List the network devices, each with its uplink and the number of devices hanging on it."""
    filters = registry.CameraFilter(device_type=NETWORK_DEVICE_TYPES, status=status)
    async with unit_of_work() as work:
        page = await reading.network_device_page(
            work.session, filters, page=1, size=max(1, 10**9), maintenance=frozenset()
        )
    if as_json:
        items = [d.model_dump(mode="json") for d in page.items]
        out.print(json.dumps(items, indent=2, ensure_ascii=False), markup=False)
        return
    table = Table("name", "type", "status", "site", "host", "uplink", "behind", title=f"{page.total} network devices")
    for d in page.items:
        uplink = f"{d.uplink_device} {d.uplink_port or ''}".strip() if d.uplink_device else ""
        table.add_row(d.name, d.device_type, d.status, d.site or "", d.host, uplink, str(d.devices_behind))
    out.print(table)
