"""`camfleet advisories`: CISA's Known Exploited Vulnerabilities catalogue, imported from a downloaded file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.root import cli_actor, command, fail, out, unit_of_work
from fleet.advisories import service as advisories
from fleet.advisories.kev import read_kev
from fleet.db import utcnow

app = typer.Typer(no_args_is_help=True)


@app.command("import")
@command
async def advisories_import(
    file: Annotated[Path, typer.Argument(help="known_exploited_vulnerabilities.json as downloaded from CISA.")],
) -> None:
    """Replace the stored catalogue with the file's and match every camera again; a bad file writes nothing."""
    if not file.is_file():
        fail(f"{file}: no such file")
    kev = read_kev(file)
    async with unit_of_work() as work:
        outcome = await advisories.import_catalogue(
            work.session, actor=cli_actor(), kev=kev, at=utcnow(), settings=work.settings
        )
    out.print(
        f"imported catalogue {kev.catalogue.catalog_version} ({outcome.entries} vulnerabilities, "
        f"{outcome.for_known_vendors} of camera vendors camfleet knows): {outcome.cameras_matched} cameras match; "
        f"vulnerability_exploited: {outcome.opened} opened, {outcome.closed} closed",
        markup=False,
    )


@app.command("list")
@command
async def advisories_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """The catalogue in force and the cameras with an open vulnerability_exploited fault."""
    async with unit_of_work() as work:
        latest = await advisories.latest_import(work.session)
        faults = await advisories.open_faults(work.session)
        shaped = [advisories.shaped(fault, name) for fault, name in faults]
    catalogue = None
    if latest is not None:
        catalogue = {
            "catalog_version": latest.catalog_version,
            "date_released": latest.date_released.isoformat(),
            "count": latest.count,
            "file_name": latest.file_name,
            "sha256": latest.sha256,
            "imported_at": latest.imported_at.isoformat(),
            "imported_by": latest.imported_by,
        }
    if as_json:
        out.print(json.dumps({"catalogue": catalogue, "cameras": shaped}, indent=2, ensure_ascii=False), markup=False)
        return
    if catalogue is None:
        out.print("no catalogue imported yet: camfleet advisories import FILE")
    else:
        out.print(
            f"catalogue {catalogue['catalog_version']} of {catalogue['date_released']} ({catalogue['count']} entries), "
            f"imported {catalogue['imported_at']} by {catalogue['imported_by']} from {catalogue['file_name']}",
            markup=False,
        )
    table = Table("camera", "CVEs", "deadline", "confidence", "firmware")
    for row in shaped:
        table.add_row(
            row["camera"], ", ".join(row["cve_ids"]), row["deadline"], row["confidence"], row["firmware"] or ""
        )
    out.print(table)
