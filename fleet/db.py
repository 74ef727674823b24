"""Database plumbing: the declarative base, UTC timestamps, engines and units of work."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from annotated_types import Interval
from sqlalchemy import JSON, DateTime, Dialect, Enum, MetaData, event, func, make_url, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from config.settings import DatabaseSettings, Settings

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Row ids are INTEGER columns (32-bit on PostgreSQL): an id outside this range names no row and is refused as
# input (422) rather than reaching the database driver, which cannot even bind it.
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Interval(ge=1, le=MAX_ROW_ID)]


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; camfleet stores timezone-aware UTC only")
        value = value.astimezone(UTC)
        # SQLite keeps text; drop the offset so values compare and sort as plain UTC strings.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


def enum_column(enum: type[StrEnum], length: int = 24) -> Enum:
    """A StrEnum stored as its value in a VARCHAR, so adding members needs no type migration."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _seconds(duration: timedelta) -> float:
    return duration.total_seconds()


def _milliseconds(duration: timedelta) -> str:
    return str(int(duration.total_seconds() * 1000))


def _sqlite_pragmas(limits: DatabaseSettings) -> Callable[[Any, ConnectionPoolEntry], None]:
    def on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={_milliseconds(limits.lock_timeout)}")
        cursor.close()

    return on_connect


def _private_sqlite_file(url: str) -> None:
    """Create the database file readable by its owner only; SQLite gives its -wal and -shm files the same mode."""
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        if os.stat(path).st_mode & 0o077:
            log.warning("database file %s can be read by other users of this machine: chmod 600 it", path)
        return
    os.close(descriptor)


def _postgres_arguments(limits: DatabaseSettings, *, migrations: bool) -> dict[str, Any]:
    """asyncpg's connection arguments: time limits on both sides, and keepalives so a dead peer is noticed."""
    server = {
        "lock_timeout": _milliseconds(limits.lock_timeout),
        "idle_in_transaction_session_timeout": _milliseconds(limits.idle_in_transaction_timeout),
        "tcp_keepalives_idle": str(int(_seconds(limits.keepalive_idle))),
        "tcp_keepalives_interval": str(int(_seconds(limits.keepalive_interval))),
        "tcp_keepalives_count": str(limits.keepalive_count),
    }
    arguments: dict[str, Any] = {"timeout": _seconds(limits.connect_timeout), "server_settings": server}
    if not migrations:
        # A migration of a large fleet may rightly run longer than any statement of normal work.
        server["statement_timeout"] = _milliseconds(limits.statement_timeout)
        arguments["command_timeout"] = _seconds(limits.statement_timeout)
    return arguments


def create_engine(url: str, limits: DatabaseSettings | None = None, *, migrations: bool = False) -> AsyncEngine:
    """An async engine for the URL with the database time limits; SQLite tuned for one writer and many readers."""
    limits = limits or DatabaseSettings()
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(limits))
        return engine
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
        pool_timeout=_seconds(limits.connect_timeout),
        connect_args=_postgres_arguments(limits, migrations=migrations),
    )


async def refresh_statistics(session: AsyncSession) -> None:
    """Give SQLite's query planner fresh statistics of the cameras (PostgreSQL's autovacuum keeps its own).

    Without them SQLite takes an equality on any index as selective, and reads a filtered camera list of 50,000
    cameras along the device type (which every list filters by) instead of the filter's own index. The whole table
    is read (0.3 s at 50,000 cameras): a sampled ANALYZE (analysis_limit) rates every filter alike. The other
    tables' lists are served well by their indexes without statistics."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("ANALYZE cameras"))


_Key = TypeVar("_Key", int, str, tuple[Any, ...])
# Keys per IN list: well within both engines' limits on a statement's parameters (asyncpg's 32,767).
IN_CHUNK = 500


def chunks(keys: Iterable[_Key], size: int = IN_CHUNK) -> Iterator[list[_Key]]:
    """These keys, distinct and sorted, in lists of at most ``size``: one IN list per statement."""
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


async def number_new_rows(session: AsyncSession, rows: Sequence[Any]) -> None:
    """Give new rows their ids before a flush on SQLite, so that it writes each table's rows in one executemany.

    SQLite's RETURNING keeps no order, so to learn the ids it assigns SQLAlchemy inserts such rows one statement
    each (2,000 statements for a mass outage's faults). SQLite itself would give max(id) + 1 (no table uses
    AUTOINCREMENT), and that is what this gives, in the caller's transaction: SQLite has one writer, and a
    transaction that read before another wrote fails on its first write rather than reusing an id. PostgreSQL
    returns the ids of a multi-row INSERT in order: nothing to do there."""
    pending = [row for row in rows if row.id is None]
    if len(pending) < 2 or session.get_bind().dialect.name != "sqlite":
        return
    for model in dict.fromkeys(type(row) for row in pending):
        with session.no_autoflush:
            last = await session.scalar(select(func.max(model.id)))
        for number, row in enumerate((r for r in pending if type(r) is model), start=(last or 0) + 1):
            row.id = number


class Database:
    """One engine and session factory for a process; built from settings, never at import."""

    def __init__(self, settings: Settings) -> None:
        if settings.is_sqlite:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self.engine = create_engine(settings.database_url, settings.database)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=True)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        async with self.sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
