"""Creating and migrating the database with Alembic (the only way the schema changes)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

# The revisions ship inside the package, so an installed camfleet (not only a checkout) can migrate its database.
ALEMBIC_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str | None = None) -> Config:
    """An Alembic configuration, aimed at the given (async) database URL if one is given."""
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Create or migrate the database to the newest schema. Blocking: run it outside the event loop."""
    command.upgrade(alembic_config(database_url), revision)


def check(database_url: str) -> None:
    """Raise if the models and the migrations disagree (``alembic check``)."""
    command.check(alembic_config(database_url))


async def is_current(engine: AsyncEngine) -> bool:
    """Whether the database is at the newest revision."""
    script = ScriptDirectory.from_config(alembic_config())

    def _revision(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        current = await connection.run_sync(_revision)
    return current == script.get_current_head()
