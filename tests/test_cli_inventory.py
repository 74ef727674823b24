"""`camfleet export inventory --lang`: the spreadsheet's replacement plan in Dutch or English."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import run_cli as run


@pytest.mark.usefixtures("database")
def test_export_inventory_in_dutch(env: dict[str, str], tmp_path: Path, test_data: Path) -> None:
    assert run(env, "cameras", "import", str(test_data / "fleet-venlo-illustrative.csv")).returncode == 0
    headers = {}
    for lang in ("nl", "en"):
        target = tmp_path / f"inventory-{lang}.xlsx"
        done = run(env, "export", "inventory", "--format", "xlsx", "--output", str(target), "--lang", lang)
        assert done.returncode == 0, done.stderr
        plan = load_workbook(target)["Replacement plan"]
        headers[lang] = [c.value for c in plan[1]]
        top = dict(zip(headers[lang], [c.value for c in plan[2]], strict=True))
        if lang == "nl":
            assert top["reden"].startswith("hoog herkomstrisico") and top["ondersteuning"] == "onbekend"
        else:
            assert top["reason"].startswith("high origin risk") and top["support"] == "unknown"
    assert "einde ondersteuning" in headers["nl"] and "end of support" in headers["en"]
    bad = run(env, "export", "inventory", "--format", "xlsx", "--output", str(tmp_path / "x.xlsx"), "--lang", "de")
    assert bad.returncode == 1 and bad.stderr.startswith("error: --lang de: use nl or en")
