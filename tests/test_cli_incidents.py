"""`camfleet incidents import`: the observers' table from a file, every problem by line and nothing written; a dry run
checks only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli as run

HEADER = "Omschrijving incident;Totaal aantal 2026 (2025);Waarvan aantal;Opmerking\n"


@pytest.mark.usefixtures("database")
def test_incidents_import(env: dict[str, str], tmp_path: Path, test_data: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Wildplassen;12 (9);3 pv's;\nZwemmen;2;;\nBedelen;veel;;\n", encoding="utf-8")
    refused = run(env, "incidents", "import", str(bad))
    assert refused.returncode == 1
    assert "line 4: Totaal aantal 2026 (2025): 'veel' is not a count like 326 (275)" in refused.stderr
    refused = run(env, "incidents", "import", str(bad.with_name("none.csv")))
    assert refused.returncode == 1 and "no such file" in refused.stderr

    unknown = tmp_path / "unknown.csv"
    unknown.write_text(HEADER + "Wildplassen;12 (9);3 pv's;\nZwemmen;2;;\n", encoding="utf-8")
    refused = run(env, "incidents", "import", str(unknown))
    assert refused.returncode == 1
    assert "line 3: Omschrijving incident: 'Zwemmen' is not on the category list; add it first" in refused.stderr

    good = tmp_path / "good.csv"
    good.write_text(HEADER + "Wildplassen;12 (9);3 pv's;\n", encoding="utf-8")
    checked = run(env, "incidents", "import", "--dry-run", str(good))
    assert checked.returncode == 0 and "checked 1 lines of 2026" in checked.stdout
    chapter = tmp_path / "chapter.html"
    assert run(env, "report", "annual", "--year", "2026", "--format", "html", "--output", str(chapter)).returncode == 0
    assert "3 pv&#39;s" not in chapter.read_text(encoding="utf-8")  # the dry run wrote nothing
    assert run(env, "incidents", "import", str(good)).returncode == 0
    assert run(env, "report", "annual", "--year", "2026", "--format", "html", "--output", str(chapter)).returncode == 0
    assert '<td>Wildplassen</td><td class="n">12 (9)</td><td>3 pv&#39;s</td>' in chapter.read_text(encoding="utf-8")
    listed = run(env, "incidents", "categories")
    assert listed.returncode == 0 and "  3  Wildplassen" in listed.stdout
