"""MAC addresses to IEEE OUIs and their registered organisation, through netaddr's bundled registry."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import netaddr


@dataclass(frozen=True, slots=True)
class Oui:
    prefix: str  # "00-40-8C"
    org: str | None  # None: not in netaddr's registry (registered after its 2024-05-20 copy, or never)
    locally_administered: bool


@lru_cache(maxsize=4096)
def _registered_org(prefix: str) -> str | None:
    # netaddr reads its registry file on every lookup; a fleet has few distinct OUIs.
    try:
        return str(netaddr.OUI(prefix).registration().org)
    except netaddr.NotRegisteredError:
        return None


def oui_of(mac: str) -> Oui | None:
    """The OUI of a MAC address in any common notation; None when the text is not a MAC address."""
    try:
        eui = netaddr.EUI(mac.strip())
    except (netaddr.AddrFormatError, TypeError, ValueError):
        return None
    if eui.version != 48:
        return None
    prefix = "-".join(f"{word:02X}" for word in eui.words[:3])
    # A set "locally administered" bit means the address was chosen by software: it names no maker.
    local = bool(eui.words[0] & 0x02)
    return Oui(prefix=prefix, org=None if local else _registered_org(prefix), locally_administered=local)
