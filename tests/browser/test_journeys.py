"""The pages in a real browser (Debian's chromium via Playwright) against a real `camfleet serve`.

The set-up goes the way a municipality would: cameras imported, a simulated camera switched off, `camfleet poll`
run until the fault opens and the policy makes a ticket, users created with `--password-stdin`. Screenshots of
every step land in test-artifacts/browser/.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from openpyxl import load_workbook
from playwright.async_api import expect

from simulator.fleet import SimulatedFleet
from tests.browser.serving import (
    ARTIFACTS,
    CHROMIUM,
    PASSWORD,
    Journey,
    browser,
    camfleet_env,
    create_users,
    serving,
)
from tests.conftest import run_cli

FLEET = (
    "name,host,onvif_port,snmp_port,rtsp_port,latitude,longitude,area,location,declared_manufacturer\n"
    "BR-1,127.91.0.1,8080,1161,8554,51.3704,6.1724,Centrum,Markt,Axis Communications\n"
    "BR-2,127.91.0.2,8080,1161,8554,51.3650,6.1660,Blerick,Station,Axis Communications\n"
)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make install)")


@pytest.fixture
def env(sqlite_template: Path, tmp_path: Path) -> dict[str, str]:
    """A `camfleet` environment on a migrated SQLite database of this test's own."""
    return camfleet_env(sqlite_template, tmp_path)


@pytest_asyncio.fixture
async def fleet_with_a_dead_camera(env: dict[str, str], tmp_path: Path) -> AsyncIterator[None]:
    """Two simulated cameras, BR-2 switched off and polled until its fault is open (and its ticket made)."""
    path = tmp_path / "fleet.csv"
    path.write_text(FLEET)
    imported = run_cli(env, "cameras", "import", str(path))
    assert imported.returncode == 0, imported.stderr
    async with SimulatedFleet.from_csv(path, snapshot_size=(320, 180)) as simulated:
        await simulated.camera("BR-2").update(offline=True)
        for _ in range(3):  # faults.failures_to_open
            polled = await asyncio.to_thread(run_cli, env, "poll")
            assert polled.returncode == 0, polled.stderr
        assert "1 up, 0 degraded, 1 down" in polled.stdout
        yield


@pytest.fixture
def server(env: dict[str, str], fleet_with_a_dead_camera: None, tmp_path: Path) -> Iterator[str]:
    """`camfleet serve` on this helper's loopback range, with a coordinator and a technician to log in as."""
    create_users(env, {"coordinator": "coordinator", "tech": "technician"})
    with serving(env, tmp_path / "serve.log") as url:
        yield url


async def test_journeys(server: str) -> None:
    async with browser(server) as journey:
        await _log_in(journey)
        await _see_the_down_camera_on_the_dashboard(journey)
        await _acknowledge_its_fault(journey)
        await _assign_and_resolve_its_ticket(journey)
        await _create_a_maintenance_window(journey)
        await _download_the_inventory(journey)
        await _see_both_cameras_on_the_map(journey)
    assert journey.problems == []
    # Not in the browser, on the same server: one start of `camfleet serve` is half a minute on a loaded machine.
    _a_client_that_is_no_configured_proxy_cannot_claim_https(server)


async def _log_in(journey: Journey) -> None:
    page, server = journey.page, journey.server
    await page.goto(f"{server}/cameras")
    await expect(page).to_have_url(f"{server}/login?next=/cameras")
    await page.get_by_label("Username").fill("coordinator")
    await page.get_by_label("Password").fill("wrong password!")
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    await journey.shot("login-refused")
    # The refusal is an HTTP 401, which the browser logs; nothing else may appear in the console.
    assert journey.problems == ["Failed to load resource: the server responded with a status of 401 (Unauthorized)"]
    journey.problems.clear()
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page).to_have_url(f"{server}/cameras")


async def _see_the_down_camera_on_the_dashboard(journey: Journey) -> None:
    """The dashboard lists the down camera (htmx keeps it current)."""
    page = journey.page
    await page.get_by_role("link", name="Dashboard").click()
    down = page.locator("section", has=page.get_by_role("heading", name="Cameras down"))
    await expect(down.get_by_role("link", name="BR-2")).to_be_visible()
    await expect(page.locator('[data-status="down"]')).to_have_text("1")
    assert await page.evaluate("typeof htmx") == "object"
    await journey.shot("dashboard")
    # Open it.
    await down.get_by_role("link", name="BR-2").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("BR-2")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("down")
    await expect(page.locator("svg.timeline rect.tl.st-down")).to_have_count(1)
    await journey.shot("camera")


async def _acknowledge_its_fault(journey: Journey) -> None:
    page = journey.page
    await page.get_by_role("button", name="Acknowledge").click()
    await expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
    faults = page.locator("section", has=page.get_by_role("heading", name="Faults"))
    await expect(faults).to_contain_text("coordinator (")
    await journey.shot("fault-acknowledged")


async def _assign_and_resolve_its_ticket(journey: Journey) -> None:
    page = journey.page
    await page.locator("section", has=page.get_by_role("heading", name="Tickets")).get_by_role("link").click()
    await page.get_by_label("Assignee").select_option(label="tech (technician)")
    await page.get_by_role("button", name="Assign", exact=True).click()
    await expect(page.locator("#assignee")).to_have_text("tech")
    await journey.shot("ticket-assigned")
    await page.get_by_role("button", name="To resolved").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("resolved")
    await journey.shot("ticket-resolved")


async def _create_a_maintenance_window(journey: Journey) -> None:
    page = journey.page
    await page.get_by_role("link", name="Maintenance").click()
    await page.get_by_label("Starts (local time)").fill("2027-03-02T06:00")
    await page.get_by_label("Ends (local time)").fill("2027-03-02T09:00")
    await page.get_by_label("Reason", exact=True).fill("Replace the mast at the station")
    await page.get_by_label("Cameras").select_option(label="BR-2")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_have_text("Maintenance window saved.")
    await expect(page.get_by_role("cell", name="Replace the mast at the station", exact=True)).to_be_visible()
    await expect(page.get_by_role("cell", name="2027-03-02 06:00")).to_be_visible()
    await journey.shot("maintenance-window")


async def _download_the_inventory(journey: Journey) -> None:
    """The inventory XLSX lists both cameras, the dead one down."""
    page = journey.page
    await page.get_by_role("link", name="Reports").click()
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="Inventory (XLSX)").click()
    download = await waiting.value
    saved = ARTIFACTS / download.suggested_filename
    await download.save_as(saved)
    await journey.shot("reports")
    sheet = load_workbook(saved, read_only=True)["Cameras"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    by_name = {row[header.index("name")]: row for row in rows[1:]}
    assert set(by_name) == {"BR-1", "BR-2"}
    assert by_name["BR-2"][header.index("status")] == "down"


async def _see_both_cameras_on_the_map(journey: Journey) -> None:
    """The map shows both cameras without any tiles (offline), the dead one in its colour."""
    page = journey.page
    await page.get_by_role("link", name="Map").click()
    await expect(page.locator("path.marker-down")).to_have_count(1)
    await expect(page.locator("path.marker-up")).to_have_count(1)
    await journey.shot("map")


def _a_client_that_is_no_configured_proxy_cannot_claim_https(server: str) -> None:
    """Its X-Forwarded-Proto is ignored: the session cookie is not marked Secure."""
    with httpx.Client(base_url=server) as http:
        form = http.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        answer = http.post(
            "/login",
            data={"username": "tech", "password": PASSWORD, "csrf_token": token.group(1)},
            headers={"X-Forwarded-Proto": "https"},
        )
    assert answer.status_code == 303
    assert "Secure" not in answer.headers["set-cookie"]
