"""A report chapter as plain data: sections of text, tables and charts, in the order they are read.

One chapter is written out as HTML (and from it PDF) and as DOCX, so both carry the same headings and tables.
Every cell is already text in the report's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Text:
    """A paragraph; a note is set smaller (definitions, sources)."""

    kind: ClassVar[str] = "text"
    text: str
    note: bool = False


@dataclass(frozen=True, slots=True)
class Subheading:
    kind: ClassVar[str] = "subheading"
    text: str


@dataclass(frozen=True, slots=True)
class Table:
    """A table: ``widths`` are the columns' shares of the line (they add up to 100), ``numeric`` marks the columns
    set flush right; a ``wide`` table gets a landscape page of its own."""

    kind: ClassVar[str] = "table"
    headers: list[str]
    rows: list[list[str]]
    widths: list[int]
    numeric: list[bool]
    wide: bool = False
    empty: str = ""  # said instead of the table when it has no rows

    def __post_init__(self) -> None:
        if not len(self.headers) == len(self.widths) == len(self.numeric):
            raise ValueError("a table needs a width and an alignment for every column")
        if sum(self.widths) != 100:
            raise ValueError("a table's column widths add up to 100")


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart by its name in the chapter's drawn charts, with the words that describe it."""

    kind: ClassVar[str] = "chart"
    name: str
    label: str


Block = Text | Subheading | Table | Chart


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Chapter:
    """A whole chapter: its title, a line of facts under it, the heading of its contents list and its sections."""

    title: str
    meta: str
    contents: str
    sections: list[Section]

    def tables(self) -> list[Table]:
        """Every table, in reading order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]


def beside(current: str, previous: str | None) -> str:
    """A figure beside last year's, as the council's report writes it: "326 (275)"; alone where there is none."""
    return current if previous is None else f"{current} ({previous})"
