"""The rooms of the house and the one direction of their doors (docs/architecture.md), checked on every import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Which of our own parts each part may import. cli is the composition root: it may import everything.
DOORS: dict[str, set[str]] = {
    "config": set(),
    "fleet": {"config"},
    "collectors": {"config"},
    "notify": {"config", "fleet"},  # an adapter: it sends the messages the domain composed
    "scheduler": {"config", "fleet", "collectors", "notify"},
    "api": {"config", "fleet", "notify"},
    "simulator": set(),
    "cli": {"config", "fleet", "collectors", "notify", "scheduler", "api", "simulator"},
}
# Libraries a part must not use: the domain speaks neither HTTP nor device protocols; collectors keep no database.
FORBIDDEN: dict[str, set[str]] = {
    "fleet": {"fastapi", "starlette", "uvicorn", "apprise", "aiohttp", "httpx", "pysnmp", "onvif", "zeep"},
    "collectors": {"sqlalchemy", "alembic", "fastapi"},
    "config": {"sqlalchemy", "fastapi"},
}


def _modules(part: str) -> list[Path]:
    folder = ROOT / part
    if folder.is_dir():
        return [path for path in folder.rglob("*.py") if "migrations" not in path.relative_to(ROOT).parts]
    single = ROOT / f"{part}.py"
    return [single] if single.exists() else []


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("part", sorted(DOORS))
def test_each_part_imports_only_through_its_doors(part: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(part)
        for name in _imports(path)
        if name in DOORS and name != part and name not in DOORS[part]
    }
    assert sorted(wrong) == []


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_no_part_uses_a_library_outside_its_purpose(part: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(part)
        for name in _imports(path)
        if name in FORBIDDEN[part]
    }
    assert sorted(wrong) == []


def test_the_command_line_starts_without_the_protocol_libraries() -> None:
    """No `camfleet` command loads the device protocol libraries until it talks to devices: they cost a command's
    start, and onvif-zeep-async configures logging on import (its INFO lines would lead every stderr)."""
    code = (
        "import cli, logging, sys; [cli.load(name) for name in cli.COMMANDS]; "
        "print(sorted({m.split('.')[0] for m in sys.modules}), logging.root.handlers)"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "'onvif'" not in shown and "'pysnmp'" not in shown and "'zeep'" not in shown
    assert shown.rstrip().endswith("[]")


def test_the_command_list_loads_no_command() -> None:
    """`camfleet --help` is listed from cli.COMMANDS: no command's module is imported for it, nor the database, the
    spreadsheets, the geometry or the documents (a second of start-up together)."""
    code = "import cli, sys\ntry:\n    cli.main()\nexcept SystemExit:\n    print(sorted(sys.modules), file=sys.stderr)"
    shown = subprocess.run([sys.executable, "-c", code, "--help"], capture_output=True, text=True, check=True)
    assert "Repair tickets." in shown.stdout
    loaded = {name.split(".")[0] for name in ast.literal_eval(shown.stderr)}
    commands = {name for name in ast.literal_eval(shown.stderr) if name.startswith("cli.")}
    assert commands == set()
    assert loaded.isdisjoint({"fleet", "sqlalchemy", "openpyxl", "shapely", "weasyprint", "onvif", "pysnmp"})
