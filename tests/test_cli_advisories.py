"""`camfleet advisories import|list`: a downloaded KEV file; a bad file is refused with its problem, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli as run
from tests.fleet.advisories.kevfile import HIKVISION_36260, kev_document, kev_entry, write_kev

FLEET = (
    "name,host,declared_manufacturer,declared_model\n"
    "CLI-HIK,127.120.2.1,Hikvision,DS-2CD2043G2-I\n"
    "CLI-AXIS,127.120.2.2,Axis,P3245-LVE\n"
)


def _list(env: dict[str, str]) -> dict[str, object]:
    done = run(env, "advisories", "list", "--json")
    assert done.returncode == 0, done.stderr
    listed: dict[str, object] = json.loads(done.stdout)
    return listed


@pytest.mark.usefixtures("database")
def test_bad_files_are_refused_naming_the_problem_and_write_nothing(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "fleet.csv").write_text(FLEET)
    assert run(env, "cameras", "import", str(tmp_path / "fleet.csv")).returncode == 0
    bad_date = kev_entry("CVE-2026-10001", "Hikvision", "Multiple Products", added="2026-01-05", due="next week")
    twice = kev_document(HIKVISION_36260, HIKVISION_36260)
    wrong_count = {**kev_document(HIKVISION_36260), "count": 7}
    cases = {
        "garbage.json": ("{not json", "line 1: file: not JSON"),
        "other.json": (json.dumps({"items": []}), "not a KEV catalogue"),
        "date.json": (json.dumps(kev_document(bad_date)), "vulnerabilities[0] (CVE-2026-10001).dueDate"),
        "twice.json": (json.dumps(twice), "vulnerabilities[1] (CVE-2021-36260): listed twice"),
        "count.json": (json.dumps(wrong_count), "count: says 7 but the file lists 1"),
        "latin1.json": (b"\xff\xfe\x00", "not UTF-8"),
    }
    for name, (content, said) in cases.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        done = run(env, "advisories", "import", str(path))
        assert done.returncode == 1, name
        assert said in done.stderr, (name, done.stderr)
        assert done.stderr.rstrip().endswith("nothing was imported"), done.stderr
        assert "Traceback" not in done.stderr
    missing = run(env, "advisories", "import", str(tmp_path / "absent.json"))
    assert missing.returncode == 1 and "no such file" in missing.stderr
    assert _list(env) == {"catalogue": None, "cameras": []}


@pytest.mark.usefixtures("database")
def test_import_matches_by_declared_identity_and_lists_the_deadline(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "fleet.csv").write_text(FLEET)
    assert run(env, "cameras", "import", str(tmp_path / "fleet.csv")).returncode == 0
    entry = kev_entry(
        "CVE-2026-10002", "Hangzhou Hikvision Digital Technology", "IP Camera", added="2026-11-02", due="2026-11-23"
    )
    path = write_kev(tmp_path / "known_exploited_vulnerabilities.json", kev_document(HIKVISION_36260, entry))
    done = run(env, "advisories", "import", str(path))
    assert done.returncode == 0, done.stderr
    assert "imported catalogue 2026.12.01 (2 vulnerabilities, 2 of camera vendors camfleet knows): 1 cameras match" in (
        done.stdout
    )
    listed = _list(env)
    assert listed["catalogue"]["file_name"] == "known_exploited_vulnerabilities.json"  # type: ignore[index]
    (camera,) = listed["cameras"]  # type: ignore[misc]
    # No firmware reported yet: the advisory's ranges cannot decide CVE-2021-36260, so it matches on vendor and
    # product with low confidence, as does the vendor-wide entry; the earliest due date is the deadline.
    assert camera["camera"] == "CLI-HIK" and camera["deadline"] == "2022-01-24"
    assert camera["cve_ids"] == ["CVE-2021-36260", "CVE-2026-10002"] and camera["confidence"] == "low"
    assert "could not be compared" in camera["vulnerabilities"][0]["how"]
