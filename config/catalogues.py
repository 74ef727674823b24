"""The TOML catalogues shipped in this package (vendors, advisories, lifecycle), read and validated one way."""

import tomllib
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

FOLDER = Path(__file__).parent
Model = TypeVar("Model", bound=BaseModel)


def parse(model: type[Model], text: str, **context: object) -> Model:
    """Validate catalogue TOML text as ``model``; ``context`` adds what it is checked against (the vendors)."""
    return model.model_validate({**tomllib.loads(text), **context})


def load(model: type[Model], name: str, **context: object) -> Model:
    """The catalogue file ``name`` shipped in this package, validated as ``model``."""
    return parse(model, (FOLDER / name).read_text(encoding="utf-8"), **context)
