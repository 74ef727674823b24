"""The list shapes of the API: ``{"items": [...], "total": N, "page": 1, "size": 50}``, and keyset pages.

A keyset page (cameras, faults) also gives ``next_cursor``: the position after its last row. Asking for the next page
with it reads only that page, however deep in the list, and the rows stay in place when others are added before it
(a page number would shift them). Its ``total`` is counted on the page asked for by number (the first page too) or
with ``count=true``; a page asked for by cursor repeats the count its walk started with, and ``total_counted_at``
says when that count was made, so a figure is never shown as fresher than it is. A count of 10,000 rows or more is
repeated for 10 seconds to the pages asked for by number (the same list and filter), again with its moment.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Row, Select, and_, false, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from fleet.errors import InvalidQuery

T = TypeVar("T")
R = TypeVar("R")
# Cursor values: the sort key of the last row (text, a number, a timestamp as ISO text, or null).
KeyValue = str | int | float | None
_VERSION = 1
_MAX_CURSOR = 2000
_MAX_PAGE = 10**9
_NOT_OURS = "not a cursor this list gave out; ask for the first page again (without a cursor)"


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int


class KeysetPage(Page[T], Generic[T]):
    """A page that can be followed by cursor; ``total`` says when it was counted."""

    next_cursor: str | None = Field(
        description="Pass as `cursor` for the page after this one; null on the last page. Opaque; it keeps the "
        "order it was made for."
    )
    total_counted_at: datetime = Field(
        description="When `total` was counted: now for a page asked for by number (a count of 10,000 rows or more: "
        "up to 10 s ago) or with `count=true`; for a page asked for by cursor, when the first page of the walk was "
        "counted (rows added or removed since are not in it)."
    )


@dataclass(frozen=True, slots=True)
class SortKey:
    """One column of a list's order; a nullable one sorts its nulls last, on every engine."""

    column: ColumnElement[Any] | QueryableAttribute[Any]
    descending: bool = False
    nullable: bool = False
    timestamp: bool = False

    def ordering(self) -> ColumnElement[Any]:
        """The ORDER BY term."""
        term = self.column.desc() if self.descending else self.column.asc()
        return term.nulls_last() if self.nullable else term

    def written(self, value: Any) -> KeyValue:
        """A row's value as a cursor holds it."""
        return value.isoformat() if isinstance(value, datetime) else value

    def read(self, value: Any) -> Any:
        """A value from a cursor, as the column compares it; ValueError if it cannot be one."""
        if value is None:
            if not self.nullable:
                raise ValueError
            return None
        if self.timestamp:
            if not isinstance(value, str):
                raise ValueError
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise ValueError
            return moment
        if type(value) not in (str, int, float):
            raise ValueError
        return value

    def _equal(self, value: Any) -> ColumnElement[bool]:
        return self.column.is_(None) if value is None else self.column == value

    def _beyond(self, value: Any) -> ColumnElement[bool]:
        if value is None:
            return false()  # nulls come last: nothing of this column follows a null
        beyond = self.column < value if self.descending else self.column > value
        return or_(beyond, self.column.is_(None)) if self.nullable else beyond


def ordering(keys: Sequence[SortKey]) -> list[ColumnElement[Any]]:
    """The ORDER BY terms of a list order."""
    return [key.ordering() for key in keys]


def _after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """The rows that come after the one with these key values in this order (the last key is unique)."""
    return or_(
        *(
            and_(*(k._equal(v) for k, v in zip(keys[:i], values[:i], strict=True)), key._beyond(values[i]))
            for i, key in enumerate(keys)
        )
    )


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a walk through a list stands: after the row with key ``after``, in the order ``order``."""

    order: str
    after: tuple[Any, ...]
    page: int
    total: int
    counted_at: datetime

    def encode(self, keys: Sequence[SortKey]) -> str:
        """The opaque text a client passes back as ``cursor``."""
        after = [key.written(value) for key, value in zip(keys, self.after, strict=True)]
        payload = [_VERSION, self.order, after, self.page, self.total, self.counted_at.isoformat()]
        raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, *, order: str, keys: Sequence[SortKey]) -> Cursor:
        """The cursor in ``text``, made for ``order``; InvalidQuery otherwise (never repeating what was sent)."""
        try:
            if len(text) > _MAX_CURSOR:
                raise ValueError
            payload = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            version, made_for, after, page, total, counted_at = payload
            counted = datetime.fromisoformat(counted_at)
            if version != _VERSION or counted.tzinfo is None or not isinstance(after, list):
                raise ValueError
            if made_for != order:
                raise InvalidQuery("cursor", "this cursor is of another list or order; ask for the first page again")
            if len(after) != len(keys) or type(page) is not int or type(total) is not int:
                raise ValueError
            if not (2 <= page <= _MAX_PAGE and total >= 0):
                raise ValueError
            values = tuple(key.read(value) for key, value in zip(keys, after, strict=True))
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
            raise InvalidQuery("cursor", _NOT_OURS) from None
        return cls(order=order, after=values, page=page, total=total, counted_at=counted)


@dataclass(frozen=True, slots=True)
class Window:
    """Which part of a list to read: a page by number, or the page after a cursor (counted again with ``count``)."""

    size: int
    page: int = 1
    cursor: str | None = None
    count: bool = False


# A count of this many rows or more is kept for COUNT_KEPT and repeated (with the moment it was made) to the pages
# asked for by number meanwhile: at 50,000 cameras a count reads the whole filtered list, and the dashboard's
# clients ask for the same lists over and over. Smaller counts are cheap and always made afresh; `count=true`
# always counts.
BIG_COUNT = 10_000
COUNT_KEPT = timedelta(seconds=10)
_counts: dict[tuple[str, str, str], tuple[int, datetime]] = {}


async def _count(
    session: AsyncSession, counted: Select[tuple[int]], *, now: datetime, fresh: bool
) -> tuple[int, datetime]:
    """The filtered rows' count and when it was made: a big one kept a few seconds, unless ``fresh``."""
    compiled = counted.compile(session.get_bind())
    key = (str(session.get_bind().engine.url), str(compiled), repr(sorted(compiled.params.items())))
    kept = _counts.get(key)
    if kept is not None and not fresh and timedelta(0) <= now - kept[1] < COUNT_KEPT:
        return kept
    total = int(await session.scalar(counted) or 0)
    if total >= BIG_COUNT:
        if len(_counts) > 1000:
            _counts.clear()
        _counts[key] = (total, now)
    else:
        _counts.pop(key, None)
    return total, now


@dataclass(frozen=True, slots=True)
class Slice(Generic[R]):
    """The rows of one keyset page and what its answer says about the rest."""

    rows: list[R]
    total: int
    page: int
    next_cursor: str | None
    counted_at: datetime


async def read_slice(
    session: AsyncSession,
    rows: Select[*tuple[Any, ...]],
    counted: Select[tuple[int]],
    *,
    order: str,
    keys: Sequence[SortKey],
    window: Window,
    now: datetime,
    positions: Select[int] | None = None,
) -> Slice[Row[Any]]:
    """One page of ``rows`` (already filtered) in the order of ``keys``; ``counted`` counts the filtered rows.

    The count runs for a page asked for by number and with ``window.count``; after a cursor it is the walk's.
    ``positions``: the same filtered rows' ids alone (without the joins ``rows`` may have), to skip pages by number
    along an index and join only the rows shown.
    """
    cursor = None if window.cursor is None else Cursor.decode(window.cursor, order=order, keys=keys)
    query = rows.add_columns(*(key.column.label(f"_key{n}") for n, key in enumerate(keys)))
    # By number: skip the pages before. After a cursor: only what follows its row, however deep.
    skipped = (window.page - 1) * window.size
    if cursor is not None:
        query = query.where(_after(keys, cursor.after))
    elif skipped and positions is not None:
        shown = positions.order_by(*ordering(keys)).offset(skipped).limit(window.size + 1)
        query = query.where(positions.selected_columns[0].in_(shown.scalar_subquery()))
    else:
        query = query.offset(skipped)
    found = list((await session.execute(query.order_by(*ordering(keys)).limit(window.size + 1))).all())
    if cursor is None or window.count:
        total, counted_at = await _count(session, counted, now=now, fresh=window.count)
    else:
        total, counted_at = cursor.total, cursor.counted_at
    page = window.page if cursor is None else cursor.page
    following = None
    if len(found) > window.size:
        found = found[: window.size]
        last = found[-1]._mapping
        after = tuple(last[f"_key{n}"] for n in range(len(keys)))
        following = Cursor(order, after, page + 1, total, counted_at).encode(keys)
    return Slice(rows=found, total=total, page=page, next_cursor=following, counted_at=counted_at)
