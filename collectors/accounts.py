"""What password rotation needs of a device's accounts, whatever the protocol: one contract, one transport per way in.

The rotation engine (scheduler/rotation.py) asks a transport to prove a login (with the user's level), to set a
password and to say whether a login works; ONVIF SetUser (collectors/onvif_users.py) and the vendor's own call where
ONVIF has no user service (collectors/isapi_users.py) both keep it. A transport that the device does not offer
raises Unsupported, which makes the engine try the next one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from collectors.base import Target
from collectors.errors import AuthFailed, LockedOut


@dataclass(frozen=True, slots=True)
class DeviceUser:
    """One account as the device names it (ISAPI also gives it an id)."""

    username: str
    level: str
    id: str = ""


class AccountTransport(Protocol):
    """A way to a device's accounts."""

    # Short name for the audit log ("onvif", "isapi").
    name: str
    # Vendor keys (config/vendors.toml) whose devices speak it; empty: every device.
    vendors: frozenset[str]

    async def level_of(self, target: Target, username: str, password: str) -> str:
        """The user's level, asked with this login (AuthFailed, LockedOut, Unsupported or another error)."""
        ...

    async def login_works(self, target: Target, username: str, password: str) -> bool:
        """Whether the device accepts this login now; a lock-out is raised (LockedOut), never a plain no."""
        ...

    async def set_password(self, target: Target, login: tuple[str, str], username: str, new: str, level: str) -> None:
        """Give ``username`` the password ``new``, signed with ``login``; raises when the device refuses."""
        ...


def applies(transport: AccountTransport, vendor: str | None) -> bool:
    """Whether to try this transport on a device of this vendor (an unknown vendor: every transport)."""
    return not transport.vendors or vendor is None or vendor in transport.vendors


async def answers(users: Callable[[], Awaitable[object]]) -> bool:
    """Whether a call made with a login is answered (False: the login is refused); a lock-out is raised."""
    try:
        await users()
    except LockedOut:
        raise
    except AuthFailed:
        return False
    return True
