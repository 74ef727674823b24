"""tests/parallel.py's table names modules that exist: a renamed module must not drop out of its group unseen."""

from __future__ import annotations

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
