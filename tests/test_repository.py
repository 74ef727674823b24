"""The repository stands alone: nothing in it reaches for a path beside the checkout."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {".git", ".venv", ".venv-interop", "var", "test-artifacts", "build", "node_modules"}
# Spelled in two parts so this file does not find itself.
BESIDE = ".." + "/shared"
TEXT = {".py", ".md", ".toml", ".ini", ".cfg", ".txt", ".csv", ".html", ".js", ".css", ".mako", ".po", ""}


def _text_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if path.is_file() and not parts & SKIPPED and "__pycache__" not in parts and path.suffix in TEXT:
            files.append(path)
    return files


def test_no_file_refers_to_a_folder_beside_the_repository() -> None:
    outside = [
        str(path.relative_to(ROOT))
        for path in _text_files()
        if BESIDE in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert outside == []
