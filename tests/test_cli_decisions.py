"""``camfleet decisions``: the 2023 register imported as users run it, warnings printed, bad files refused."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from config.zone import LOCAL
from fleet.cameras import service as cameras
from fleet.cameras.models import Camera
from fleet.db import Database
from fleet.decisions import service as decisions
from fleet.decisions.models import Decision
from fleet.decisions.schemas import DecisionPatch
from fleet.faults.models import Fault, FaultKind
from tests.builders import TEST_ACTOR
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


@pytest.mark.usefixtures("database")
def test_a_bad_registration_in_either_language(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "row,decision_date,location,start_date,action,reason,registration\n"
        "1,2023-03-01,Markt,2023-03-06,deploy,Carnaval,Z/23/004512\n"
        "2,2023-04-03,Stationsplein,2023-04-10,deploy,Overlast,Z/23 004513;Z#23\n",
        encoding="utf-8",
    )
    english = run(env, "decisions", "import", str(bad))
    assert english.returncode == 1
    assert english.stderr.strip().splitlines() == [
        "line 3: registration: 'Z#23' holds '#' (U+0023), which is not allowed; "
        "use letters, digits, / - . _ and spaces, several numbers separated by ;",
        "error: 1 problem(s); nothing was imported",
    ]
    dutch = run(env, "decisions", "import", str(bad), "--lang", "nl")
    assert dutch.returncode == 1
    assert dutch.stderr.strip().splitlines() == [
        "regel 3: registration: 'Z#23' bevat '#' (U+0023), en dat teken is niet toegestaan; "
        "gebruik letters, cijfers, / - . _ en spaties, meerdere nummers gescheiden door ;",
        "error: 1 probleem/problemen; er is niets geïmporteerd",
    ]
    assert run(env, "decisions", "import", str(bad), "--lang", "de").returncode == 1
    assert json.loads(run(env, "decisions", "list", "--json").stdout) == []


async def _link(database: Database, links: dict[str, list[str]]) -> None:
    """Link the decision registered under each number to these cameras, as a coordinator does in the API."""
    async with database.unit_of_work() as session:
        for registration, names in links.items():
            found = [await cameras.get_by_name(session, name) for name in names]
            decision = await session.scalar(select(Decision).where(Decision.registration == registration))
            assert decision is not None
            patch = DecisionPatch(camera_ids=[camera.id for camera in found if camera is not None])
            await decisions.update(session, actor=TEST_ACTOR, decision_id=decision.id, data=patch)


async def _open_deployment_faults(database: Database) -> dict[str, FaultKind]:
    async with database.unit_of_work() as session:
        rows = await session.execute(
            select(Camera.name, Fault.kind)
            .join(Camera, Camera.id == Fault.camera_id)
            .where(Fault.kind.in_([FaultKind.DEPLOYMENT_EXPIRED, FaultKind.DEPLOYMENT_MISSING]))
            .where(Fault.closed_at.is_(None))
        )
        return {name: kind for name, kind in rows}


async def test_poll_runs_the_compliance_check_and_decisions_check_reports_it(
    env: dict[str, str], database: Database, tmp_path: Path
) -> None:
    from simulator.fleet import SimulatedFleet

    fleet = tmp_path / "fleet.csv"
    fleet.write_text(
        "name,kind,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,snmp_community\n"
        "F-1,flexible,127.72.0.1,8080,1161,8554,Axis Communications,public\n"
        "F-2,flexible,127.72.0.2,8080,1161,8554,Axis Communications,public\n"
        "F-3,flexible,127.72.0.3,8080,1161,8554,Axis Communications,public\n"
    )
    today = datetime.now(LOCAL).date()
    register = tmp_path / "register.csv"
    register.write_text(
        "row,decision_date,location,start_date,end_date,action,reason,registration\n"
        f"1,{today - timedelta(days=3)},Markt,{today - timedelta(days=1)},{today + timedelta(days=30)},deploy,"
        "Kermis,Z/23/004512\n"
        f"2,{today - timedelta(days=60)},Stationsplein,{today - timedelta(days=50)},{today - timedelta(days=20)},"
        "deploy,Overlast,BM-23-17\n",
        encoding="utf-8",
    )
    assert run(env, "cameras", "import", str(fleet)).returncode == 0
    imported = run(env, "decisions", "import", str(register))
    assert imported.returncode == 0, imported.stderr
    await _link(database, {"Z/23/004512": ["F-1"], "BM-23-17": ["F-3"]})

    # Not polled yet: no camera is known to be running, so none runs outside a decision.
    before = await asyncio.to_thread(run, env, "decisions", "check", "--json")
    assert before.returncode == 0, before.stderr
    assert json.loads(before.stdout) == {"flexible": 3, "opened": 0, "closed": 0, "findings": []}

    async with SimulatedFleet.from_csv(fleet, snapshot_size=(320, 180)):
        polled = await asyncio.to_thread(run, env, "poll")
    assert polled.returncode == 0, polled.stderr
    assert "3 up, 0 degraded, 0 down" in polled.stdout
    assert polled.stdout.strip().splitlines()[-1] == (
        "decision compliance: 3 flexible cameras in service, 2 running outside a decision (2 new warnings, 0 cleared)"
    )
    # F-1 runs under Z/23/004512; F-2 has no decision; F-3's decision ended 20 days ago.
    assert await _open_deployment_faults(database) == {
        "F-2": FaultKind.DEPLOYMENT_MISSING,
        "F-3": FaultKind.DEPLOYMENT_EXPIRED,
    }

    checked = await asyncio.to_thread(run, env, "decisions", "check", "--json")
    assert checked.returncode == 0, checked.stderr
    found = json.loads(checked.stdout)
    assert (found["flexible"], found["opened"], found["closed"]) == (3, 0, 0)  # nothing new since the poll
    assert [(f["camera"], f["fault"], f["status"], f["registrations"]) for f in found["findings"]] == [
        ("F-2", "deployment_missing", "up", []),
        ("F-3", "deployment_expired", "up", ["BM-23-17"]),
    ]
    text = await asyncio.to_thread(run, env, "decisions", "check")
    assert text.returncode == 0  # findings are results, not a failure of the command
    lines = text.stdout.strip().splitlines()
    assert lines[0].startswith("deployment_missing: F-2 (up) since ") and lines[0].endswith("; no decision linked")
    assert lines[1].startswith("deployment_expired: F-3 (up) since ") and lines[1].endswith("; BM-23-17")
    assert lines[2] == (
        "decision compliance: 3 flexible cameras in service, 2 running outside a decision (0 new warnings, 0 cleared)"
    )

    # A decision linked now: the next check clears F-3's warning.
    await _link(database, {"Z/23/004512": ["F-1", "F-3"]})
    cleared = json.loads((await asyncio.to_thread(run, env, "decisions", "check", "--json")).stdout)
    assert cleared["closed"] == 1 and [f["camera"] for f in cleared["findings"]] == ["F-2"]
