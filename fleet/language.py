"""The languages people-facing text comes in: Dutch (the municipality's own) and English."""

from __future__ import annotations

from typing import Literal

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")


def in_language(words: tuple[str, str], language: Language) -> str:
    """The one of a (Dutch, English) pair in the language: how every people-facing table is looked up."""
    return words[LANGUAGES.index(language)]
