"""`camfleet cameras passwords` and `cameras rotate-passwords`: device passwords, never shown."""

from __future__ import annotations

import json
import os
import socket
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from cli.root import cli_actor, command, fail, opened, out, unit_of_work
from fleet.cameras.models import Camera
from fleet.db import utcnow
from fleet.passwords import service as passwords


@command
async def cameras_passwords(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Which cameras share a password, use a factory user name, or have an old one; no password is shown."""
    async with unit_of_work() as work:
        report = await passwords.password_report(
            work.session,
            cipher=work.cipher,
            actor=cli_actor(),
            now=utcnow(),
            max_age=work.settings.cameras.password_max_age,
        )
    if as_json:
        out.print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False), markup=False)
        return
    table = Table("camera", "vendor", "user", "factory user name", "shares its password with", "age (days)")
    for row in report.cameras:
        age = "" if row.age_days is None else f"{row.age_days}{' (too old)' if row.too_old else ''}"
        table.add_row(
            row.camera,
            row.vendor or "",
            row.username,
            "yes" if row.default_username else "",
            ", ".join(row.shared_with),
            age,
        )
    out.print(table)
    totals = report.as_dict()["totals"]
    out.print(
        f"{totals['cameras']} cameras with an ONVIF login: {totals['sharing']} share a password, "
        f"{totals['default_username']} use a factory user name, {totals['too_old']} older than "
        f"{report.max_age_days} days",
        markup=False,
    )


@command
async def cameras_rotate_passwords(
    names: Annotated[list[str] | None, typer.Argument(help="Cameras by name (or --all).")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every in-service camera with an ONVIF login.")] = False,
    batch_size: Annotated[
        int | None, typer.Option(help="Cameras at once after the first (default cameras.rotation_batch_size).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run as JSON.")] = False,
) -> None:
    """Give cameras new passwords over ONVIF SetUser (or Hikvision ISAPI where ONVIF has no user service): staged,
    each proven before it is stored, put back on failure."""
    if bool(names) == every:
        fail("name the cameras, or give --all")
    async with opened() as root:
        async with root.database.unit_of_work() as session:
            if every:
                camera_ids = await passwords.rotatable(session)
            else:
                query = select(Camera.name, Camera.id).where(Camera.name.in_(names or []))
                found = dict((await session.execute(query)).all())
                if missing := sorted(set(names or []) - set(found)):
                    fail(f"no camera named {', '.join(missing)}")
                camera_ids = list(found.values())
            run = await passwords.request_rotation(
                session,
                actor=cli_actor(),
                camera_ids=camera_ids,
                batch_size=batch_size or root.settings.cameras.rotation_batch_size,
                at=utcnow(),
            )
        # Imported here: the protocol libraries cost a CLI start, and onvif-zeep-async configures logging on import.
        from collectors.registry import Collectors
        from scheduler.rotation import run_pending

        async with Collectors.for_settings(root.settings) as collectors:
            finished = await run_pending(
                root.database,
                root.cipher,
                collectors.account_transports,
                owner=f"cli:{socket.gethostname()}:{os.getpid()}",
                lease=root.settings.cameras.rotation_lease,
                run_id=run.id,
            )
        if finished is None:
            fail(f"password rotation {run.id} was taken over by a collector")
        async with root.database.unit_of_work() as session:
            shaped = passwords.shaped_run(finished, await passwords.camera_names(session, finished.camera_ids))
    if as_json:
        out.print(json.dumps(shaped, indent=2, ensure_ascii=False), markup=False)
        return
    for camera in shaped["cameras"]:
        out.print(f"{camera['camera']}: {camera['outcome']}", markup=False)
    counts: dict[str, int] = {}
    for camera in shaped["cameras"]:
        counts[camera["outcome"]] = counts.get(camera["outcome"], 0) + 1
    summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items()))
    stopped = f"; stopped: {finished.stop_reason}" if finished.stop_reason else ""
    out.print(f"password rotation {finished.id} {finished.status.value}: {summary}{stopped}", markup=False)
