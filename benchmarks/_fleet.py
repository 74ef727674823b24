"""The benchmarks' simulated fleet: its cameras, the file camfleet and the simulator both read, and the simulator
in a child process with its control API."""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import ROOT, cpu_seconds
from collectors.base import SnmpCredentials, Target

VENDORS = (
    "Axis Communications",
    "Hikvision",
    "Dahua",
    "Bosch Security Systems",
    "Hanwha Vision",
    "Uniview",
    "MOBOTIX",
)
ONVIF_PORT, SNMP_PORT, RTSP_PORT = 8080, 1161, 8554
SNAPSHOT_SIZE = "320x180"
FLEET_COLUMNS = (
    "name",
    "host",
    "onvif_port",
    "snmp_port",
    "rtsp_port",
    "declared_manufacturer",
    "username",
    "password",
    "snmp_version",
    "snmp_community",
)

CLOCK_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
    b'<s:Body><GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>'
)
CLOCK_CONTENT_TYPE = (
    'application/soap+xml; charset=utf-8; action="http://www.onvif.org/ver10/device/wsdl/GetSystemDateAndTime"'
)


@dataclass(frozen=True, slots=True)
class BenchCamera:
    """One simulated camera as both sides of the benchmark know it."""

    index: int
    name: str
    host: str
    vendor: str
    username: str
    password: str
    community: str


def bench_cameras(
    count: int, *, network: str = "127.80", prefix: str = "BENCH", snmp: bool = True
) -> list[BenchCamera]:
    """`count` cameras of mixed vendors, each on its own address in the /16 `network`, 250 per /24; without SNMP
    settings (an empty community) when `snmp` is false."""
    if count > 250 * 256:
        raise ValueError(f"at most 64,000 cameras fit in {network}.0.0/16 here")
    return [
        BenchCamera(
            index=i,
            name=f"{prefix}-{i:05d}",
            host=f"{network}.{i // 250}.{i % 250 + 1}",
            vendor=VENDORS[i % len(VENDORS)],
            username="admin",
            password=f"{prefix.lower()}-pass-{i % 11}",
            community=f"{prefix.lower()}-community-{i % len(VENDORS)}" if snmp else "",
        )
        for i in range(count)
    ]


def write_fleet_csv(path: Path, fleet: Sequence[BenchCamera]) -> None:
    """A file both the simulator and camfleet's importer read; SNMP columns only for a fleet with SNMP."""
    snmp = any(c.community for c in fleet)
    columns = FLEET_COLUMNS if snmp else tuple(c for c in FLEET_COLUMNS if not c.startswith("snmp"))
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for c in fleet:
            writer.writerow(
                {
                    "name": c.name,
                    "host": c.host,
                    "onvif_port": ONVIF_PORT,
                    "snmp_port": SNMP_PORT,
                    "rtsp_port": RTSP_PORT,
                    "declared_manufacturer": c.vendor,
                    "username": c.username,
                    "password": c.password,
                    "snmp_version": "2c",
                    "snmp_community": c.community,
                }
            )


def to_target(cam: BenchCamera) -> Target:
    """The collectors' view of a bench camera."""
    return Target(
        camera_id=cam.index + 1,
        name=cam.name,
        host=cam.host,
        onvif_port=ONVIF_PORT,
        rtsp_port=RTSP_PORT,
        snmp_port=SNMP_PORT,
        username=cam.username,
        password=cam.password,
        snmp=SnmpCredentials(version="2c", community=cam.community),
    )


def _free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class SimulatorProcess:
    """`python -m simulator` in a child process, pinned to its own core, with its control API."""

    def __init__(self, fleet_csv: Path, log_path: Path, cpu: int | None) -> None:
        self.fleet_csv = fleet_csv
        self.log_path = log_path
        self.cpu = cpu
        self.control_port = _free_loopback_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the child; `wait_ready` tells when it answers."""
        command = [
            sys.executable,
            "-m",
            "simulator",
            "--fleet",
            str(self.fleet_csv),
            "--control",
            f"127.0.0.1:{self.control_port}",
            "--snapshot-size",
            SNAPSHOT_SIZE,
        ]
        with self.log_path.open("wb") as log_file:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT)
        if self.cpu is not None:
            os.sched_setaffinity(self.process.pid, {self.cpu})

    def stop(self) -> None:
        """Stop the child (Ctrl-C first, as a person would)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def _control(self, method: str, path: str) -> Any:
        request = urllib.request.Request(f"http://127.0.0.1:{self.control_port}{path}", method=method)
        with _NO_PROXY.open(request, timeout=30) as answer:
            return json.loads(answer.read())

    def wait_ready(self, expected: int, probe: BenchCamera, deadline_s: float) -> float:
        """Wait until the control API counts every camera and the last camera answers a SOAP POST."""
        started = time.perf_counter()
        while True:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"simulator exited: {self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                if self._control("GET", "/health").get("cameras") == expected and _soap_probe(probe):
                    return time.perf_counter() - started
            except OSError:
                pass
            if time.perf_counter() - started > deadline_s:
                raise RuntimeError(f"simulator not ready after {deadline_s:.0f} s")
            # A retry interval, not a readiness guess: readiness is the answer above.
            time.sleep(0.25)

    def cpu_seconds(self) -> float:
        """User + system CPU of the simulator process so far (all its threads)."""
        if self.process is None:
            return 0.0
        return cpu_seconds(self.process.pid)

    def reset_counters(self) -> None:
        """Zero every camera's request counters."""
        self._control("POST", "/counters/reset")

    def snmp_requests(self) -> int:
        """SNMP requests the cameras answered since the last reset."""
        items = self._control("GET", "/cameras")["items"]
        return sum(int(item["counters"]["snmp"]) for item in items)

    def onvif_requests(self, *operations: str) -> dict[str, int]:
        """ONVIF requests the cameras received since the last reset, per operation asked about."""
        items = self._control("GET", "/cameras")["items"]
        return {op: sum(int(item["counters"]["onvif"].get(op, 0)) for item in items) for op in operations}


def _soap_probe(cam: BenchCamera) -> bool:
    request = urllib.request.Request(
        f"http://{cam.host}:{ONVIF_PORT}/onvif/device_service",
        data=CLOCK_BODY,
        headers={"Content-Type": CLOCK_CONTENT_TYPE},
        method="POST",
    )
    with _NO_PROXY.open(request, timeout=5) as answer:
        return b"GetSystemDateAndTimeResponse" in answer.read()
