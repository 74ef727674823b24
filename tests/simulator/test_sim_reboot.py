"""Reboots that overlap: a camera comes back online after a reboot, and a close leaves no socket behind."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest_asyncio

from simulator.fleet import SimulatedFleet
from simulator.spec import CameraSpec

CAMERA = CameraSpec(name="RB-1", host="127.146.0.1", onvif_port=8080, rtsp_port=8554, snmp_port=1161)


@pytest_asyncio.fixture
async def fleet() -> AsyncIterator[SimulatedFleet]:
    """One generic camera on 127.146.0.1."""
    async with SimulatedFleet((CAMERA,), snapshot_size=(64, 36)) as running:
        yield running


async def _answering() -> bool:
    try:
        _reader, writer = await asyncio.open_connection(CAMERA.host, CAMERA.onvif_port)
    except ConnectionRefusedError:
        return False
    writer.close()
    return True


def _free(kind: socket.SocketKind, port: int) -> bool:
    """Whether a fresh socket can bind the camera's address and port (SO_REUSEADDR for TCP, as the camera's own
    listeners use: only a socket still listening there refuses it)."""
    with socket.socket(socket.AF_INET, kind) as probe:
        if kind == socket.SOCK_STREAM:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((CAMERA.host, port))
        except OSError:
            return False
        return True


async def test_a_reboot_during_a_downtime_brings_the_camera_back(fleet: SimulatedFleet) -> None:
    camera = fleet.camera("RB-1")
    await camera.reboot(downtime_s=60)
    assert camera.state.offline and not await _answering()

    await camera.reboot()
    assert not camera.state.offline and await _answering()
    assert camera.state.boots == 2


async def test_close_during_a_comeback_leaves_no_socket_listening(fleet: SimulatedFleet) -> None:
    camera = fleet.camera("RB-1")
    # The comeback wakes at once; closing after each number of loop steps cancels it at each point of reopening
    # (it takes 14 steps to finish: the last rounds close a camera that is back).
    for steps in range(30):
        await camera.reboot(downtime_s=1e-9)
        for _ in range(steps):
            await asyncio.sleep(0)
        await camera.close()
        assert _free(socket.SOCK_STREAM, CAMERA.onvif_port), f"ONVIF port still bound after {steps} steps"
        assert _free(socket.SOCK_STREAM, CAMERA.rtsp_port), f"RTSP port still bound after {steps} steps"
        assert _free(socket.SOCK_DGRAM, CAMERA.snmp_port), f"SNMP port still bound after {steps} steps"
