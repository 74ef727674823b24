"""`camfleet incidents`: the observers' incident register (their annual table, as they keep it today)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.root import cli_actor, command, err, fail, language, out, unit_of_work
from fleet.errors import ImportRejected
from fleet.incidents import service
from fleet.incidents.importer import read_tally_file

app = typer.Typer(no_args_is_help=True)


@app.command("import")
@command
async def incidents_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="A .csv or .xlsx table: Omschrijving incident, Totaal aantal YYYY (YYYY), Waarvan aantal, Opmerking."
        ),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the file only; write nothing.")] = False,
    lang: Annotated[str, typer.Option(help="en (default) or nl: the language of the problems found.")] = "en",
) -> None:
    """Import the observers' annual table; any problem imports nothing and is printed by line."""
    in_language = language(lang)
    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        table = read_tally_file(file)
        async with unit_of_work() as work:
            count = await service.import_tallies(work.session, actor=cli_actor(), table=table)
            if dry_run:
                await work.session.rollback()
    except ImportRejected as exc:
        for problem in exc.problems:
            err.print(problem.said(in_language), markup=False)
        fail(exc.said(in_language))
    done = "checked" if dry_run else "imported"
    out.print(f"{done} {count} lines of {table.year}", markup=False)


@app.command("categories")
@command
async def incidents_categories() -> None:
    """The category list in its order (retired ones marked)."""
    async with unit_of_work() as work:
        listed = await service.categories(work.session)
    for category in listed:
        out.print(f"{category.position:>3}  {category.name}{'' if category.active else '  (retired)'}", markup=False)
