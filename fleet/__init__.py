"""camfleet's domain: cameras, health, faults, tickets, alerts, risk, uptime, decisions."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("camfleet")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
