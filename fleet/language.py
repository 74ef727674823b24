"""The languages people-facing text comes in: Dutch (the municipality's own) and English."""

from __future__ import annotations

from typing import Literal

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")
