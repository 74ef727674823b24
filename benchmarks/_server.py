"""What the benchmarks that talk to a running `camfleet serve` share: starting it, waiting until it answers,
percentiles of latencies, and reading its Prometheus metrics."""

from __future__ import annotations

import asyncio
import math
import os
import statistics
import subprocess
from collections.abc import Mapping
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from _common import CAMFLEET, SECRET

# One sample of /metrics: (metric name, sorted label pairs) -> value.
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def percentile(values: list[float], fraction: float) -> float:
    """The value below which that fraction of the values lie (in ms)."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0] * 1000.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1] * 1000.0


def serve(
    url: str,
    data_dir: Path,
    host: str,
    port: int,
    *,
    scheduler: bool,
    settings: Mapping[str, str] | None = None,
    log_path: Path | None = None,
) -> subprocess.Popen[bytes]:
    """`camfleet serve` (with or without its scheduler) on the benchmark's database, settings as CAMFLEET_* names."""
    env = {
        **os.environ,
        "CAMFLEET_DATABASE_URL": url,
        "CAMFLEET_DATA_DIR": str(data_dir),
        "CAMFLEET_SECRET_KEY": SECRET,
        "CAMFLEET_CONFIG": "",
        "CAMFLEET_LOG_LEVEL": "WARNING",
        **(settings or {}),
    }
    command = [CAMFLEET, "serve", "--host", host, "--port", str(port)]
    if not scheduler:
        command.append("--no-scheduler")
    log = log_path.open("wb") if log_path is not None else subprocess.DEVNULL
    try:
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    finally:
        if log_path is not None and not isinstance(log, int):
            log.close()


async def wait_until_up(base: str, server: subprocess.Popen[bytes], deadline_s: float = 60.0) -> None:
    """Wait until the health endpoint answers (exit if the server died or never answers)."""
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(int(deadline_s * 10)):
            if server.poll() is not None:
                raise SystemExit(f"camfleet serve exited with {server.returncode}")
            try:
                if (await http.get("/api/v1/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)  # a retry interval, not a readiness guess: readiness is the answer above
    raise SystemExit(f"camfleet serve did not answer within {deadline_s:.0f} s")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server as systemd would (SIGTERM), and wait for it."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


async def scrape(http: httpx.AsyncClient) -> Samples:
    """Every sample of the server's /metrics."""
    response = await http.get("/metrics", timeout=120)
    response.raise_for_status()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(value for (found, pairs), value in samples.items() if found == name and wanted <= set(pairs))


def histogram_quantiles(
    before: Samples, after: Samples, name: str, fractions: tuple[float, ...]
) -> tuple[list[float], float, int]:
    """Quantiles (seconds, interpolated within buckets as Prometheus's histogram_quantile does) of what a histogram
    observed between two scrapes, the upper bound of its highest non-empty bucket (the largest observation is at
    most that), and how many observations there were."""
    bucket = f"{name}_bucket"
    counts: dict[float, float] = {}
    for (found, pairs), value in after.items():
        if found == bucket:
            le = float(dict(pairs)["le"])
            counts[le] = value - before.get((found, pairs), 0.0)
    bounds = sorted(counts)
    observed = counts[math.inf] if bounds else 0.0
    if not observed:
        return [float("nan")] * len(fractions), float("nan"), 0
    quantiles = []
    for fraction in fractions:
        rank = fraction * observed
        lower, below = 0.0, 0.0
        for le in bounds:
            if counts[le] >= rank:
                if math.isinf(le):
                    quantiles.append(lower)
                else:
                    share = (rank - below) / (counts[le] - below) if counts[le] > below else 1.0
                    quantiles.append(lower + (le - lower) * share)
                break
            lower, below = le, counts[le]
    top = next(le for le in bounds if counts[le] >= observed)
    return quantiles, top, int(observed)
