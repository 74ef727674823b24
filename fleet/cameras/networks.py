"""`cameras.allowed_networks` in the registry: a camera host outside them is refused when it is created, imported or
changed, so the registry cannot be used to make the collectors scan the municipality's other servers."""

from __future__ import annotations

from collections.abc import Sequence

from config.networks import IpNetwork, addresses, outside
from fleet.errors import InvalidInput


async def host_problem(host: str, networks: Sequence[IpNetwork]) -> str | None:
    """Why host may not be a camera's under networks (None: it may; always None without networks)."""
    if not networks:
        return None
    try:
        found = await addresses(host)
    except OSError:
        return (
            f"{host} does not resolve; with cameras.allowed_networks set, a host name must resolve to addresses "
            "inside them"
        )
    refused = [address for address in found if outside(address, networks)]
    if not refused:
        return None
    shown = f"{host} ({', '.join(refused)})" if refused != [host] else host
    allowed = ", ".join(str(network) for network in networks)
    return f"{shown} is outside the allowed camera networks ({allowed}; setting cameras.allowed_networks)"


async def check_host(host: str, networks: Sequence[IpNetwork]) -> None:
    """InvalidInput on the field ``host`` when host may not be a camera's."""
    problem = await host_problem(host, networks)
    if problem is not None:
        raise InvalidInput("host", problem)
