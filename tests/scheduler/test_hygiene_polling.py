"""Cyber hygiene end to end: simulated cameras with certificates made here, the Poller's security check, both engines.

Simulated cameras on 127.119.2.x (ONVIF 8080, RTSP 8554, HTTPS 8443, RTSPS 8322).
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import select

from collectors.registry import Collectors
from config.hygiene import HygieneSettings
from config.settings import Settings
from fleet.audit.models import AuditEntry
from fleet.cameras.models import Camera
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault
from fleet.hygiene import rules
from fleet.hygiene.models import CameraHygiene
from fleet.users.models import Role
from scheduler.polling import Poller
from simulator.certificates import make_authority, make_certificate
from simulator.fleet import SimulatedFleet
from tests.api.web import client as web_client
from tests.api.web import csrf, login, people
from tests.builders import register_file
from tests.conftest import bearer

HTTPS, RTSPS = 8443, 8322
NAMES = ("CERT-EXPIRED", "CERT-EXPIRING", "CERT-WEAK", "DRIFT")
HYGIENE_KINDS = {"certificate_expired", "certificate_expiring", "config_drift"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The municipality's NTP server; HTTPS only where the camera names it, RTSPS on this test's port."""
    hygiene = HygieneSettings(https_ports=[], rtsps_ports=[RTSPS], ntp_servers=["ntp.gemeente.example"])
    return settings.model_copy(update={"hygiene": hygiene})


@pytest_asyncio.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimulatedFleet]:
    path = tmp_path / "fleet.csv"
    rows = ["name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,username,password"]
    rows += [f"{name},127.119.2.{n},8080,1161,8554,Axis,admin,hygiene-{n}" for n, name in enumerate(NAMES, 1)]
    path.write_text("\n".join(rows) + "\n")
    async with SimulatedFleet.from_csv(path, snapshot_size=(320, 180)) as simulated:
        authority = make_authority()
        expired = make_certificate("cert-expired.venlo.test", ended_ago=timedelta(days=2))
        expiring = make_certificate("cert-expiring.venlo.test", valid_for=timedelta(days=10), issuer=authority)
        weak = make_certificate("cert-weak.venlo.test", rsa_bits=1024, issuer=authority)
        await simulated.camera("CERT-EXPIRED").serve_tls(expired.certificate_pem, expired.key_pem, https_port=HTTPS)
        await simulated.camera("CERT-EXPIRING").serve_tls(expiring.certificate_pem, expiring.key_pem, https_port=HTTPS)
        await simulated.camera("CERT-WEAK").serve_tls(weak.certificate_pem, weak.key_pem, rtsps_port=RTSPS)
        await simulated.camera("DRIFT").update(discoverable=True, ntp_servers=["pool.ntp.org"])
        yield simulated


@pytest_asyncio.fixture
async def poller(
    settings: Settings, database: Database, cipher: CredentialCipher, tmp_path: Path, fleet: SimulatedFleet
) -> AsyncIterator[Poller]:
    await register_file(database, cipher, tmp_path / "fleet.csv")
    async with Collectors.for_settings(settings) as collectors:
        yield Poller(database, settings, collectors, cipher, owner="test-hygiene", rng=random.Random(20))


async def _open(database: Database) -> dict[str, dict[str, Fault]]:
    async with database.unit_of_work() as session:
        names = {c.id: c.name for c in await session.scalars(select(Camera))}
        found: dict[str, dict[str, Fault]] = {name: {} for name in names.values()}
        for fault in await session.scalars(select(Fault).where(Fault.closed_at.is_(None))):
            if fault.camera_id is not None and fault.kind.value in HYGIENE_KINDS:
                found[names[fault.camera_id]][fault.kind.value] = fault
    return found


async def _rows(database: Database) -> dict[str, CameraHygiene]:
    async with database.unit_of_work() as session:
        names = {c.id: c.name for c in await session.scalars(select(Camera))}
        return {names[r.camera_id]: r for r in await session.scalars(select(CameraHygiene))}


async def test_certificates_exposed_services_and_drift(
    poller: Poller,
    database: Database,
    fleet: SimulatedFleet,
    settings: Settings,
    client: httpx.AsyncClient,
    tokens: dict[Role, str],
) -> None:
    await poller.tick(everything=True)
    faults = await _open(database)
    assert set(faults["CERT-EXPIRED"]) == {"certificate_expired", "certificate_expiring"}
    assert set(faults["CERT-EXPIRING"]) == {"certificate_expiring"}
    assert faults["CERT-WEAK"] == {} and faults["DRIFT"] == {}
    expiring = faults["CERT-EXPIRING"]["certificate_expiring"]
    assert expiring.severity.value == "warning" and "https:8443 ends" in expiring.summary
    assert faults["CERT-EXPIRED"]["certificate_expired"].severity.value == "major"

    seen = await _rows(database)
    assert rules.plain_http_only(seen["CERT-WEAK"].endpoints) and rules.plain_http_only(seen["DRIFT"].endpoints)
    assert not rules.plain_http_only(seen["CERT-EXPIRED"].endpoints)
    (weak,) = seen["CERT-WEAK"].endpoints
    assert rules.weaknesses(weak["certificate"]) == ["RSA key of 1024 bits"]
    assert seen["DRIFT"].discoverable is True and seen["CERT-WEAK"].discoverable is False
    assert rules.foreign_ntp(seen["DRIFT"].ntp_servers, ["ntp.gemeente.example"]) == ["pool.ntp.org"]
    assert all(row.baseline == row.configuration and row.baseline_taken_by for row in seen.values())
    async with database.unit_of_work() as session:
        audited = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "camera.config_baseline"))).all()
    assert len(audited) == len(NAMES) and {a.actor for a in audited} == {"system:security-check"}

    # Someone lowers the frame rate: the recorder's retention was sized on 25 frames a second.
    await fleet.camera("DRIFT").update(frame_rate=12)
    await poller.tick(everything=True)
    drift = (await _open(database))["DRIFT"]["config_drift"]
    assert drift.details["changes"] == [{"setting": "encoder/VideoEncoderToken_1/frame_rate", "old": 25.0, "new": 12.0}]
    assert "frame_rate 25.0 → 12.0" in drift.summary

    await _shown_on_the_pages(settings, database)
    # A coordinator accepts the change as the new normal: the drift closes, audited, and stays closed.
    async with database.unit_of_work() as session:
        camera = await session.scalar(select(Camera).where(Camera.name == "DRIFT"))
    assert camera is not None
    url = f"/api/v1/cameras/{camera.id}/baseline"
    assert (await client.post(url, headers=bearer(tokens[Role.VIEWER]))).status_code == 403
    taken = await client.post(url, headers=bearer(tokens[Role.COORDINATOR]))
    assert taken.status_code == 200 and taken.json()["drift"] == []
    await _read_through_the_api(client, tokens[Role.VIEWER])
    # The expiring certificate is renewed: its fault closes at the next check.
    renewed = make_certificate("cert-expiring.venlo.test", valid_for=timedelta(days=400))
    await fleet.camera("CERT-EXPIRING").serve_tls(renewed.certificate_pem, renewed.key_pem, https_port=HTTPS)
    await poller.tick(everything=True)
    faults = await _open(database)
    assert faults["DRIFT"] == {} and faults["CERT-EXPIRING"] == {}
    assert set(faults["CERT-EXPIRED"]) == {"certificate_expired", "certificate_expiring"}
    async with database.unit_of_work() as session:
        by_person = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "camera.config_baseline", AuditEntry.actor == "user-coordinator"
            )
        )
    assert by_person is not None and by_person.after is not None
    assert by_person.after["baseline"]["encoder/VideoEncoderToken_1/frame_rate"] == 12.0


async def _read_through_the_api(client: httpx.AsyncClient, token: str) -> None:
    listed = (await client.get("/api/v1/hygiene", headers=bearer(token))).json()
    shown = {item["camera_name"]: item for item in listed["items"]}
    assert listed["total"] == len(NAMES) and set(shown) == set(NAMES)
    assert shown["DRIFT"]["plain_http_only"] and shown["DRIFT"]["discoverable"] is True
    assert shown["DRIFT"]["ntp_foreign"] == ["pool.ntp.org"] and not shown["DRIFT"]["snmp_v2c"]
    assert "HTTP 8080" in shown["DRIFT"]["protocols_on"] and "RTSP 8554" in shown["DRIFT"]["protocols_on"]
    (expired,) = shown["CERT-EXPIRED"]["endpoints"]
    assert expired["days_left"] < 0 and expired["self_signed"] and expired["weaknesses"] == ["self-signed"]
    one = await client.get(f"/api/v1/cameras/{shown['CERT-WEAK']['camera_id']}/hygiene", headers=bearer(token))
    assert one.status_code == 200 and one.json()["endpoints"][0]["key_bits"] == 1024
    assert (await client.get("/api/v1/cameras/999999/hygiene", headers=bearer(token))).status_code == 404


async def _shown_on_the_pages(settings: Settings, database: Database) -> None:
    """The fleet page and the camera page show plain HTTP only, discovery on, foreign NTP, weak keys and drift."""
    await people(database)
    async with web_client(settings, database) as http:
        await login(http, "viewer")
        fleet_page = (await http.get("/hygiene")).text
        listed = (await http.get("/api/v1/hygiene")).status_code  # the API wants a token, not a page session
        async with database.unit_of_work() as session:
            drifting = await session.scalar(select(Camera.id).where(Camera.name == "DRIFT"))
        camera_page = (await http.get(f"/cameras/{drifting}")).text
    assert listed == 401
    for shown in ("CERT-WEAK", "RSA key of 1024 bits", "pool.ntp.org", "encoder/VideoEncoderToken_1/frame_rate"):
        assert shown in fleet_page, shown
    assert "25.0 → 12.0" in camera_page and "pool.ntp.org" in camera_page
    assert "/baseline" not in camera_page  # a viewer sees no re-baseline button
    async with web_client(settings, database) as http:
        await login(http, "coordinator")
        page = await http.get(f"/cameras/{drifting}")
        assert f'action="/cameras/{drifting}/baseline"' in page.text
        form = {"csrf_token": await csrf(http, f"/cameras/{drifting}")}
        refused = await http.post(f"/cameras/{drifting}/baseline")  # no CSRF token: refused, nothing taken
        taken = await http.post(f"/cameras/{drifting}/baseline", data=form)
    assert refused.status_code == 403 and taken.status_code == 303
    async with database.unit_of_work() as session:
        by_page = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "camera.config_baseline", AuditEntry.actor == "coordinator")
        )
        drift = await session.scalar(select(Fault).where(Fault.kind == "config_drift"))
    assert by_page is not None and drift is not None and drift.closed_at is not None  # the page closed it
