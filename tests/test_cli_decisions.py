"""``camfleet decisions``: the 2023 register imported as users run it, warnings printed, bad files refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli as run


@pytest.mark.usefixtures("database")
def test_import_the_2023_decisions(env: dict[str, str], test_data: Path) -> None:
    fleet = run(env, "cameras", "import", str(test_data / "fleet-venlo-illustrative.csv"))
    assert fleet.returncode == 0, fleet.stderr
    done = run(env, "decisions", "import", str(test_data / "decisions-2023.csv"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-1].startswith("imported 28 rows: 34 decisions registered, 0 already registered")
    warnings = [line for line in lines if ": warning: " in line]
    assert all(line.startswith("line ") for line in warnings)
    assert any(line.startswith("line 6: warning: decision date printed as '23jan22'") for line in warnings)
    assert "line 28: warning: decision dated 2023-12-18 after the start of its period on 2023-12-16" in warnings
    # The illustrative fleet has 13 flexible cameras; the 2023 decisions never need more at once.
    assert not any("flexible cameras deployed" in line for line in warnings)

    listed = json.loads(run(env, "decisions", "list", "--year", "2023", "--json").stdout)
    assert len(listed) == 34 and {d["kind"] for d in listed} >= {"designation", "deployment", "withdrawal"}
    again = run(env, "decisions", "import", str(test_data / "decisions-2023.csv"))
    assert again.returncode == 0 and "0 decisions registered, 34 already registered" in again.stdout


@pytest.mark.usefixtures("database")
def test_bad_file_names_the_line_and_writes_nothing(env: dict[str, str], test_data: Path, tmp_path: Path) -> None:
    lines = (test_data / "decisions-2023.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("deploy+designate", "deploy+demolish")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(env, "decisions", "import", str(bad))
    assert result.returncode == 1
    problems = result.stderr.strip().splitlines()
    assert problems[0].startswith("line 4: action: unknown action 'demolish'")
    assert problems[-1] == "error: 1 problem(s); nothing was imported"
    assert json.loads(run(env, "decisions", "list", "--json").stdout) == []
