"""`camfleet tickets`: repair tickets, listed, shown and moved along."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from cli.root import cli_actor, command, fail, out, unit_of_work
from fleet.db import utcnow
from fleet.tickets import history, reading, workflow
from fleet.tickets.models import TicketStatus
from fleet.tickets.schemas import TicketOut
from fleet.users import service as users

app = typer.Typer(no_args_is_help=True)

TicketId = Annotated[int, typer.Argument(help="The ticket number.")]


def _print_ticket(ticket: TicketOut) -> None:
    assignee = ticket.assignee or "nobody"
    out.print(
        f"ticket {ticket.id} [{ticket.priority}] {ticket.status}: {ticket.title} "
        f"(camera {ticket.camera_name or '-'}, assignee {assignee}, "
        f"response due {ticket.response_due_at:%Y-%m-%d %H:%M}Z, "
        f"resolution due {ticket.resolution_due_at:%Y-%m-%d %H:%M}Z)",
        markup=False,
    )


@app.command("list")
@command
async def tickets_list(
    as_json: Annotated[bool, typer.Option("--json", help="The API's ticket shape, as a JSON list.")] = False,
    everything: Annotated[bool, typer.Option("--all", help="Resolved and closed tickets too.")] = False,
    status: Annotated[TicketStatus | None, typer.Option(help="Only tickets with this status.")] = None,
) -> None:
    """List the open tickets (all with --all), newest first."""
    filters = reading.TicketFilter(open=None if everything or status else True, status=status)
    async with unit_of_work() as work:
        rows, total = await reading.list_tickets(work.session, filters=filters, page=1, size=max(1, 10**9))
        shaped = await reading.to_out(work.session, rows)
    if as_json:
        out.print(json.dumps([t.model_dump(mode="json") for t in shaped], indent=2, ensure_ascii=False), markup=False)
        return
    table = Table("id", "priority", "status", "camera", "title", "assignee", "resolution due", title=f"{total} tickets")
    for t in shaped:
        due = f"{t.resolution_due_at:%Y-%m-%d %H:%M}Z"
        table.add_row(str(t.id), t.priority, t.status, t.camera_name or "", t.title, t.assignee or "", due)
    out.print(table)


@app.command("show")
@command
async def tickets_show(
    ticket_id: TicketId,
    as_json: Annotated[bool, typer.Option("--json", help="The API's ticket shape with its history.")] = False,
) -> None:
    """Show a ticket with its history."""
    async with unit_of_work() as work:
        ticket = await reading.detail(work.session, await history.get_or_raise(work.session, ticket_id))
    if as_json:
        out.print(json.dumps(ticket.model_dump(mode="json"), indent=2, ensure_ascii=False), markup=False)
        return
    _print_ticket(ticket)
    out.print(f"faults: {', '.join(map(str, ticket.fault_ids)) or '-'}; cost: {ticket.cost_cents / 100:.2f} EUR")
    for event in ticket.history:
        change = " -> ".join(x for x in (event.from_value, event.to_value) if x)
        line = f"  {event.at:%Y-%m-%d %H:%M}Z {event.actor} {event.kind} {change} {event.text or ''}"
        out.print(line.rstrip(), markup=False)


@app.command("assign")
@command
async def tickets_assign(
    ticket_id: TicketId,
    username: Annotated[str, typer.Argument(help="An active technician (or higher).")],
) -> None:
    """Give a ticket to a technician."""
    async with unit_of_work() as work:
        user = await users.get_by_username_or_raise(work.session, username)
        ticket = await workflow.assign(
            work.session,
            actor=cli_actor(),
            ticket_id=ticket_id,
            assignee_id=user.id,
            now=utcnow(),
            settings=work.settings,
        )
        shown = await reading.detail(work.session, ticket)
    _print_ticket(shown)


@app.command("comment")
@command
async def tickets_comment(
    ticket_id: TicketId,
    text: Annotated[str, typer.Argument(help="The comment or work-log entry.")],
) -> None:
    """Add a comment or work-log entry to a ticket."""
    if not text.strip():
        fail("the comment is empty")
    async with unit_of_work() as work:
        await workflow.comment(work.session, actor=cli_actor(), ticket_id=ticket_id, text=text, now=utcnow())
    out.print(f"comment added to ticket {ticket_id}")


@app.command("resolve")
@command
async def tickets_resolve(
    ticket_id: TicketId,
    note: Annotated[str | None, typer.Option(help="What was done.")] = None,
) -> None:
    """Mark a ticket resolved."""
    async with unit_of_work() as work:
        ticket = await workflow.resolve(
            work.session, actor=cli_actor(), ticket_id=ticket_id, now=utcnow(), settings=work.settings, note=note
        )
        shown = await reading.detail(work.session, ticket)
    _print_ticket(shown)


@app.command("close")
@command
async def tickets_close(
    ticket_id: TicketId,
    note: Annotated[str | None, typer.Option(help="Why it can be closed.")] = None,
) -> None:
    """Close a resolved ticket."""
    async with unit_of_work() as work:
        ticket = await workflow.close(
            work.session, actor=cli_actor(), ticket_id=ticket_id, now=utcnow(), settings=work.settings, note=note
        )
        shown = await reading.detail(work.session, ticket)
    _print_ticket(shown)
