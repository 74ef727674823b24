"""`camfleet recorders` and the cameras' recorder column as users run them: a real process, lines, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli as run


@pytest.mark.usefixtures("database")
def test_recorders_import_then_cameras_name_them(env: dict[str, str], tmp_path: Path) -> None:
    nvrs = tmp_path / "recorders.csv"
    nvrs.write_text("name;host;site;declared_manufacturer\nNVR-1;127.118.0.1;Markt;Dahua\n", encoding="utf-8")
    dry = run(env, "recorders", "import", str(nvrs), "--dry-run")
    assert dry.returncode == 0 and "1 rows valid; nothing written" in dry.stdout
    done = run(env, "recorders", "import", str(nvrs))
    assert done.returncode == 0, done.stderr
    assert "imported 1 recorders: 1 created, 0 updated, 0 unchanged" in done.stdout

    cameras = tmp_path / "cameras.csv"
    cameras.write_text(
        "name,host,recorder,retention_max_days\nCAM-1,127.118.1.1,NVR-1,14\nCAM-2,127.118.1.2,NVR-2,\n",
        encoding="utf-8",
    )
    for args in (("--dry-run",), ()):
        refused = run(env, "cameras", "import", str(cameras), *args)
        assert refused.returncode == 1
        assert refused.stderr.splitlines()[0].startswith("line 3: recorder: no recorder named 'NVR-2'")
    cameras.write_text("name,host,recorder\nCAM-1,127.118.1.1,NVR-1\nCAM-2,127.118.1.2,edge\n", encoding="utf-8")
    assert run(env, "cameras", "import", str(cameras)).returncode == 0

    listed = json.loads(run(env, "recorders", "list", "--json").stdout)
    assert [(r["name"], r["cameras"], r["risk"]["origin_country"]) for r in listed] == [("NVR-1", 1, "China")]
    shown = json.loads(run(env, "cameras", "list", "--json").stdout)
    assert [(c["name"], c["recorder"]) for c in shown] == [("CAM-1", "NVR-1"), ("CAM-2", "edge")]
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,host,kind\nNVR-2,127.118.0.2,fixed\n", encoding="utf-8")
    rejected = run(env, "recorders", "import", str(wrong))
    assert rejected.returncode == 1 and rejected.stderr.startswith("line 1: kind: unknown column")
