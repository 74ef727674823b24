"""`camfleet decisions`: the register of mayoral decisions on camera areas and flexible cameras."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.root import cli_actor, command, fail, out, unit_of_work
from fleet.decisions import importer as decision_importer
from fleet.decisions import service as decisions
from fleet.decisions.models import DecisionKind

app = typer.Typer(help="Mayoral decisions on camera areas and flexible cameras.", no_args_is_help=True)


@app.command("import")
@command
async def decisions_import(
    file: Annotated[Path, typer.Argument(help="A .csv file with the columns of decisions-2023.csv.")],
) -> None:
    """Register the decisions of a file; any invalid row imports nothing, register warnings are printed."""
    if not file.is_file():
        fail(f"{file}: no such file")
    rows = decision_importer.read_decision_file(file)
    async with unit_of_work() as work:
        result = await decisions.import_rows(work.session, actor=cli_actor(), rows=rows)
    for warning in result.warnings:
        out.print(str(warning), markup=False)
    out.print(
        f"imported {len(rows)} rows: {len(result.created)} decisions registered, "
        f"{result.already_registered} already registered, {len(result.warnings)} warnings"
    )


@app.command("list")
@command
async def decisions_list(
    year: Annotated[int | None, typer.Option(help="Only decisions decided or starting in this year.")] = None,
    kind: Annotated[DecisionKind | None, typer.Option(help="Only decisions of this kind.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """The registered decisions, newest first."""
    async with unit_of_work() as work:
        rows, _total = await decisions.list_decisions(work.session, page=1, size=1_000_000, year=year, kind=kind)
        shaped = await decisions.shaped(work.session, rows)
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
