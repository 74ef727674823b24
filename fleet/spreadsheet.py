"""Cells of the spreadsheets camfleet writes (CSV and XLSX) that cannot attack the person who opens them.

Device identities, camera names and notes are untrusted text. A cell that starts with `=`, `+`, `-` or `@` (or a
tab or carriage return before one) is taken for a formula by Excel and LibreOffice: `=HYPERLINK(...)` from a
camera's manufacturer string would send the sheet's contents anywhere. Every text cell gets OWASP's neutralisation,
a leading apostrophe; numbers, dates and booleans stay what they are.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    """The text, with a leading apostrophe where a spreadsheet would read it as a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def safe_value(value: Any) -> Any:
    """A cell value to write: text neutralised, anything else as it is."""
    return neutralised(value) if isinstance(value, str) else value
