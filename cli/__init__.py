"""The ``camfleet`` command: the composition root, the only place that wires every part together.

`cli.root` opens settings and the database for a command; each other module is one group of commands (or a command
of its own). COMMANDS names them, and a module is imported only when one of its commands runs or shows its own help:
each command pays for its own imports, not for every other command's (the spreadsheet, geometry, chart and catalogue
modules together took a second of every start), and `camfleet --help` is listed from COMMANDS alone.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, NamedTuple

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_group

if TYPE_CHECKING:
    from typer._click import Command, Context  # the click that Typer's groups are made of (it carries its own)


class Entry(NamedTuple):
    """A top-level command: where it is defined, and what it does in one line."""

    target: str  # "module:attribute", a Typer app (a group of commands) or a command function
    help: str  # the line `camfleet --help` shows for it, and its own help


COMMANDS: dict[str, Entry] = {
    "serve": Entry(
        "cli.serve:serve", "Serve the API and pages, with the scheduler, collectors and alert dispatcher in-process."
    ),
    "collector": Entry(
        "cli.serve:collector", "Run the scheduler and collectors only (next to the cameras' network), until stopped."
    ),
    "poll": Entry(
        "cli.poll:poll",
        "Run every check once now for the selected cameras and record the results as scheduled polls do; then the "
        "decision compliance check (of every flexible camera), as the scheduler runs it.",
    ),
    "simulate": Entry("cli.simulate:simulate", "Simulate a camera for every row of a fleet file until interrupted."),
    "demo": Entry(
        "cli.demo:demo",
        "Everything at once on a fresh SQLite database: the illustrative fleet, simulated, polled and served.",
    ),
    "db": Entry("cli.db:app", "Create or migrate the database."),
    "cameras": Entry("cli.cameras:app", "The camera registry."),
    "recorders": Entry("cli.recorders:app", "The recorders that keep the cameras' footage."),
    "network-devices": Entry("cli.network_devices:app", "The network devices the cameras hang on."),
    "recordings": Entry("cli.recordings:app", "Footage: legal holds that keep it beyond the maximum retention."),
    "users": Entry("cli.users:users_app", "Users and their roles."),
    "tokens": Entry("cli.users:tokens_app", "API tokens."),
    "channels": Entry("cli.channels:app", "Notification channels (Apprise URLs) for technicians' alerts."),
    "report": Entry("cli.reports:app", "Reports for the annual review."),
    "export": Entry("cli.exports:app", "Exports for the tender and the annual review."),
    "decisions": Entry("cli.decisions:app", "Mayoral decisions on camera areas and flexible cameras."),
    "incidents": Entry("cli.incidents:app", "The camera observers' incident register."),
    "tickets": Entry("cli.tickets:app", "Repair tickets."),
    "advisories": Entry("cli.advisories:app", "Known exploited vulnerabilities (CISA KEV) matched to the cameras."),
    "discover": Entry("cli.discovery:app", "Find devices on the network that nobody registered."),
}


def load(name: str) -> Command:
    """The top-level command NAME, its module imported now."""
    entry = COMMANDS[name]
    module, _, attribute = entry.target.partition(":")
    target = getattr(importlib.import_module(module), attribute)
    holder = typer.Typer()
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name, help=entry.help)
    else:
        holder.command(name, help=entry.help)(target)
    return get_group(holder).commands[name]


class Commands(TyperGroup):
    """camfleet's top-level commands: listed (for help, suggestions and completion) from COMMANDS, each loaded from
    its module only once it is chosen to run."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = {name: TyperCommand(name, help=entry.help) for name, entry in COMMANDS.items()}

    def resolve_command(self, ctx: Context, args: list[str]) -> tuple[str | None, Command | None, list[str]]:
        """The chosen command, loaded, and its arguments."""
        name, _listed, rest = super().resolve_command(ctx, args)
        return name, load(name) if name is not None else None, rest


app = typer.Typer(cls=Commands, no_args_is_help=True)


@app.callback()
def camfleet() -> None:
    """camfleet: keeps a municipality's CCTV fleet healthy and accountable."""


def main() -> None:
    """Entry point of the console script."""
    app()
