"""`camfleet simulate`: simulated cameras for a fleet file, until interrupted."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from cli.root import err


def simulate(
    fleet: Annotated[Path, typer.Option(help="Fleet CSV: one simulated camera per row, on its host and ports.")],
    control: Annotated[
        str | None, typer.Option(help="Serve the control API on this loopback HOST:PORT (see simulator/README.md).")
    ] = None,
    snapshot_size: Annotated[str, typer.Option(help="Snapshot size WIDTHxHEIGHT.")] = "1920x1080",
) -> None:
    """Simulate a camera for every row of a fleet file until interrupted."""
    from simulator.fleet import parse_host_port, run
    from simulator.spec import FleetFileError

    try:
        address = parse_host_port(control) if control else None
        width, _, height = snapshot_size.lower().partition("x")
        size = (int(width), int(height))
    except ValueError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from exc
    if not fleet.is_file():
        err.print(f"error: {fleet}: no such file", markup=False)
        raise typer.Exit(1)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        run(fleet, address, snapshot_size=size)
    except (FleetFileError, OSError) as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from exc
