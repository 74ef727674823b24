"""Run every benchmark script in benchmarks/ with its defaults and print each one's last (machine-readable) line.

    .venv/bin/python benchmarks/run_all.py        # what `make bench` runs

Each script's output is shown as it runs; a script that overruns its time limit is stopped together with
the processes it started (its process group). The exit status is 1 when any script failed or overran.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Each benchmark bounds itself; this is the backstop for one that hangs.
TIME_LIMIT_S = 900.0
# Longer backstops: scale_out.py imports 20,000 cameras into PostgreSQL and polls them in several rounds;
# api_load.py seeds 50,000 cameras on each engine and loads each with one client and then fifty.
TIME_LIMITS_S = {"scale_out.py": 2700.0, "api_load.py": 1800.0}


def benchmark_scripts() -> list[Path]:
    """Every benchmark script beside this one (private helpers start with an underscore)."""
    return sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name and not p.name.startswith("_"))


def run(script: Path, time_limit_s: float = TIME_LIMIT_S) -> tuple[int | None, str]:
    """Run one script, echoing its output; return its exit status (None if stopped) and its last line."""
    process = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=HERE.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Its own process group, so a stop also reaches the simulator it starts.
        start_new_session=True,
    )
    overran = threading.Event()

    def stop() -> None:
        overran.set()
        os.killpg(process.pid, signal.SIGTERM)

    timer = threading.Timer(time_limit_s, stop)
    timer.start()
    last = ""
    try:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            if line.strip():
                last = line.strip()
        status = process.wait()
    finally:
        timer.cancel()
    return (None if overran.is_set() else status), last


def main() -> int:
    """Run them all, then print one summary line per script."""
    results: list[tuple[str, int | None, str, float]] = []
    for script in benchmark_scripts():
        print(f"=== {script.name}", flush=True)
        started = time.perf_counter()
        status, last = run(script, TIME_LIMITS_S.get(script.name, TIME_LIMIT_S))
        results.append((script.name, status, last, time.perf_counter() - started))
    print("\n=== summary")
    for name, status, last, seconds in results:
        outcome = "ok" if status == 0 else ("stopped: over the time limit" if status is None else f"exit {status}")
        print(f"{name} ({outcome}, {seconds:.0f} s): {last}")
    return 0 if all(status == 0 for _, status, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
