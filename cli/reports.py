"""`camfleet report`: documents for the annual review."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from cli.root import command, fail, language, out, unit_of_work
from fleet.db import utcnow
from fleet.discovery import export as discovery_export
from fleet.discovery import report as discovery_report
from fleet.uptime import export as uptime_export
from fleet.uptime.precision import edges_s
from fleet.uptime.service import GroupBy, uptime_report
from fleet.uptime.when import parse_when

app = typer.Typer(no_args_is_help=True)


@app.command("uptime")
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
    in_language = language(lang)
    period = (parse_when(from_, field="--from"), parse_when(to, field="--to", end_of_day=True))
    if period[1] <= period[0]:
        fail("--to must be after --from")
    async with unit_of_work() as work:
        if format in ("html", "pdf"):
            from fleet.reports.uptime import uptime_document  # charts and templates: only for documents

            document = await uptime_document(
                work.session,
                period=period,
                by=by,
                now=utcnow(),
                language=in_language,
                scheduler=work.settings.scheduler,
                recording=work.settings.recording,
            )
        else:
            rows = await uptime_report(
                work.session, period=period, by=by, now=utcnow(), recording=work.settings.recording
            )
    if format == "html":
        output.write_text(document.html, encoding="utf-8")
    elif format == "pdf":
        output.write_bytes(await asyncio.to_thread(document.pdf))
    else:
        edges = edges_s(work.settings.scheduler)
        if format == "csv":
            data = uptime_export.to_csv(rows, edges_s=edges)
        else:
            data = uptime_export.to_json(rows, period=period, by=by, edges_s=edges)
        output.write_bytes(data)
    out.print(f"wrote the uptime report to {output} ({format})", markup=False)


@app.command("annual")
@command
async def report_annual(
    year: Annotated[int, typer.Option(help="The calendar year.", min=2000, max=2100)],
    output: Annotated[Path, typer.Option(help="The file to write.")],
    format: Annotated[str, typer.Option(help="html, pdf or docx (editable, for the municipality's report).")] = "pdf",
    lang: Annotated[str, typer.Option(help="nl (default) or en.")] = "nl",
) -> None:
    """The camera chapter of the annual report: composition, availability, maintenance, risk, firmware, decisions."""
    if format not in ("html", "pdf", "docx"):
        fail(f"--format {format}: use html, pdf or docx")
    in_language = language(lang)
    from fleet.reports.annual import annual_document  # charts and templates: a third of every start-up otherwise

    async with unit_of_work() as work:
        document = await annual_document(
            work.session, year=year, settings=work.settings, now=utcnow(), language=in_language
        )
    if format == "html":
        output.write_text(document.html, encoding="utf-8")
    elif format == "docx":
        output.write_bytes(await asyncio.to_thread(document.docx))
    else:
        output.write_bytes(await asyncio.to_thread(document.pdf))
    out.print(f"wrote the {year} annual report to {output} ({format})", markup=False)


@app.command("reconciliation")
@command
async def report_reconciliation(
    output: Annotated[Path, typer.Option(help="The file to write.")],
    format: Annotated[str, typer.Option(help="xlsx or json.")] = "xlsx",
    lang: Annotated[str, typer.Option(help="en (default) or nl: the workbook's headings and words.")] = "en",
) -> None:
    """The registry against the network: devices found but not registered, registered but not found, moved, swapped."""
    if format not in ("xlsx", "json"):
        fail(f"--format {format}: use xlsx or json")
    in_language = language(lang)
    async with unit_of_work() as work:
        found = await discovery_report.build(work.session, work.settings, now=utcnow())
    if format == "xlsx":
        output.write_bytes(await asyncio.to_thread(discovery_export.to_xlsx, found, in_language))
    else:
        output.write_text(found.model_dump_json(indent=2), encoding="utf-8")
    counts = (len(found.unregistered), len(found.missing), len(found.moved), len(found.swapped))
    out.print(
        "wrote the reconciliation to {}: {} not registered, {} not found, {} moved, {} swapped".format(output, *counts),
        markup=False,
    )
