"""`[cameras]` settings: which networks camera hosts may be in (so the registry cannot be used to scan others)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from pydantic import Field, field_validator

from config.durations import Duration
from config.section import Section

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def outside(address: str, networks: Sequence[IpNetwork]) -> bool:
    """Whether an IP address lies outside every one of the networks; never, when no networks are set."""
    if not networks:
        return False
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:10.1.2.3 is 10.1.2.3
    return not any(ip.version == network.version and ip in network for network in networks)


async def addresses(host: str) -> list[str]:
    """Every IP address a camera host stands for: an address literal itself, a host name what it resolves to now.

    OSError (socket.gaierror) when a name does not resolve.
    """
    literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return [str(ipaddress.ip_address(literal))]
    except ValueError:
        pass
    found = await asyncio.get_running_loop().getaddrinfo(literal, None, type=socket.SOCK_STREAM)
    unique: list[str] = []
    for *_, sockaddr in found:
        address = str(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))
        if address not in unique:
            unique.append(address)
    if not unique:
        raise socket.gaierror(f"{host} resolves to no address")
    return unique


class CameraSettings(Section):
    # Empty: no restriction. Otherwise every camera host (and every address a host name resolves to) must lie in one
    # of these networks, at creation, import and change, and again before every poll.
    allowed_networks: list[IpNetwork] = Field(
        default_factory=list, description="CIDRs camera hosts must be in; empty = anywhere"
    )
    # A device password older than this is named in the password report (BIO 5.17: password rules enforced).
    password_max_age: Duration = timedelta(days=365)
    # Password rotation: one camera first, then batches of this many at once.
    rotation_batch_size: int = Field(default=5, ge=1, le=100)
    # A running rotation holds a lease, renewed every third of it; a run whose lease ran out (its process died) is
    # taken over by the next collector or CLI: each camera it had in flight is checked, then the run is abandoned.
    rotation_lease: Duration = Field(default=timedelta(minutes=2), ge=timedelta(seconds=3))

    @field_validator("allowed_networks", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part for part in value.replace(",", " ").split() if part]
        if not isinstance(value, list):
            return value
        networks: list[IpNetwork] = []
        for item in value:
            try:
                networks.append(ipaddress.ip_network(str(item).strip(), strict=True))
            except ValueError as exc:
                loose = _loose(str(item))
                hint = f"; did you mean {loose}?" if loose else ""
                raise ValueError(f"{item!r} is not a network in CIDR form ({exc}){hint}") from None
        return networks


def _loose(text: str) -> str | None:
    try:
        return str(ipaddress.ip_network(text.strip(), strict=False))
    except ValueError:
        return None
