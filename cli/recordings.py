"""`camfleet recordings`: legal holds on footage (placed and released by name, each audited)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from cli.root import cli_actor, command, fail, out, unit_of_work
from fleet.cameras import service as cameras
from fleet.recording import holds
from fleet.recording.schemas import LegalHoldIn
from fleet.uptime.when import parse_when

app = typer.Typer(no_args_is_help=True)


@app.command("hold")
@command
async def hold(
    camera: Annotated[str, typer.Argument(help="The camera's name.")],
    start: Annotated[str, typer.Option("--from", help="ISO date or date-time (Amsterdam time unless a zone).")],
    end: Annotated[str, typer.Option("--to", help="ISO date (through that day) or date-time.")],
    case: Annotated[str, typer.Option("--case", help="The police or court reference.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the footage is kept.")],
) -> None:
    """Hold a camera's footage of a period for an investigation: exempt from retention_exceeded until released."""
    async with unit_of_work() as work:
        found = await cameras.get_by_name(work.session, camera)
        if found is None:
            fail(f"no camera named {camera}")
        data = LegalHoldIn.model_validate(
            {
                "camera_id": found.id,
                "from": parse_when(start, field="from"),
                "to": parse_when(end, field="to", end_of_day=True),
                "case": case,
                "reason": reason,
            }
        )
        placed = await holds.place(work.session, actor=cli_actor(), camera=found, data=data)
        hold_id = placed.id
    out.print(f"legal hold {hold_id} placed on {camera} for case {case}", markup=False)


@app.command("release")
@command
async def release(hold_id: Annotated[int, typer.Argument(help="The hold's id (see `recordings holds`).")]) -> None:
    """Release a legal hold: the footage falls under the maximum retention again."""
    async with unit_of_work() as work:
        await holds.release(work.session, actor=cli_actor(), hold_id=hold_id, now=datetime.now(UTC))
    out.print(f"legal hold {hold_id} released", markup=False)


@app.command("holds")
@command
async def list_holds(
    every: Annotated[bool, typer.Option("--all", help="Also the released ones.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The API's hold shape, as a JSON list.")] = False,
) -> None:
    """The legal holds, newest first."""
    async with unit_of_work() as work:
        found = await holds.listed(work.session, current=not every)
    if as_json:
        out.print(json.dumps([h.model_dump(mode="json") for h in found], indent=2, ensure_ascii=False), markup=False)
        return
    table = Table("id", "camera", "from", "to", "case", "placed by", "released", title=f"{len(found)} legal holds")
    for h in found:
        released = h.released_at.isoformat() if h.released_at else ""
        table.add_row(
            str(h.id), h.camera_name, h.starts_at.isoformat(), h.ends_at.isoformat(), h.case_ref, h.placed_by, released
        )
    out.print(table)
