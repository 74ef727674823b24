"""What a job that failed on the database says about it: one line, not a traceback per tick."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

# The database down, restarting, read-only or full: the job waits and tries again; the process keeps running.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, OSError)


def reason(error: BaseException) -> str:
    """The first line of the driver's message (SQLAlchemy wraps it with the statement and a link)."""
    text = str(getattr(error, "orig", None) or error).strip()
    first = text.splitlines()[0] if text else ""
    return first or type(error).__name__
