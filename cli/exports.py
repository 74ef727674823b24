"""`camfleet export`: files for the tender and the annual review."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from cli.root import command, fail, language, out, unit_of_work
from config.zone import LOCAL
from fleet.cameras import fibre
from fleet.inventory.export import ExportFormat
from fleet.inventory.export import render as render_inventory
from fleet.inventory.service import build_inventory

app = typer.Typer(no_args_is_help=True)


@app.command("inventory")
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
    in_language = language(lang)
    async with unit_of_work() as work:
        rows = await build_inventory(work.session, settings=work.settings, as_of=day)
    output.write_bytes(render_inventory(rows, format, day, in_language))
    out.print(f"wrote {len(rows)} cameras to {output} ({format.value}, as of {day})", markup=False)


@app.command("fibre-rollout")
@command
async def export_fibre_rollout(
    format: Annotated[fibre.RolloutFormat, typer.Option(help="xlsx, csv or json.")],
    output: Annotated[Path, typer.Option(help="The file to write.")],
) -> None:
    """The cameras still on copper or 4G inside the fibre area (setting network.fibre_area)."""
    async with unit_of_work() as work:
        area = fibre.load_area(work.settings.network.fibre_area)
        rollout = await fibre.still_to_move(work.session, area)
    output.write_bytes(fibre.render(rollout, format, fibre_area=str(work.settings.network.fibre_area)))
    out.print(
        f"wrote {len(rollout.rows)} cameras to move onto fibre to {output} ({format.value}); "
        f"{rollout.unplaced} on copper or 4G without coordinates",
        markup=False,
    )
