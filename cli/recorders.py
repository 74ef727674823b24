"""`camfleet recorders`: import the recorders (NVRs, recording servers) from a file, list them."""

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
from fleet.cameras.models import CameraStatus, DeviceType
from fleet.cameras.schemas import RecorderCreate

app = typer.Typer(no_args_is_help=True)


@app.command("import")
@command
async def recorders_import(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file; see the README for its columns.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only; write nothing.")] = False,
) -> None:
    """Create or update recorders by name from a file; any invalid row imports nothing."""
    await import_devices(file, RecorderCreate, "recorders", dry_run=dry_run)


@app.command("list")
@command
async def recorders_list(
    as_json: Annotated[bool, typer.Option("--json", help="The API's recorder shape, as a JSON list.")] = False,
    status: Annotated[CameraStatus | None, typer.Option(help="Only recorders with this status.")] = None,
) -> None:
    """List the recorders, each with the number of cameras it records."""
    filters = CameraFilter(device_type=DeviceType.RECORDER, status=status)
    async with unit_of_work() as work:
        page = await reading.recorder_page(work.session, filters, page=1, size=max(1, 10**9), maintenance=frozenset())
    if as_json:
        items = [r.model_dump(mode="json") for r in page.items]
        out.print(json.dumps(items, indent=2, ensure_ascii=False), markup=False)
        return
    table = Table("name", "status", "site", "host", "declared", "cameras", "risk", title=f"{page.total} recorders")
    for r in page.items:
        declared = " ".join(x for x in (r.declared_manufacturer, r.declared_model) if x)
        table.add_row(r.name, r.status, r.site or "", r.host, declared, str(r.cameras), r.risk.level)
    out.print(table)
