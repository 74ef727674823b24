"""A camera's ONVIF accounts (onvif-zeep-async devicemgmt): GetUsers to prove a login, SetUser to change a password.

SetUser carries the new password in the SOAP body, as ONVIF defines it (the UsernameToken signing the request uses a
digest, but the body is not encrypted): over plain HTTP the new password crosses the camera network once.
Never logged: messages name the camera and the user, never a password; errors raised here carry no password.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from functools import partial

from onvif import ONVIFCamera

from collectors.accounts import DeviceUser, answers
from collectors.base import Target
from collectors.errors import BadResponse
from collectors.http import CappedZeepTransport
from collectors.networks import checked_host
from collectors.onvif_identity import camera_for, cap_service, edge
from config.networks import IpNetwork


class OnvifAccounts:
    """Logins proven and passwords set over ONVIF, each call within the per-device time limit (an AccountTransport)."""

    name = "onvif"
    vendors: frozenset[str] = frozenset()

    def __init__(
        self, transport: CappedZeepTransport, *, device_timeout: float, allowed_networks: Sequence[IpNetwork] = ()
    ) -> None:
        self._transport = transport
        self._timeout = device_timeout
        self._networks = tuple(allowed_networks)

    async def _camera(self, target: Target, username: str, password: str) -> tuple[ONVIFCamera, object]:
        host = await checked_host(target.host, self._networks) if self._networks else target.host
        login = replace(target, host=host, username=username, password=password)
        camera = camera_for(login)
        async with edge(login, "GetServices"):
            device = cap_service(await camera.create_devicemgmt_service(), login, self._transport)
        return camera, device

    async def users(self, target: Target, username: str, password: str) -> list[DeviceUser]:
        """The camera's accounts, asked with this login (AuthFailed, LockedOut or another error when refused)."""
        async with asyncio.timeout(self._timeout):
            camera, device = await self._camera(target, username, password)
            try:
                async with edge(target, "GetUsers"):
                    answer = await device.GetUsers()  # type: ignore[attr-defined]
            finally:
                await camera.close()
        return [
            DeviceUser(str(getattr(u, "Username", "") or ""), str(getattr(u, "UserLevel", "") or ""))
            for u in answer or ()
        ]

    async def login_works(self, target: Target, username: str, password: str) -> bool:
        """Whether the camera accepts this login now; a lock-out is raised (LockedOut), never a plain no."""
        return await answers(partial(self.users, target, username, password))

    async def set_password(self, target: Target, login: tuple[str, str], username: str, new: str, level: str) -> None:
        """SetUser: give `username` the password `new`, signed with `login`; raises when the camera refuses."""
        async with asyncio.timeout(self._timeout):
            camera, device = await self._camera(target, *login)
            try:
                async with edge(target, "SetUser"):
                    await device.SetUser(  # type: ignore[attr-defined]
                        {"User": [{"Username": username, "Password": new, "UserLevel": level}]}
                    )
            finally:
                await camera.close()

    async def level_of(self, target: Target, username: str, password: str) -> str:
        """The user's level as the camera reports it (kept when the password is set)."""
        for user in await self.users(target, username, password):
            if user.username == username:
                return user.level or "Administrator"
        raise BadResponse(f"the camera does not list the user {username}")
