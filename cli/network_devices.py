"""`camfleet network-devices`: import the switches, routers, media converters, PoE injectors and UPSes the cameras
hang on from a file, list them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.cameras import import_devices
from cli.root import command, out, unit_of_work
from fleet.cameras import reading
from fleet.cameras.filters import CameraFilter
from fleet.cameras.models import NETWORK_DEVICE_TYPES, CameraStatus
from fleet.cameras.schemas import NetworkDeviceCreate

app = typer.Typer(no_args_is_help=True)


@app.command("import")
@command
async def network_devices_import(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file; see the README for its columns.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only; write nothing.")] = False,
) -> None:
    """Create or update network devices by name from a file; any invalid row imports nothing."""
    await import_devices(file, NetworkDeviceCreate, "network devices", dry_run=dry_run)


@app.command("list")
@command
async def network_devices_list(
    as_json: Annotated[bool, typer.Option("--json", help="The API's network device shape, as a JSON list.")] = False,
    status: Annotated[CameraStatus | None, typer.Option(help="Only devices with this status.")] = None,
) -> None:
    """List the network devices, each with its uplink and the number of devices hanging on it."""
    filters = CameraFilter(device_type=NETWORK_DEVICE_TYPES, status=status)
    async with unit_of_work() as work:
        page = await reading.network_device_page(work.session, filters, page=1, size=10**9, maintenance=frozenset())
    if as_json:
        items = [d.model_dump(mode="json") for d in page.items]
        out.print(json.dumps(items, indent=2, ensure_ascii=False), markup=False)
        return
    table = Table("name", "type", "status", "site", "host", "uplink", "behind", title=f"{page.total} network devices")
    for d in page.items:
        uplink = f"{d.uplink_device} {d.uplink_port or ''}".strip() if d.uplink_device else ""
        table.add_row(d.name, d.device_type, d.status, d.site or "", d.host, uplink, str(d.devices_behind))
    out.print(table)
