"""The whole simulated fleet in one process, and the entry points for the CLI."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from simulator.camera import SimulatedCamera
from simulator.control import ControlServer
from simulator.device import Device
from simulator.events import InFlight
from simulator.images import SceneCache
from simulator.network import Network
from simulator.spec import CameraSpec, FleetFileError, parse_fleet_csv

log = logging.getLogger(__name__)

DEFAULT_SNAPSHOT_SIZE = (1920, 1080)
DEFAULT_SCENE_CACHE_BYTES = 512 * 2**20


class SimulatedFleet:
    """Every camera of a fleet file, each on its own loopback address."""

    def __init__(
        self,
        specs: Sequence[CameraSpec],
        *,
        snapshot_size: tuple[int, int] = DEFAULT_SNAPSHOT_SIZE,
        scene_cache_bytes: int = DEFAULT_SCENE_CACHE_BYTES,
    ) -> None:
        width, height = snapshot_size
        self.scenes = SceneCache(width, height, scene_cache_bytes)
        self.cameras: dict[str, SimulatedCamera] = {}
        for spec in specs:
            if spec.name in self.cameras:
                raise FleetFileError(f"{spec.name}: camera name used twice")
            self.cameras[spec.name] = SimulatedCamera(Device.create(spec, self.scenes))
        # Switches, routers and UPSes with the devices behind their ports (checked now: a bad uplink is a file error).
        self.network = Network(self.cameras)
        # Subscribe requests being answered across the fleet: the most a client had in flight at once.
        self.subscribing = InFlight()
        for camera in self.cameras.values():
            camera.changed = self.network.apply
            camera.device.subscribing = self.subscribing

    @classmethod
    def from_csv(
        cls,
        path: Path,
        *,
        snapshot_size: tuple[int, int] = DEFAULT_SNAPSHOT_SIZE,
        scene_cache_bytes: int = DEFAULT_SCENE_CACHE_BYTES,
    ) -> SimulatedFleet:
        """Build the fleet described by a fleet CSV file."""
        return cls(parse_fleet_csv(path), snapshot_size=snapshot_size, scene_cache_bytes=scene_cache_bytes)

    def camera(self, name: str) -> SimulatedCamera:
        """One camera by fleet name (KeyError when unknown)."""
        return self.cameras[name]

    def reset_counters(self) -> None:
        """Zero every camera's poll counters and the most subscribe requests at once."""
        for camera in self.cameras.values():
            camera.device.counters.reset()
        self.subscribing.reset()

    async def start(self) -> None:
        """Open every camera's sockets; on failure, close what was opened and say which camera failed."""
        for camera in self.cameras.values():
            try:
                await camera.start()
            except OSError as error:
                await self.stop()
                spec = camera.device.spec
                raise OSError(error.errno, f"{camera.name}: cannot listen on {spec.host} ({error.strerror})") from error
        await self.network.apply()
        log.info("simulating %d cameras", len(self.cameras))

    async def stop(self) -> None:
        """Close every socket."""
        await asyncio.gather(*(camera.close() for camera in self.cameras.values()))

    async def __aenter__(self) -> SimulatedFleet:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


async def serve(
    fleet_csv: Path,
    control: tuple[str, int] | None,
    *,
    ready: asyncio.Event | None = None,
    snapshot_size: tuple[int, int] = DEFAULT_SNAPSHOT_SIZE,
) -> None:
    """Simulate every camera of `fleet_csv` (and serve the control API) until cancelled."""
    fleet = SimulatedFleet.from_csv(fleet_csv, snapshot_size=snapshot_size)
    control_server = ControlServer(fleet, *control) if control else None
    async with fleet:
        if control_server is not None:
            await control_server.start()
        try:
            if ready is not None:
                ready.set()
            await asyncio.Event().wait()
        finally:
            if control_server is not None:
                await control_server.stop()


def parse_host_port(text: str) -> tuple[str, int]:
    """`127.0.0.1:8765` → ("127.0.0.1", 8765); the control API only listens on loopback."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"{text!r} is not HOST:PORT")
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"{host} is not a loopback address")
    return host, int(port)


def run(
    fleet_csv: Path,
    control: tuple[str, int] | None = None,
    *,
    snapshot_size: tuple[int, int] = DEFAULT_SNAPSHOT_SIZE,
) -> None:
    """Blocking entry point for `camfleet simulate`: runs until Ctrl-C."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(fleet_csv, control, snapshot_size=snapshot_size))
