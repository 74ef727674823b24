"""The composition root: settings, logging and the database opened for a command, and how its errors end it."""

from __future__ import annotations

import asyncio
import getpass
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cached_property, wraps
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings, get_settings
from fleet import schema
from fleet.audit.service import Actor
from fleet.crypto import CredentialCipher, CredentialKeyError, load_key
from fleet.db import Database
from fleet.errors import DomainError, ImportRejected
from fleet.language import LANGUAGES, Language

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
T = TypeVar("T")


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit status 1."""


def fail(message: str) -> NoReturn:
    """Stop with a one-line reason on stderr and exit status 1."""
    raise UserError(message)


def command(func: Callable[..., Coroutine[Any, Any, T]]) -> Callable[..., T]:
    """Run an async command body; turn user errors into one line on stderr and exit status 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return asyncio.run(func(*args, **kwargs))
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None
        except UserError as exc:
            err.print(f"error: {exc}")
        except ImportRejected as exc:
            for problem in exc.problems:
                err.print(str(problem), markup=False)
            err.print(f"error: {exc}")
        except (DomainError, CredentialKeyError) as exc:
            err.print(f"error: {exc}", markup=False)
        except (OperationalError, ProgrammingError, OSError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            err.print(
                f"error: database unavailable or not set up ({reason}); run `camfleet db upgrade`",
                markup=False,
            )
        raise typer.Exit(1)

    return wrapper


def load_settings() -> Settings:
    """The settings (defaults, TOML file, environment), or a one-line refusal naming the first bad one."""
    try:
        return get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        fail(f"invalid setting {where}: {first['msg']}")
    except FileNotFoundError as exc:
        fail(str(exc))


def configure_logging(settings: Settings) -> None:
    """Log lines for long-running commands, with the libraries' chatter turned down."""
    # onvif-zeep-async sets the root logger to INFO when imported; this runs after and decides.
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    for noisy in ("zeep", "aiosqlite", "asyncio", "collectors"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A tick that outlasts the tick interval is normal; APScheduler would warn about every skipped run.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    # WeasyPrint warns about every SVG presentation property of the charts that its HTML CSS parser does not know
    # (its SVG renderer draws them): hundreds of lines per PDF that tell the reader nothing.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)


def language(lang: str) -> Language:
    """The --lang option as a language, or a one-line refusal."""
    for known in LANGUAGES:
        if lang == known:
            return known
    fail(f"--lang {lang}: use nl or en")


def cli_actor() -> Actor:
    """Who the audit log names for a change made on the command line: the operating-system user."""
    return Actor(name=f"cli:{getpass.getuser()}")


@dataclass
class Opened:
    """The settings and the database a command works with."""

    settings: Settings
    database: Database

    @cached_property
    def cipher(self) -> CredentialCipher:
        """The device-credential cipher, its key loaded (or generated) on first use."""
        return CredentialCipher(load_key(self.settings))


@dataclass
class Work(Opened):
    """One unit of work: the opened settings and database, and the session of its one transaction."""

    session: AsyncSession


@asynccontextmanager
async def opened(settings: Settings | None = None) -> AsyncIterator[Opened]:
    """The settings (read unless given) and the database at the current schema, disposed of at the end."""
    settings = settings or load_settings()
    database = Database(settings)
    try:
        if not await schema.is_current(database.engine):
            fail("the database schema is missing or out of date; run `camfleet db upgrade` first")
        yield Opened(settings, database)
    finally:
        await database.dispose()


@asynccontextmanager
async def unit_of_work() -> AsyncIterator[Work]:
    """Open settings and database, yield one transaction (committed when the block ends well), dispose."""
    async with opened() as root, root.database.unit_of_work() as session:
        yield Work(root.settings, root.database, session)
