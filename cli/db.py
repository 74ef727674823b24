"""`camfleet db`: create or migrate the database."""

from __future__ import annotations

import asyncio

import typer

from cli.root import command, load_settings, out
from fleet import schema

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade")
@command
async def db_upgrade() -> None:
    """Create the database or migrate it to the newest schema."""
    settings = load_settings()
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(schema.upgrade, settings.database_url)
    out.print("database is up to date")
