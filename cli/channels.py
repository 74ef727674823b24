"""`camfleet channels`: where technicians' alerts go (Apprise URLs, stored encrypted)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from cli.root import cli_actor, command, fail, out, unit_of_work
from fleet.alerts import outbox
from fleet.alerts import service as alerts
from fleet.alerts.models import NotificationChannel
from fleet.alerts.schemas import ChannelIn
from fleet.faults.models import FaultKind, Severity
from notify.delivery import deliver, validate_url

app = typer.Typer(no_args_is_help=True)


@app.command("add")
@command
async def channels_add(
    name: Annotated[str, typer.Argument(help="A name people recognise, e.g. team-noord.")],
    url: Annotated[str, typer.Argument(help="An Apprise URL: mailto://…, json://…, msteams://…, slack://…")],
    area: Annotated[list[str] | None, typer.Option(help="Only cameras in this area (repeatable).")] = None,
    site: Annotated[list[str] | None, typer.Option(help="Only cameras at this site (repeatable).")] = None,
    min_severity: Annotated[Severity, typer.Option(help="The least severe fault that is sent.")] = Severity.WARNING,
    kind: Annotated[list[FaultKind] | None, typer.Option(help="Only these fault kinds (repeatable).")] = None,
    quiet: Annotated[str | None, typer.Option(help="Quiet hours, local time, e.g. 22:00-07:00.")] = None,
) -> None:
    """Add a channel; its URL is checked with Apprise and stored encrypted."""
    quiet_from, _, quiet_until = (quiet or "").partition("-")
    data = ChannelIn(
        name=name,
        url=url,
        areas=area or [],
        sites=site or [],
        min_severity=min_severity,
        fault_kinds=kind or [],
        quiet_from=quiet_from or None,
        quiet_until=quiet_until or None,
    )
    service = validate_url(url)
    async with unit_of_work() as work:
        channel = await alerts.create_channel(
            work.session, actor=cli_actor(), data=data, service=service, cipher=work.cipher
        )
    out.print(f"added channel {channel.name} ({channel.service})", markup=False)


@app.command("list")
@command
async def channels_list() -> None:
    """List the channels and their routing (never their URLs)."""
    async with unit_of_work() as work:
        found = await alerts.list_channels(work.session)
    table = Table("id", "name", "service", "areas", "sites", "min severity", "kinds", "quiet hours", "enabled")
    for c in found:
        quiet = f"{c.quiet_from}-{c.quiet_until}" if c.quiet_from else ""
        kinds = ", ".join(c.fault_kinds or [])
        table.add_row(
            str(c.id),
            c.name,
            c.service,
            ", ".join(c.areas),
            ", ".join(c.sites),
            c.min_severity,
            kinds,
            quiet,
            str(c.enabled),
        )
    out.print(table)


async def _channel_named(session: AsyncSession, name: str) -> NotificationChannel:
    for channel in await alerts.list_channels(session):
        if channel.name == name:
            return channel
    fail(f"no channel named {name}")


@app.command("test")
@command
async def channels_test(name: Annotated[str, typer.Argument(help="The channel's name.")]) -> None:
    """Send a test message now; exit 1 if the service did not take it."""
    async with unit_of_work() as work:
        channel = await _channel_named(work.session, name)
        message = outbox.test_message(channel, work.cipher, work.settings.alerts.language)
    error = await deliver(message, timeout=work.settings.alerts.send_timeout)
    if error is not None:
        fail(f"not delivered: {error}")
    out.print(f"test message delivered to {name}", markup=False)


@app.command("remove")
@command
async def channels_remove(name: Annotated[str, typer.Argument(help="The channel's name.")]) -> None:
    """Remove a channel."""
    async with unit_of_work() as work:
        channel = await _channel_named(work.session, name)
        await alerts.delete_channel(work.session, actor=cli_actor(), channel_id=channel.id)
    out.print(f"removed channel {name}", markup=False)
