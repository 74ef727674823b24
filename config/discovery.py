"""`[discovery]` settings: reading switches' and routers' tables, and WS-Discovery probes (issue 19)."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from pydantic import Field, field_validator

from config.durations import Duration
from config.section import Section


class DiscoverySettings(Section):
    # How often the forwarding tables of switches and the neighbour (ARP) tables of routers are read.
    table_interval: Duration = timedelta(hours=1)
    # At most this many values are read from one device's tables (about three per learned address); more is that
    # device's recorded problem, not a bigger read.
    max_table_values: int = Field(default=60_000, ge=10, le=1_000_000)
    # Devices whose tables are read at once.
    table_concurrency: int = Field(default=8, ge=1, le=1000)
    # The longest one device's tables may take to read.
    table_timeout: Duration = timedelta(seconds=60)
    # Where WS-Discovery probes go: interface names (eth1) or IPv4 addresses of this machine's interfaces. Empty
    # (the default): camfleet never sends multicast.
    probe_interfaces: list[str] = Field(default_factory=list, max_length=64)
    # How long answers to one probe are awaited (WS-Discovery: devices answer within 500 ms, repeated).
    probe_wait: Duration = timedelta(seconds=3)
    # At most this many answers are kept from one probe; the rest are dropped.
    probe_max_matches: int = Field(default=5_000, ge=1, le=100_000)
    # A WS-Discovery answer not heard again for this long no longer counts as on the network.
    answers_stale_after: Duration = timedelta(days=2)

    @field_validator("probe_interfaces")
    @classmethod
    def _interfaces(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.IPv4Address(item)
            except ValueError:
                if not item or len(item) > 15 or not item.replace("-", "").replace(".", "").replace("_", "").isalnum():
                    raise ValueError(f"{item!r} is neither an interface name nor an IPv4 address") from None
        return value
