"""`camfleet demo`: the illustrative fleet simulated, polled and served on a fresh SQLite database."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.root import Opened, command, configure_logging, load_settings, opened, out
from cli.serve import run_server
from config.settings import Settings
from fleet import schema
from fleet.audit.service import Actor
from fleet.cameras import importer
from fleet.cameras import service as cameras
from fleet.cameras.schemas import CameraCreate, NetworkDeviceCreate, RecorderCreate
from fleet.db import utcnow
from fleet.users import service as users
from fleet.users.models import Role
from fleet.users.passwords import PasswordPolicy

if TYPE_CHECKING:
    from simulator.fleet import SimulatedFleet

DEMO_FLEET = Path(__file__).resolve().parent.parent / "config" / "demo" / "fleet-venlo.csv"
# Two recorders keep the fixed cameras' footage (the flexible ones record on their own SD card: `edge`).
DEMO_RECORDERS = DEMO_FLEET.with_name("recorders-venlo.csv")
# A switch in a street cabinet on the Markt, on a UPS, with six cameras of the city centre behind its ports.
DEMO_NETWORK = DEMO_FLEET.with_name("network-venlo.csv")
# The area the fibre reaches in the demo (city centre): its cameras still on copper are listed at /fibre-rollout.
DEMO_FIBRE_AREA = DEMO_FLEET.with_name("fibre-area-venlo.geojson")
# How far back the simulated footage reaches: within the default 7 to 28 days.
DEMO_KEPT_DAYS = 27.0

# What `camfleet demo` does to a few simulated cameras, so the pages have something to show.
DEMO_FAULTS: dict[str, dict[str, Any]] = {
    "VL-F012": {"offline": True},
    "VL-F027": {"clock_offset_s": 42.0},
    "VL-F033": {"image": "covered"},
    # A recorder whose disk failed (its SNMP disk table: Drive 2 crashed, Volume 1 degraded): storage_failed names
    # the disk and every camera whose footage it keeps.
    "NVR-BLERICK": {"disks": "failed"},
    # PoE off on the switch's port 2: VL-F002 behind it loses its power (poe_off on the switch, port Gi1/0/2).
    "SW-MARKT": {"poe_off": [2]},
}
DEMO_REBOOTING = "VL-F040"
# Cyber hygiene to show: HTTPS (8443, named in GetNetworkProtocols) with an ended and an ending certificate, and a
# camera with WS-Discovery on and someone else's NTP server.
DEMO_HTTPS_PORT = 8443
DEMO_CERTIFICATES = {"VL-F005": -timedelta(days=3), "VL-F006": timedelta(days=12)}
DEMO_HYGIENE: dict[str, dict[str, Any]] = {"VL-F007": {"discoverable": True, "ntp_servers": ["pool.ntp.org"]}}


def _demo_settings(base: Settings) -> Settings:
    """The settings with a fresh database file of its own and quicker polls, so the pages fill within a minute; the
    demo's fibre area unless one is set."""
    demo_db = base.data_dir / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{demo_db}{suffix}").unlink(missing_ok=True)
    return base.model_copy(
        update={
            "database_url": f"sqlite+aiosqlite:///{demo_db}",
            "scheduler": base.scheduler.model_copy(
                update={
                    "reachability_interval": timedelta(seconds=15),
                    "health_interval": timedelta(seconds=30),
                    "recording_interval": timedelta(seconds=30),
                }
            ),
            "network": base.network.model_copy(update={"fibre_area": base.network.fibre_area or DEMO_FIBRE_AREA}),
        }
    )


async def _seed(root: Opened) -> tuple[int, str, str]:
    """Import the demo fleet and create an admin; the number of cameras, the admin's password and API token."""
    password = secrets.token_urlsafe(12)
    network = importer.read_camera_file(DEMO_NETWORK, NetworkDeviceCreate)
    recorders = importer.read_camera_file(DEMO_RECORDERS, RecorderCreate)
    rows = importer.read_camera_file(DEMO_FLEET)
    async with root.database.unit_of_work() as session:
        actor = Actor.system("demo")
        # Network devices first: the cameras name them as their uplinks (the switch names the UPS, listed first).
        for devices in (network, recorders, rows):
            await cameras.upsert_many(session, actor=actor, rows=importer.iter_cameras(devices), cipher=root.cipher)
        policy = PasswordPolicy.of(root.settings.web)
        admin = await users.create_user(
            session, actor=actor, username="admin", role=Role.ADMIN, password=password, policy=policy
        )
        expires_at = users.token_expiry(root.settings.api.token_lifetime, now=utcnow())
        _row, token = await users.create_token(session, actor=actor, user=admin, name="demo", expires_at=expires_at)
    return len(rows), password, token


def _simulated_fleet() -> SimulatedFleet:
    """The cameras and the recorders, each recording the footage its file says it keeps."""
    from simulator.fleet import SimulatedFleet
    from simulator.recording import SimRecording
    from simulator.spec import parse_fleet_csv

    files = (DEMO_FLEET, DEMO_RECORDERS, DEMO_NETWORK)
    fleet = SimulatedFleet([spec for path in files for spec in parse_fleet_csv(path)], snapshot_size=(640, 360))
    for row in importer.read_camera_file(DEMO_FLEET):
        camera = row.camera
        if not isinstance(camera, CameraCreate):
            continue
        keeper = camera.name if camera.recorder == "edge" else camera.recorder
        if keeper in fleet.cameras:
            address = f"rtsp://{camera.host}:{camera.rtsp_port}/stream1"
            fleet.camera(keeper).state.recordings.append(
                SimRecording(f"REC-{camera.name}", camera.name, address, kept_days=DEMO_KEPT_DAYS)
            )
    return fleet


async def _keep_rebooting(fleet: SimulatedFleet) -> None:
    while True:
        await asyncio.sleep(90)
        await fleet.camera(DEMO_REBOOTING).reboot()


async def _serve_certificates(fleet: SimulatedFleet) -> None:
    from simulator.certificates import make_certificate

    for name, ends_in in DEMO_CERTIFICATES.items():
        if ends_in < timedelta(0):
            made = make_certificate(f"{name.lower()}.demo", ended_ago=-ends_in)
        else:
            made = make_certificate(f"{name.lower()}.demo", valid_for=ends_in)
        await fleet.camera(name).serve_tls(made.certificate_pem, made.key_pem, https_port=DEMO_HTTPS_PORT)


def _announce(settings: Settings, count: int, port: int, control: int, password: str, token: str) -> None:
    demo_db = settings.data_dir / "demo.db"
    out.print(
        f"camfleet demo: {count} simulated cameras on 127.30.0.x, 2 recorders on 127.30.1.x, a switch with 6 "
        f"cameras behind it and its UPS on 127.30.2.x, database {demo_db}",
        markup=False,
    )
    out.print(
        f"  misbehaving: {', '.join(DEMO_FAULTS)} (offline, clock drift, lens covered, recorder disk "
        "failed, PoE off on port 2), "
        f"{DEMO_REBOOTING} (reboots every 90 s)",
        markup=False,
    )
    out.print(
        f"  hygiene: {', '.join(DEMO_CERTIFICATES)} (HTTPS certificate ended, ending), "
        f"{', '.join(DEMO_HYGIENE)} (discovery on, another NTP server)",
        markup=False,
    )
    out.print(f"  simulator control API: http://127.0.0.1:{control}/cameras", markup=False)
    out.print(f"  pages: http://127.0.0.1:{port}/  login admin / {password}", markup=False)
    out.print(f"  API:   curl -H 'Authorization: Bearer {token}' http://127.0.0.1:{port}/api/v1/cameras", markup=False)
    out.print(f"  admin token: {token}", markup=False)


@command
async def demo(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    control: Annotated[int, typer.Option(help="Port of the simulator's control API on 127.0.0.1.")] = 8765,
) -> None:
    """Everything at once on a fresh SQLite database: the illustrative fleet, simulated, polled and served."""
    from simulator.control import ControlServer

    settings = _demo_settings(load_settings())
    configure_logging(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(schema.upgrade, settings.database_url)
    async with opened(settings) as root:
        count, password, token = await _seed(root)
        fleet = _simulated_fleet()
        control_server = ControlServer(fleet, "127.0.0.1", control)
        async with fleet:
            await control_server.start()
            for name, changes in {**DEMO_FAULTS, **DEMO_HYGIENE}.items():
                await fleet.camera(name).update(**changes)
            await _serve_certificates(fleet)
            rebooter = asyncio.create_task(_keep_rebooting(fleet))
            _announce(settings, count, port, control, password, token)
            try:
                await run_server(root, "127.0.0.1", port, scheduler=True)
            finally:
                rebooter.cancel()
                await control_server.stop()
