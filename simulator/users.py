"""A simulated camera's user accounts: ONVIF GetUsers and SetUser (or ISAPI, simulator/isapi.py), failed-login
lock-out, and a half-way fault.

- Accounts start as the fleet row's `username`/`password` (an Administrator); ONVIF, snapshot and RTSP logins are
  checked against them as they are now, so a password set over ONVIF is the one every login needs from then on.
- Lock-out (state `lockout_after`, 0 = never): that many failed ONVIF logins in a row lock every account for
  `lockout_s` seconds; while locked, even the right password gets the lock-out fault (as Hikvision's "user locked").
- `onvif_users` false: GetUsers and SetUser answer ActionNotSupported (a camera managing users only its own way);
  `isapi` true: Hikvision ISAPI's user calls are served on the web port, over the same accounts.
- `set_user_fault`: `keep_old` answers SetUser (or the ISAPI change) as done but keeps the old password;
  `drop_after_set` sets the new password and drops the connection without an answer (a camera rebooting its web
  server on a change); `unsupported` refuses SetUser as ActionNotSupported while GetUsers answers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum

from lxml import etree

NS_TDS = "http://www.onvif.org/ver10/device/wsdl"
NS_TT = "http://www.onvif.org/ver10/schema"
LEVELS = ("Administrator", "Operator", "User", "Anonymous", "Extended")
LOCKED_REASON = "User locked: too many failed logins"


class SetUserFault(StrEnum):
    NONE = ""
    KEEP_OLD = "keep_old"
    DROP_AFTER_SET = "drop_after_set"
    UNSUPPORTED = "unsupported"  # GetUsers answers, SetUser is refused as ActionNotSupported (ONVIF only)


class DropConnection(Exception):
    """The camera closes the connection without answering (after acting on the request)."""


class UserFault(Exception):
    """SetUser refused: a SOAP fault subcode and reason."""

    def __init__(self, subcode: str, reason: str) -> None:
        super().__init__(reason)
        self.subcode, self.reason = subcode, reason


@dataclass(slots=True)
class Account:
    username: str
    password: str
    level: str = "Administrator"
    changes: int = 0  # how often its password was set (ONVIF SetUser or ISAPI)


@dataclass(slots=True)
class Accounts:
    """The camera's users and its count of failed logins."""

    users: dict[str, Account] = field(default_factory=dict)
    failures: int = 0
    locked_until: float = 0.0
    lockouts: int = 0

    @classmethod
    def of(cls, username: str, password: str) -> Accounts:
        """The factory account of a fleet row (none: the camera is open to all)."""
        return cls({username: Account(username, password)} if username else {})

    def password_of(self, username: str) -> str | None:
        """The user's password now, or None for an unknown user."""
        account = self.users.get(username)
        return None if account is None else account.password

    def locked(self) -> bool:
        """Whether logins are refused for now."""
        return time.monotonic() < self.locked_until

    def failed(self, lockout_after: int, lockout_s: float) -> None:
        """Count a failed login; the last one allowed locks the accounts."""
        self.failures += 1
        if lockout_after and self.failures >= lockout_after:
            self.locked_until = time.monotonic() + lockout_s
            self.lockouts += 1
            self.failures = 0

    def succeeded(self) -> None:
        """A good login resets the count."""
        self.failures = 0

    def get_users(self) -> str:
        """The GetUsers answer: names and levels, never a password."""
        users = "".join(
            f"<tds:User><tt:Username>{a.username}</tt:Username><tt:UserLevel>{a.level}</tt:UserLevel></tds:User>"
            for a in self.users.values()
        )
        return f"<tds:GetUsersResponse>{users}</tds:GetUsersResponse>"

    def set_user(self, request: etree._Element, fault: SetUserFault) -> str:
        """Apply a SetUser request (every user in it, or none), in the fault mode; the answer's body."""
        if fault is SetUserFault.UNSUPPORTED:
            raise UserFault("ter:ActionNotSupported", "Optional Action Not Implemented")
        wanted = []
        for user in request.findall(f"{{{NS_TDS}}}User"):
            name = (user.findtext(f"{{{NS_TT}}}Username") or "").strip()
            password = user.findtext(f"{{{NS_TT}}}Password") or ""
            level = (user.findtext(f"{{{NS_TT}}}UserLevel") or "").strip()
            wanted.append(self.checked(name, password, level))
        if not wanted:
            raise UserFault("ter:InvalidArgVal", "No user given")
        self.apply(wanted, fault)
        return "<tds:SetUserResponse/>"

    def checked(self, name: str, password: str, level: str) -> tuple[str, str, str]:
        """A change the camera accepts (else UserFault with the ONVIF subcode)."""
        if name not in self.users:
            raise UserFault("ter:UsernameMissing", f"No such user: {name}")
        if not 8 <= len(password) <= 32:
            raise UserFault("ter:PasswordTooLong" if len(password) > 32 else "ter:PasswordTooWeak", "Bad password")
        if level not in LEVELS:
            raise UserFault("ter:InvalidArgVal", "Unknown user level")
        return name, password, level

    def apply(self, wanted: list[tuple[str, str, str]], fault: SetUserFault) -> None:
        """Make checked changes, in the fault mode (whichever protocol asked for them)."""
        if fault is not SetUserFault.KEEP_OLD:
            for name, password, level in wanted:
                account = self.users[name]
                account.password, account.level, account.changes = password, level, account.changes + 1
        if fault is SetUserFault.DROP_AFTER_SET:
            raise DropConnection

    def as_dict(self) -> dict[str, object]:
        """For the control API: names, levels and how often each password changed; never a password."""
        return {
            "users": [{"username": a.username, "level": a.level, "changes": a.changes} for a in self.users.values()],
            "failed_logins": self.failures,
            "locked": self.locked(),
            "lockouts": self.lockouts,
        }
