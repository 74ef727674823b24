"""How many cores a fleet needs at the default intervals, from CPU per check measured in the same run."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping

from _common import target
from _rounds import Round
from collectors.image_analysis import analyse
from config.checks import CheckKind
from config.settings import Settings
from simulator.images import SceneCache, Snapshotter
from simulator.state import ImageState

FLEET = 50_000
# The checks the sizing counts (SNMP only where configured: printed beside, not in the target).
COUNTED = (
    CheckKind.REACHABILITY,
    CheckKind.ONVIF_HEALTH,
    CheckKind.STREAM,
    CheckKind.IMAGE,
    CheckKind.ONVIF_IDENTITY,
)


def checks_per_s(settings: Settings, cameras: int = FLEET) -> dict[CheckKind, float]:
    """Each check kind's rate for a fleet at the settings' intervals."""
    scheduler = settings.scheduler
    every = {
        CheckKind.REACHABILITY: scheduler.reachability_interval,
        CheckKind.ONVIF_HEALTH: scheduler.health_interval,
        CheckKind.STREAM: scheduler.health_interval,
        CheckKind.SNMP: scheduler.health_interval,
        CheckKind.IMAGE: scheduler.image_interval,
        CheckKind.ONVIF_IDENTITY: scheduler.identity_interval,
    }
    return {kind: cameras / interval.total_seconds() for kind, interval in every.items()}


def image_analysis_ms(frames: int = 6) -> float:
    """Our CPU to analyse one 1080p snapshot of the simulator's street scenes (median of a few, as
    benchmarks/image_analysis.py measures it in full)."""
    camera = Snapshotter(SceneCache(1920, 1080), 9_000, _rng=random.Random(1))
    spent = []
    for n in range(frames):
        jpeg = camera.snapshot(ImageState.NIGHT if n % 2 else ImageState.NORMAL)
        started = time.process_time()
        analyse(jpeg)
        spent.append((time.process_time() - started) * 1000)
    return sorted(spent)[len(spent) // 2]


def estimate_stream_and_image(collector_ms: dict[CheckKind, float]) -> dict[CheckKind, str]:
    """Fill in the stream and image checks, whose rounds this benchmark's simulator cannot serve at scale: each is
    priced as the ONVIF health check's round of this run (a request or two to the camera), the image check plus
    the analysis of one 1080p snapshot measured now. Returns how each was estimated, for the projection to say."""
    health = collector_ms.get(CheckKind.ONVIF_HEALTH)
    if health is None:
        return {}
    analysis = image_analysis_ms()
    collector_ms.setdefault(CheckKind.STREAM, health)
    collector_ms.setdefault(CheckKind.IMAGE, health + analysis)
    return {
        CheckKind.STREAM: "estimated: as the ONVIF health round",
        CheckKind.IMAGE: f"estimated: ONVIF health round + {analysis:.1f} ms image analysis",
    }


def project(
    collector_ms: Mapping[CheckKind, float],
    recording_ms: Mapping[str, float],
    database_ms: Mapping[str, float],
    estimated: Mapping[CheckKind, str] | None = None,
) -> None:
    """Print the cores camfleet's own processes need for FLEET cameras per engine (collectors' CPU per check kind
    plus the recording path's CPU per check), the database's apart, and the ≤ 1 core target. A kind whose
    collector this run did not measure is listed, and left out of the sum (the target line says so)."""
    rates = checks_per_s(Settings())
    counted = sum(rates[k] for k in COUNTED)
    measured = [k for k in COUNTED if k in collector_ms]
    collecting = sum(rates[k] * collector_ms[k] for k in measured) / 1000
    print(f"\nprojection: {FLEET:,} cameras at the default intervals, {counted:,.0f} checks/s:")
    for kind in (*COUNTED, CheckKind.SNMP):
        rate = rates[kind]
        if kind in collector_ms:
            cores = rate * collector_ms[kind] / 1000
            how = f" ({estimated[kind]})" if estimated and kind in estimated else ""
            print(
                f"  {kind.value:<16} {rate:>7.1f} checks/s × {collector_ms[kind]:6.3f} ms collector CPU "
                f"= {cores:5.2f} cores{how}"
            )
        else:
            print(f"  {kind.value:<16} {rate:>7.1f} checks/s × collector CPU not measured in this run")
    left_out = [k.value for k in COUNTED if k not in collector_ms]
    missing = f"; collectors of {', '.join(left_out)} not counted" if left_out else ""
    if estimated:
        missing += f"; {', '.join(k.value for k in estimated)} estimated (above)"
    for engine, per_check in recording_ms.items():
        recording = counted * per_check / 1000
        cores = collecting + recording
        database = counted * database_ms.get(engine, 0.0) / 1000
        print(
            f"  {engine}: collectors {collecting:.2f} + recording path {recording:.2f} ({per_check:.3f} ms × every "
            f"check) = {cores:.2f} cores of camfleet's own; database server apart {database:.2f} cores"
        )
        label = f"{engine}: {FLEET:,} cameras on ≤ 1 core of camfleet's own processes"
        target(label, cores <= 1.0, f"{cores:.2f} cores{missing}")


def recording_report(
    ticks: Mapping[str, Round | None],
    full: Round,
    checks_per_camera: int,
    collector_ms: dict[CheckKind, float],
) -> None:
    """The steady tick's CPU per check on each engine (target ≤ 0.5 ms), split into the collectors' own round of
    the same checks and the rest (the recording path: claims, targets, states, results, rules), the database
    server's CPU apart; then the projection."""
    recording: dict[str, float] = {}
    database: dict[str, float] = {}
    collectors = full.cpu_ms_per_camera / checks_per_camera
    print(f"\nsteady poller tick, CPU per check ({checks_per_camera} checks per camera):")
    for engine, tick in ticks.items():
        if tick is None:
            print(f"  {engine}: not measured")
            continue
        per_check = tick.cpu_ms_per_camera / checks_per_camera
        recording[engine] = max(0.0, per_check - collectors)
        database[engine] = 1000 * tick.server_cpu_s / tick.checks if tick.checks else 0.0
        inside = " (SQLite runs in our process: counted in the tick)" if engine == "sqlite" else ""
        print(
            f"  {engine:<10} tick {per_check:.3f} ms = collectors' round {collectors:.3f} + recording path "
            f"{recording[engine]:.3f}; database server apart {database[engine]:.3f} ms{inside}"
        )
        label = f"{engine}: ≤ 0.5 ms CPU per check in a steady tick, end to end"
        target(label, per_check <= 0.5, f"{per_check:.3f} ms")
    if recording:
        estimated = estimate_stream_and_image(collector_ms)
        project(collector_ms, recording, database, estimated)
