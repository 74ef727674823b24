"""Alembic environment: async engines for SQLite and PostgreSQL, URL from camfleet settings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from alembic import context
from sqlalchemy import JSON, Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from config.settings import get_settings
from fleet.db import UTCDateTime, create_engine
from fleet.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    # camfleet's own commands pass the URL in; a bare `alembic` call reads the settings.
    url = config.get_main_option("sqlalchemy.url")
    return url or get_settings().database_url


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render camfleet's column types as plain SQLAlchemy types, so revisions do not import camfleet."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, JSON):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
    return False


def _compared_on(dialect: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Which objects autogenerate compares on this engine: not an index the models spell for the other engine only
    (``ddl_if(dialect=...)``), nor the search's trigram indexes, which a migration makes only where PostgreSQL
    offers pg_trgm (the models cannot say that)."""

    def compared(item: Any, name: str | None, type_: str, reflected: bool, _compare_to: Any) -> bool:
        if type_ != "index":
            return True
        if reflected:
            return not (name or "").startswith("trgm_")
        only = getattr(item, "_ddl_if", None)
        return only is None or only.dialect in (None, dialect)

    return compared


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
        include_object=_compared_on(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    asyncio.run(_run_async(create_engine(_url(), migrations=True)))


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
