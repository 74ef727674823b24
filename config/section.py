"""The base of every settings section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A group of settings (a TOML table, a ``CAMFLEET_GROUP__NAME`` prefix)."""

    # A misspelt setting must fail loudly, not be ignored.
    model_config = ConfigDict(extra="forbid")
