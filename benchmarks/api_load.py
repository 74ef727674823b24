"""The API under load (issues 10 and 17): 50,000 cameras with faults, one client and then 50 concurrent clients
listing and filtering cameras and faults (by page number and by cursor), on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/api_load.py [-n 50000] [--clients 50] [--seconds 20] [--engines sqlite,postgresql]

For each engine: a fresh database (SQLite file, or a PostgreSQL database of its own that is dropped at the end),
cameras and faults bulk-inserted, then `camfleet serve --no-scheduler` in a subprocess on 127.95.1.1 — the real
uvicorn server, one process, as deployed. 50 httpx clients (each its own connection) send requests back to back
for a fixed time: first `GET /api/v1/health` (no token: the baseline of what the server and the machine give for
any request), then a mix of camera and fault lists with filters, pages by number and pages by cursor (collected by
walking the lists first), with a viewer token. The same two phases run first with one client (latency: target p95 at
most 100 ms for the lists), then with `--clients` (throughput: target at least 0.7 times the health endpoint's
requests/s). Figures: requests/s, p50 and p95 latency per request kind, the targets beside their same-run
baselines. Every answer must be 200; the count of others is printed. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, select, text

from _common import bench_settings, database_url, load_average, migrated, ratio, target, timed
from _server import percentile, serve, wait_until_up
from fleet.audit.service import Actor
from fleet.cameras.models import Camera, CameraKind, CameraStatus, RiskLevel
from fleet.db import Database, refresh_statistics
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.users import service as users
from fleet.users.models import Role
from fleet.users.passwords import PasswordPolicy

HOST, PORT = "127.95.1.1", 8791
AREAS = [f"Wijk {n:02d}" for n in range(25)]
MANUFACTURERS = ["Axis", "Hikvision", "Dahua", "Bosch", "Hanwha", "Uniview", "MOBOTIX"]
STATUSES = [CameraStatus.UP] * 17 + [CameraStatus.DEGRADED, CameraStatus.DOWN, CameraStatus.UNKNOWN]
NOW = datetime.now(UTC)


async def seed(database: Database, cameras: int) -> tuple[str, int]:
    """Cameras and faults bulk-inserted; returns a viewer token and the number of faults."""
    rng = random.Random(10)
    async with database.unit_of_work() as session:
        await session.execute(
            insert(Camera),
            [
                {
                    "name": f"L-{n:05d}",
                    "host": f"10.{n // 62500}.{n // 250 % 250}.{n % 250 + 1}",
                    "kind": CameraKind.FLEXIBLE if n % 20 == 0 else CameraKind.FIXED,
                    "area": AREAS[n % len(AREAS)],
                    "site": f"Locatie {n % 400}",
                    "poller_group": f"zone-{n % 4}",
                    "declared_manufacturer": MANUFACTURERS[n % len(MANUFACTURERS)],
                    "observed_manufacturer": MANUFACTURERS[n % len(MANUFACTURERS)],
                    "status": rng.choice(STATUSES),
                    "risk_level": RiskLevel.HIGH if n % 7 in (1, 2) else RiskLevel.LOW,
                    "last_seen_at": NOW,
                }
                for n in range(cameras)
            ],
        )
        ids = (await session.scalars(select(Camera.id))).all()
        faults = []
        kinds = [FaultKind.OFFLINE, FaultKind.CLOCK_DRIFT, FaultKind.STORAGE_FAILURE, FaultKind.SNMP_UNREACHABLE]
        for camera_id in ids:
            for _ in range(rng.choice((0, 0, 1, 2, 3))):
                opened = NOW - timedelta(hours=rng.uniform(1, 24 * 365))
                closed = None if rng.random() < 0.1 else opened + timedelta(hours=rng.uniform(0.1, 48))
                faults.append(
                    {
                        "camera_id": camera_id,
                        "kind": rng.choice(kinds),
                        "severity": Severity.MAJOR,
                        "summary": "seeded",
                        "opened_at": opened,
                        "closed_at": closed,
                    }
                )
        # One open fault per (camera, kind): keep the first of each.
        seen: set[tuple[int, FaultKind]] = set()
        rows = []
        for fault in faults:
            key = (fault["camera_id"], fault["kind"])
            if fault["closed_at"] is None and key in seen:
                continue
            if fault["closed_at"] is None:
                seen.add(key)
            rows.append(fault)
        for chunk in range(0, len(rows), 5000):
            await session.execute(insert(Fault), rows[chunk : chunk + 5000])
        actor = Actor(name="benchmark")
        user = await users.create_user(
            session, actor=actor, username="viewer", role=Role.VIEWER, policy=PasswordPolicy()
        )
        _row, token = await users.create_token(session, actor=actor, user=user, name="load", expires_at=None)
    # Planner statistics, as camfleet's hourly prune job keeps them on SQLite and autovacuum on a running PostgreSQL
    # server; right after a bulk load there are none.
    async with database.unit_of_work() as session:
        await refresh_statistics(session)
    if database.engine.dialect.name == "postgresql":
        async with database.engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
            await connection.commit()
    return token, len(rows)


# Targets of issue 17.
P95_TARGET_MS = 100.0
RATIO_TARGET = 0.7
# Lists walked by cursor before the timed phases; the mix asks for pages after the cursors found.
WALKS = [
    ("cameras by cursor", "/api/v1/cameras?size=50"),
    ("cameras by cursor, area+kind", "/api/v1/cameras?size=50&area=Wijk%2003&kind=fixed"),
    ("cameras by cursor, sort=last_seen", "/api/v1/cameras?size=50&sort=last_seen"),
    ("faults by cursor", "/api/v1/faults?size=50"),
    ("faults by cursor, open", "/api/v1/faults?size=50&open=true"),
]
WALK_PAGES = 40


async def _json(http: httpx.AsyncClient, path: str) -> dict[str, Any]:
    response = await http.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path}: {response.status_code} {response.text[:500]}")
    body: dict[str, Any] = response.json()
    return body


async def cursor_requests(base: str, headers: dict[str, str]) -> list[tuple[str, str]]:
    """Walk each list in WALKS for up to WALK_PAGES pages; the pages after each cursor found, as (kind, path)."""
    found: list[tuple[str, str]] = []
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as http:
        for kind, path in WALKS:
            answer = await _json(http, path)
            for _ in range(WALK_PAGES):
                cursor = answer["next_cursor"]
                if cursor is None:
                    break
                following = f"{path}&cursor={cursor}"
                found.append((kind, following))
                answer = await _json(http, following)
    return found


def request_mix(cameras: int) -> list[tuple[str, str]]:
    """(kind, path) pairs the clients pick from at random: lists, filters, pages, one camera's faults."""
    pages = max(1, cameras // 50)
    mix = [
        ("cameras page", "/api/v1/cameras?page={page}&size=50"),
        ("cameras status=down", "/api/v1/cameras?status=down"),
        ("cameras area", "/api/v1/cameras?area={area}"),
        ("cameras manufacturer+risk", "/api/v1/cameras?manufacturer=Hikvision&risk=high&page=2"),
        ("cameras search", "/api/v1/cameras?q=L-0{digits}"),
        ("faults open", "/api/v1/faults?open=true"),
        ("faults open offline", "/api/v1/faults?open=true&kind=offline&page={small_page}"),
        ("faults of a camera", "/api/v1/faults?camera_id={camera_id}"),
    ]
    rng = random.Random(3)
    return [
        (
            kind,
            path.format(
                page=rng.randint(1, pages),
                small_page=rng.randint(1, 5),
                area=AREAS[rng.randrange(len(AREAS))].replace(" ", "%20"),
                digits=rng.randint(10, 99),
                camera_id=rng.randint(1, cameras),
            ),
        )
        for kind, path in mix * 50
    ]


@dataclass
class Phase:
    """What the clients measured in one timed phase."""

    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: int = 0

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def all_latencies(self) -> list[float]:
        return [value for values in self.latencies.values() for value in values]


async def load(
    base: str, requests: list[tuple[str, str]], headers: dict[str, str], clients: int, seconds: float
) -> Phase:
    """`clients` clients, each on its own connection, sending requests back to back for `seconds`."""
    phase = Phase()
    deadline = time.perf_counter() + seconds

    async def client(number: int) -> None:
        rng = random.Random(number)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60.0) as http:
            while time.perf_counter() < deadline:
                kind, path = requests[rng.randrange(len(requests))]
                started = time.perf_counter()
                response = await http.get(path)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    phase.failures += 1
                else:
                    phase.latencies[kind].append(elapsed)

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    phase.seconds = time.perf_counter() - started
    return phase


def _print_phases(label: str, clients: int, seconds: float, baseline: Phase, lists: Phase) -> None:
    print(f"\n{label}: {clients} client(s), {seconds:.0f} s per phase, load average {load_average()}")
    print(f"{'request':<36}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}")
    for kind, values in sorted(baseline.latencies.items()) + sorted(lists.latencies.items()):
        print(f"{kind:<36}{len(values):>8}{percentile(values, 0.5):>10.1f}{percentile(values, 0.95):>10.1f}")
    every = lists.all_latencies()
    print(f"{'all lists':<36}{len(every):>8}{percentile(every, 0.5):>10.1f}{percentile(every, 0.95):>10.1f}")
    print(
        f"health {baseline.per_s:.0f} req/s; lists {lists.per_s:.0f} req/s "
        f"(ratio {ratio(lists.per_s, baseline.per_s):.2f}); answers other than 200: "
        f"{baseline.failures + lists.failures}"
    )


async def _phases(
    base: str, mix: list[tuple[str, str]], headers: dict[str, str], clients: int, seconds: float
) -> tuple[Phase, Phase]:
    """The health baseline, then the mix of lists, with the same number of clients."""
    baseline = await load(base, [("health", "/api/v1/health")], {}, clients, seconds)
    lists = await load(base, mix, headers, clients, seconds)
    return baseline, lists


async def measure(
    label: str, url: str, data_dir: Path, cameras: int, clients: int, seconds: float, host: str = HOST
) -> dict[str, float]:
    """Seed the database, serve it, and load it: one client, then many; health baseline, then the mix of lists."""
    database = await migrated(bench_settings(data_dir, url))
    with timed() as seeding:
        token, faults = await seed(database, cameras)
    await database.dispose()
    print(f"{label}: seeded {cameras} cameras and {faults} faults in {seeding.seconds:.1f} s", flush=True)
    server = serve(url, data_dir, host, PORT, scheduler=False)
    base = f"http://{host}:{PORT}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        await wait_until_up(base, server)
        mix = request_mix(cameras) + await cursor_requests(base, headers)
        await load(base, mix, headers, clients, min(3.0, seconds))  # warm-up
        alone = await _phases(base, mix, headers, 1, seconds)
        crowd = await _phases(base, mix, headers, clients, seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    _print_phases(label, 1, seconds, *alone)
    _print_phases(label, clients, seconds, *crowd)
    p95 = percentile(alone[1].all_latencies(), 0.95)
    health_p95 = percentile(alone[0].all_latencies(), 0.95)
    crowd_ratio = ratio(crowd[1].per_s, crowd[0].per_s)
    print()
    target(
        f"{label}: lists p95 <= {P95_TARGET_MS:.0f} ms for one client on {cameras} cameras",
        p95 <= P95_TARGET_MS,
        f"{p95:.1f} ms; health p95 {health_p95:.1f} ms in the same run",
    )
    target(
        f"{label}: lists >= {RATIO_TARGET} x the health endpoint's requests/s with {clients} clients",
        crowd_ratio >= RATIO_TARGET,
        f"{crowd_ratio:.2f}: {crowd[1].per_s:.0f} against {crowd[0].per_s:.0f} req/s in the same run",
    )
    every = crowd[1].all_latencies()
    return {
        "p95_1_ms": p95,
        "health_p95_1_ms": health_p95,
        "rps": crowd[1].per_s,
        "p50_ms": percentile(every, 0.5),
        "p95_ms": percentile(every, 0.95),
        "health_rps": crowd[0].per_s,
        "ratio": crowd_ratio,
        "errors": float(sum(phase.failures for phase in (*alone, *crowd))),
    }


async def main() -> None:
    """Measure on each engine, then print the machine-readable line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", "-n", type=int, default=50_000)
    parser.add_argument("--clients", "-c", type=int, default=50)
    parser.add_argument("--seconds", "-s", type=float, default=20.0)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--host", default=HOST, help=f"loopback address to serve on ({HOST})")
    args = parser.parse_args()
    print(f"load average before: {load_average()} (the machine is shared: read the ratios)")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for engine in args.engines.split(","):
            data_dir = Path(tmp) / engine
            async with database_url(engine, data_dir) as url:
                results[engine] = await measure(
                    engine, url, data_dir, args.cameras, args.clients, args.seconds, args.host
                )
    figures = " ".join(
        f"{engine}_{key}={value:.{0 if key.endswith('rps') or key == 'errors' else 2}f}"
        for engine, values in results.items()
        for key, value in values.items()
    )
    print(f"cameras={args.cameras} clients={args.clients} seconds={args.seconds:g} {figures}")


if __name__ == "__main__":
    asyncio.run(main())
