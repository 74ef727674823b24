"""The typed error tree every collector raises: what went wrong, in words a technician can act on."""

from __future__ import annotations


class CollectorError(Exception):
    """A check failed; the message is short, human and never carries a credential."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class Unreachable(CollectorError):
    """The device did not answer or dropped the connection: retry later."""


class Timeout(Unreachable):
    """The device did not finish answering within the per-device time limit."""


class AuthFailed(CollectorError):
    """The device refused our credentials: a person must act."""


class BadResponse(CollectorError):
    """The device answered with something we will not use: garbage, a bomb, too large or the wrong shape."""


class Unsupported(CollectorError):
    """The device does not offer the operation or feature asked for."""
