"""Defence in depth for `cameras.allowed_networks`: a camera's host is resolved, checked, and only then contacted.

The registry refuses hosts outside the allowed networks when a camera is created, imported or changed; a collector
checks again before every poll, because a host name can come to resolve elsewhere later (or a row predates the
setting). The check polls the address it checked, so a second lookup cannot send it somewhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from collectors.base import Collector, Observation, Target
from collectors.errors import NotAllowed, Unreachable
from config.checks import CheckKind
from config.networks import IpNetwork, addresses, outside


async def checked_host(host: str, networks: Sequence[IpNetwork]) -> str:
    """The address to poll for host: its first address, when every address it resolves to is inside networks."""
    try:
        found = await addresses(host)
    except OSError as exc:
        raise Unreachable(f"host name {host} does not resolve ({type(exc).__name__})") from exc
    refused = [address for address in found if outside(address, networks)]
    if refused:
        raise NotAllowed(
            f"{host} ({', '.join(refused)}) is outside the allowed camera networks (cameras.allowed_networks); "
            "not contacted"
        )
    return found[0]


class Confined:
    """A collector that polls only hosts inside the allowed networks, at the address it checked."""

    def __init__(self, inner: Collector, networks: Sequence[IpNetwork]) -> None:
        self._inner = inner
        self._networks = tuple(networks)
        self.kind: CheckKind = inner.kind

    async def collect(self, target: Target) -> Observation:
        """Resolve and check the host, then run the inner collector against the checked address."""
        address = await checked_host(target.host, self._networks)
        return await self._inner.collect(replace(target, host=address))
