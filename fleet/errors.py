"""Domain errors, defined once and mapped to HTTP status codes and CLI messages in one place each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fleet.language import Language, say


class DomainError(Exception):
    """Base of every error a user can cause; its message is safe to show."""


class NotFound(DomainError):
    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key} not found")
        self.what = what
        self.key = key


class Conflict(DomainError):
    """The change clashes with what is stored (a duplicate name, a row changed meanwhile)."""


class InvalidTransition(Conflict):
    def __init__(self, current: str, wanted: str, allowed: Sequence[str]) -> None:
        allowed_text = ", ".join(allowed) or "none"
        super().__init__(f"cannot go from {current} to {wanted}; allowed next: {allowed_text}")
        self.current = current
        self.wanted = wanted
        self.allowed = list(allowed)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in an input file: its line (1 is the header), the column and the reason."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.reason}"

    def said(self, language: Language) -> str:
        """The problem with its line named in the language (the reason as it was written)."""
        return say("line {line}: {column}: {reason}", language, line=self.line, column=self.column, reason=self.reason)


class ImportRejected(DomainError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s); nothing was imported")
        self.problems = list(problems)

    def said(self, language: Language) -> str:
        """The summary line in the language."""
        return say("{count} problem(s); nothing was imported", language, count=len(self.problems))


class InvalidInput(DomainError):
    """A value the user gave is not acceptable; ``field`` names it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidQuery(InvalidInput):
    """A query parameter (a list's cursor) is not acceptable; the answer names it, never its value."""
