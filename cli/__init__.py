"""The ``camfleet`` command: the composition root, the only place that wires every part together.

`cli.root` opens settings and the database for a command; each other module is one group of commands.
"""

from __future__ import annotations

import typer

from cli import (
    advisories,
    cameras,
    channels,
    db,
    decisions,
    demo,
    discovery,
    incidents,
    network_devices,
    passwords,
    poll,
    recorders,
    recordings,
    reports,
    serve,
    simulate,
    tickets,
    users,
)

app = typer.Typer(help="camfleet: keeps a municipality's CCTV fleet healthy and accountable.", no_args_is_help=True)
app.add_typer(db.app, name="db")
cameras.app.command("passwords")(passwords.cameras_passwords)
cameras.app.command("rotate-passwords")(passwords.cameras_rotate_passwords)
app.add_typer(cameras.app, name="cameras")
app.add_typer(recorders.app, name="recorders")
app.add_typer(network_devices.app, name="network-devices")
app.add_typer(recordings.app, name="recordings")
app.add_typer(users.users_app, name="users")
app.add_typer(users.tokens_app, name="tokens")
app.command()(serve.serve)
app.command()(serve.collector)
app.command()(poll.poll)
app.command()(simulate.simulate)
app.command()(demo.demo)
app.add_typer(channels.app, name="channels")
app.add_typer(reports.report_app, name="report")
app.add_typer(reports.export_app, name="export")
app.add_typer(decisions.app, name="decisions")
app.add_typer(incidents.app, name="incidents")
app.add_typer(tickets.app, name="tickets")
app.add_typer(advisories.app, name="advisories")
app.add_typer(discovery.app, name="discover")


def main() -> None:
    """Entry point of the console script."""
    app()
