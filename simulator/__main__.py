"""`python -m simulator --fleet FILE.csv [--control HOST:PORT] [--snapshot-size WxH]`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from simulator.fleet import DEFAULT_SNAPSHOT_SIZE, parse_host_port, run
from simulator.spec import FleetFileError


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    return int(width), int(height)


def main() -> None:
    """Parse arguments and simulate until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--fleet", type=Path, required=True, help="fleet CSV (one camera per row)")
    parser.add_argument("--control", type=parse_host_port, help="control API address, e.g. 127.0.0.1:8765")
    parser.add_argument("--snapshot-size", type=_size, default=DEFAULT_SNAPSHOT_SIZE, help="e.g. 1920x1080")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        run(args.fleet, args.control, snapshot_size=args.snapshot_size)
    except (FleetFileError, OSError) as error:
        sys.exit(f"simulator: {error}")


if __name__ == "__main__":
    main()
