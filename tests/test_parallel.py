"""tests/parallel.py's table names modules that exist: a renamed module must not drop out of its group unseen."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.parallel import FIRST, SHARED, unit_of

ROOT = Path(__file__).resolve().parents[1]


def test_every_grouped_path_exists() -> None:
    for group, paths in SHARED.items():
        for path in paths:
            assert (ROOT / path).is_dir() if path.endswith("/") else (ROOT / path).is_file(), (group, path)
    for unit in FIRST:
        assert unit in SHARED or (ROOT / unit).is_file(), unit


def test_modules_run_alone_unless_grouped() -> None:
    assert unit_of("tests/api/test_users.py::test_x[sqlite]") == "tests/api/test_users.py"
    assert unit_of("tests/simulator/test_sim_rtsp.py::test_x") == "simulated fleet on 127.40"
    assert unit_of("tests/collectors/test_snmp.py::test_x") == "collector peers on 127.50"
    assert unit_of("tests/test_install.py::test_x") == "camfleet processes"
    assert unit_of("tests/test_cli.py::test_x") == "tests/test_cli.py"


def _marks_processes(path: Path) -> bool:
    return any(
        isinstance(node, ast.Attribute)
        and node.attr == "processes"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "mark"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
    )


def test_every_process_test_module_is_in_the_process_group() -> None:
    # A module of real camfleet processes left out of the group would compete with the others for the two cores.
    marked = {
        path.relative_to(ROOT).as_posix() for path in (ROOT / "tests").rglob("test_*.py") if _marks_processes(path)
    }
    assert marked, "no module marks its tests as processes: the scan is broken"
    assert {module for module in marked if unit_of(f"{module}::test_x") != "camfleet processes"} == set()
