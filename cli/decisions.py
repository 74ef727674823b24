"""`camfleet decisions`: the register of mayoral decisions on camera areas and flexible cameras."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.root import cli_actor, command, err, fail, language, out, unit_of_work
from config.zone import LOCAL
from fleet.db import utcnow
from fleet.decisions import compliance
from fleet.decisions import importer as decision_importer
from fleet.decisions import service as decisions
from fleet.decisions.models import DecisionKind
from fleet.errors import ImportRejected

app = typer.Typer(no_args_is_help=True)


@app.command("import")
@command
async def decisions_import(
    file: Annotated[Path, typer.Argument(help="A .csv file with the columns of decisions-2023.csv.")],
    lang: Annotated[str, typer.Option(help="en (default) or nl: the language of the problems found.")] = "en",
) -> None:
    """Register the decisions of a file; any invalid row imports nothing, register warnings are printed."""
    in_language = language(lang)
    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        rows = decision_importer.read_decision_file(file, language=in_language)
    except ImportRejected as exc:
        for problem in exc.problems:
            err.print(problem.said(in_language), markup=False)
        fail(exc.said(in_language))
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


def _finding(finding: compliance.Finding) -> dict[str, object]:
    return {
        "camera": finding.camera,
        "camera_id": finding.camera_id,
        "status": finding.status.value,
        "fault": finding.kind.value,
        "since": finding.since.isoformat(),
        "registrations": finding.registrations,
    }


def outcome_line(outcome: compliance.Outcome) -> str:
    """One line on what a compliance check found (``decisions check`` and ``poll`` print it)."""
    return (
        f"decision compliance: {outcome.flexible} flexible cameras in service, {len(outcome.findings)} running "
        f"outside a decision ({outcome.opened} new warnings, {outcome.closed} cleared)"
    )


@app.command("check")
@command
async def decisions_check(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of lines.")] = False,
) -> None:
    """Check the flexible cameras against their decisions now, as the scheduled check does; print each camera
    running outside a decision. Findings are results, not errors: the exit status is 0."""
    async with unit_of_work() as work:
        outcome = await compliance.check(work.session, now=utcnow(), settings=work.settings)
    if as_json:
        body = {
            "flexible": outcome.flexible,
            "opened": outcome.opened,
            "closed": outcome.closed,
            "findings": [_finding(f) for f in outcome.findings],
        }
        out.print(json.dumps(body, indent=2, ensure_ascii=False), markup=False)
        return
    for f in outcome.findings:
        linked = ", ".join(f.registrations) or "no decision linked"
        since = f.since.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
        out.print(f"{f.kind.value}: {f.camera} ({f.status.value}) since {since}; {linked}", markup=False)
    out.print(outcome_line(outcome))
