"""The ``camfleet`` command as users run it: a real process, exit codes, messages, nothing written."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import docx
import pytest

from cli import COMMANDS
from tests.conftest import run_cli as run


@pytest.mark.usefixtures("database")
def test_import_list_users_tokens(env: dict[str, str], test_data: Path, tmp_path: Path) -> None:
    fleet = test_data / "fleet-venlo-illustrative.csv"
    dry = run(env, "cameras", "import", str(fleet), "--dry-run")
    assert dry.returncode == 0 and "70 rows valid; nothing written" in dry.stdout
    assert json.loads(run(env, "cameras", "list", "--json").stdout) == []

    done = run(env, "cameras", "import", str(fleet))
    assert done.returncode == 0, done.stderr
    assert "imported 70 cameras: 70 created, 0 updated, 0 unchanged" in done.stdout
    listed = json.loads(run(env, "cameras", "list", "--json").stdout)
    assert len(listed) == 70 and sum(c["kind"] == "flexible" for c in listed) == 13
    assert {"id", "observed", "risk", "status", "poller_group"} <= set(listed[0])

    created = run(env, "users", "create", "anna", "--role", "technician", "--password-stdin", stdin="a-long-password\n")
    assert created.returncode == 0, created.stderr
    token = run(env, "tokens", "create", "anna")
    assert token.returncode == 0 and token.stdout.split()[-1].startswith("cf_")
    missing = run(env, "tokens", "create", "nobody")
    assert missing.returncode == 1 and missing.stderr.startswith("error: no user nobody")
    service = run(env, "tokens", "create", "grafana", "--role", "viewer")
    assert service.returncode == 0 and service.stdout.split()[-1].startswith("cf_")


@pytest.mark.usefixtures("database")
def test_bad_file_prints_every_problem_and_writes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name;host;latitude;longitude\nA;127.0.0.1;51,3;6,1\nB;no host here;95;6\n", encoding="utf-8")
    result = run(env, "cameras", "import", str(bad))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("line 3: host: ")
    assert lines[1].startswith("line 3: latitude: ")
    assert lines[-1] == "error: 2 problem(s); nothing was imported"
    assert "Traceback" not in result.stderr
    assert json.loads(run(env, "cameras", "list", "--json").stdout) == []


def test_user_errors_and_usage_errors(tmp_path: Path) -> None:
    env = {**os.environ, "CAMFLEET_DATA_DIR": str(tmp_path / "var"), "CAMFLEET_CONFIG": ""}
    not_set_up = run(env, "cameras", "list")
    assert not_set_up.returncode == 1
    assert (
        not_set_up.stderr.strip()
        == "error: the database schema is missing or out of date; run `camfleet db upgrade` first"
    )
    assert run(env, "db", "upgrade").returncode == 0
    assert run(env, "cameras", "import", str(tmp_path / "absent.csv")).returncode == 1
    assert run(env, "cameras", "frobnicate").returncode == 2
    bad_setting = run({**env, "CAMFLEET_SCHEDULER__REACHABILITY_INTERVAL": "soon"}, "cameras", "list")
    assert bad_setting.returncode == 1
    assert bad_setting.stderr.startswith("error: invalid setting scheduler.reachability_interval:")
    placeholder = run({**env, "CAMFLEET_SECRET_KEY": "changeme"}, "cameras", "list")
    assert placeholder.returncode == 1 and "placeholder" in placeholder.stderr
    no_port = run(env, "collector", "--traps", "127.0.0.1")
    assert no_port.returncode == 1 and no_port.stderr.startswith("error: --traps 127.0.0.1: expected HOST:PORT")


def test_help_lists_every_command_and_a_typo_gets_the_nearest(tmp_path: Path) -> None:
    env = {**os.environ, "CAMFLEET_DATA_DIR": str(tmp_path / "var"), "CAMFLEET_CONFIG": "", "COLUMNS": "200"}
    listed = run(env, "--help")
    assert listed.returncode == 0
    shown = {line.strip("│ ").split(" ", 1)[0]: line for line in listed.stdout.splitlines()}
    assert all(name in shown and entry.help[:60] in shown[name] for name, entry in COMMANDS.items())
    group = run(env, "tickets", "--help")
    assert group.returncode == 0 and "Repair tickets." in group.stdout and "resolve" in group.stdout
    typo = run(env, "tickest", "list")
    assert typo.returncode == 2 and "No such command 'tickest'. Did you mean 'tickets'" in typo.stderr


@pytest.mark.usefixtures("database")
async def test_poll_command_against_simulated_cameras(env: dict[str, str], tmp_path: Path) -> None:
    from simulator.fleet import SimulatedFleet

    fleet = tmp_path / "fleet.csv"
    fleet.write_text(
        "name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,snmp_community\n"
        "P-1,127.71.0.1,8080,1161,8554,Axis Communications,public\n"
        "P-2,127.71.0.2,8080,1161,8554,Uniview,public\n"
    )
    assert run(env, "cameras", "import", str(fleet)).returncode == 0
    async with SimulatedFleet.from_csv(fleet, snapshot_size=(320, 180)) as simulated:
        await simulated.camera("P-2").update(offline=True)
        result = await asyncio.to_thread(run, env, "poll")
        single = await asyncio.to_thread(run, env, "poll", "--camera", "P-1")
    assert result.returncode == 0, result.stderr
    assert "polled 2 cameras (14 checks, 7 failed): 1 up, 0 degraded, 1 down" in result.stdout
    assert single.returncode == 0 and "polled 1 cameras" in single.stdout
    assert run(env, "poll", "--camera", "NOPE").stderr.strip() == "error: no camera named NOPE"
    # The security check saw P-1's configuration (P-2 was offline): it can be taken as the baseline again.
    assert run(env, "cameras", "baseline", "P-1").stdout.strip() == "baseline taken for 1 cameras"
    assert run(env, "cameras", "baseline", "--all").stdout.strip() == "baseline taken for 1 cameras"
    unseen = run(env, "cameras", "baseline", "P-2")
    assert unseen.returncode == 1 and "no configuration seen yet" in unseen.stderr
    assert run(env, "cameras", "baseline", "P-1", "--all").returncode == 1
    assert run(env, "cameras", "baseline").stderr.strip() == "error: name one camera, or give --all"


@pytest.mark.usefixtures("database")
async def test_channels_commands(env: dict[str, str]) -> None:
    from tests.peers.receivers import WebhookReceiver

    async with WebhookReceiver() as webhook:
        added = await asyncio.to_thread(
            run, env, "channels", "add", "team-noord", webhook.url, "--area", "Blerick", "--quiet", "22:00-07:00"
        )
        assert added.returncode == 0, added.stderr
        assert added.stdout.strip() == "added channel team-noord (json)"
        listed = await asyncio.to_thread(run, env, "channels", "list")
        assert "team-noord" in listed.stdout and "22:00-07:00" in listed.stdout and "127.0.0.1" not in listed.stdout
        tested = await asyncio.to_thread(run, env, "channels", "test", "team-noord")
        assert tested.returncode == 0 and len(webhook.posts) == 1
        webhook.mode = "error"
        failed = await asyncio.to_thread(run, env, "channels", "test", "team-noord")
        assert failed.returncode == 1 and failed.stderr.startswith("error: not delivered:")
    bad = run(env, "channels", "add", "x", "slack://nope")
    assert bad.returncode == 1 and bad.stderr.startswith("error: url: ")
    assert run(env, "channels", "remove", "team-noord").returncode == 0
    assert run(env, "channels", "remove", "team-noord").stderr.strip() == "error: no channel named team-noord"


@pytest.mark.usefixtures("database")
def test_report_uptime_command(env: dict[str, str], tmp_path: Path, test_data: Path) -> None:
    assert run(env, "cameras", "import", str(test_data / "fleet-venlo-illustrative.csv")).returncode == 0
    target = tmp_path / "uptime.csv"
    done = run(
        env,
        "report",
        "uptime",
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-31",
        "--by",
        "area",
        "--format",
        "csv",
        "--output",
        str(target),
    )
    assert done.returncode == 0, done.stderr
    text = target.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("key,cameras,availability,downtime_s,maintenance_s,unknown_s,outages")
    assert "Binnenstad" in text
    bad = run(env, "report", "uptime", "--from", "soon", "--to", "2026-01-31", "--output", str(target))
    assert bad.returncode == 1 and bad.stderr.startswith("error: --from: ")


@pytest.mark.usefixtures("database")
def test_export_inventory_command(env: dict[str, str], tmp_path: Path, test_data: Path) -> None:
    assert run(env, "cameras", "import", str(test_data / "fleet-venlo-illustrative.csv")).returncode == 0
    target = tmp_path / "inventory.xlsx"
    done = run(env, "export", "inventory", "--format", "xlsx", "--output", str(target), "--as-of", "2026-06-01")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote 70 cameras to {target} (xlsx, as of 2026-06-01)"
    from openpyxl import load_workbook

    book = load_workbook(target)
    assert book["Cameras"].max_row == 71
    high = [row for row in book["Cameras"].iter_rows(min_row=2, values_only=True) if row[22] == "high"]
    assert high  # the illustrative fleet has Hikvision and Dahua cameras
    bad = run(env, "export", "inventory", "--format", "pdf", "--output", str(target))
    assert bad.returncode == 2


@pytest.mark.usefixtures("database")
def test_report_annual_command(env: dict[str, str], tmp_path: Path, test_data: Path) -> None:
    assert run(env, "decisions", "import", str(test_data / "decisions-2023.csv")).returncode == 0
    target = tmp_path / "annual.html"
    done = run(env, "report", "annual", "--year", "2023", "--format", "html", "--output", str(target))
    assert done.returncode == 0, done.stderr
    assert "Besluiten flexibel cameratoezicht" in target.read_text(encoding="utf-8")
    editable = tmp_path / "annual.docx"
    done = run(env, "report", "annual", "--year", "2023", "--format", "docx", "--output", str(editable))
    assert done.returncode == 0, done.stderr
    headings = [p.text for p in docx.Document(str(editable)).paragraphs if p.style.name.startswith("Heading")]
    assert "Besluiten flexibel cameratoezicht (art. 151c Gemeentewet)" in headings
    assert run(env, "report", "annual", "--year", "2023", "--format", "rtf", "--output", str(target)).returncode == 1
