"""`camfleet poll`: every check once now, recorded exactly as the scheduled polls record them."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer

from cli.decisions import outcome_line
from cli.root import command, configure_logging, fail, load_settings, opened, out
from fleet.cameras import service as cameras
from fleet.cameras.models import CameraStatus
from fleet.health.status import status_counts


@command
async def poll(
    camera: Annotated[list[str] | None, typer.Option(help="Only this camera (repeatable).")] = None,
    group: Annotated[str | None, typer.Option(help="Only this poller group.")] = None,
) -> None:
    """Run every check once now for the selected cameras and record the results as scheduled polls do; then the
    decision compliance check (of every flexible camera), as the scheduler runs it."""
    from collectors.registry import Collectors
    from scheduler.jobs import check_compliance, collector_name
    from scheduler.polling import Poller

    settings = load_settings()
    configure_logging(settings)
    logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
    async with opened(settings) as root:
        if camera:
            async with root.database.unit_of_work() as session:
                unknown = [name for name in camera if await cameras.get_by_name(session, name) is None]
            if unknown:
                fail(f"no camera named {', '.join(unknown)}")
        async with Collectors.for_settings(settings) as collectors:
            poller = Poller(
                root.database, settings, collectors, root.cipher, owner=collector_name(group), poller_group=group
            )
            try:
                summary = await poller.tick(names=camera, everything=True)
            except asyncio.CancelledError:  # Ctrl-C: the checks not yet recorded are others' to run at once
                await poller.release()
                raise
        async with root.database.unit_of_work() as session:
            counts = await status_counts(session, poller_group=group, names=camera)
        outcome = await check_compliance(root.database, settings)
    if not summary.checks:
        out.print("no cameras to poll (none in service in that selection)")
        out.print(outcome_line(outcome))
        return
    out.print(
        f"polled {len(summary.cameras)} cameras ({summary.checks} checks, {summary.failed} failed): "
        + ", ".join(f"{counts[s]} {s.value}" for s in (CameraStatus.UP, CameraStatus.DEGRADED, CameraStatus.DOWN))
        + f"; {len(summary.status_changes)} status changes"
    )
    out.print(outcome_line(outcome))
