"""The typed error tree every collector raises: what went wrong, in words a technician can act on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class CollectorError(Exception):
    """A check failed; the message is short, human and never carries a credential.

    ``evidence`` holds what the device showed on the way (e.g. the authentication challenges it offered), as
    JSON-ready values the domain may record with the failed result.
    """

    def __init__(self, message: str, *, evidence: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.evidence: dict[str, Any] = dict(evidence or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class Unreachable(CollectorError):
    """The device did not answer or dropped the connection: retry later."""


class Timeout(Unreachable):
    """The device did not finish answering within the per-device time limit."""


class AuthFailed(CollectorError):
    """The device refused our credentials: a person must act."""


class LockedOut(AuthFailed):
    """The device locked its accounts after failed logins: every further try only prolongs it."""


class BasicRefused(AuthFailed):
    """The device asks for Basic authentication over an unencrypted channel and the camera is not allowed Basic:
    the credentials were not sent."""


class NotAllowed(CollectorError):
    """The camera's address is outside the configured camera networks: it was not contacted."""


class BadResponse(CollectorError):
    """The device answered with something we will not use: garbage, a bomb, too large or the wrong shape."""


class Unsupported(CollectorError):
    """The device does not offer the operation or feature asked for."""
