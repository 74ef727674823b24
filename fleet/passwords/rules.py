"""Device passwords without revealing any: vendors' factory user names, and new passwords each camera accepts."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

# Factory user names from the vendors' installation manuals: a camera still using one tells an attacker half the
# login (BIO 5.17). Keyed by vendor key (config/vendors.toml); a camera of a vendor not listed is checked against
# all of them.
DEFAULT_USERNAMES: dict[str, frozenset[str]] = {
    "hikvision": frozenset({"admin"}),
    "ezviz": frozenset({"admin"}),
    "dahua": frozenset({"admin", "888888", "666666", "default"}),
    "amcrest": frozenset({"admin"}),
    "lorex": frozenset({"admin"}),
    "imou": frozenset({"admin"}),
    "uniview": frozenset({"admin"}),
    "tiandy": frozenset({"admin"}),
    "reolink": frozenset({"admin"}),
    "xiongmai": frozenset({"admin"}),
    "milesight": frozenset({"admin"}),
    "tvt": frozenset({"admin"}),
    "hanwha": frozenset({"admin"}),
    "axis": frozenset({"root"}),
    "bosch": frozenset({"service", "user", "live"}),
    "mobotix": frozenset({"admin"}),
    "vivotek": frozenset({"root"}),
    "avigilon": frozenset({"administrator"}),
    "pelco": frozenset({"admin"}),
    "honeywell": frozenset({"admin"}),
    "i-pro": frozenset({"admin"}),
    "sony": frozenset({"admin"}),
    "ubiquiti": frozenset({"ubnt"}),
}
ANY_VENDOR = frozenset().union(*DEFAULT_USERNAMES.values())


def default_usernames(vendor: str | None) -> frozenset[str]:
    """The factory user names of the vendor (every vendor's when it is not known)."""
    return DEFAULT_USERNAMES.get(vendor or "", ANY_VENDOR)


@dataclass(frozen=True, slots=True)
class PasswordRule:
    """What a camera's firmware accepts: the length to make and the characters to make it of."""

    length: int
    symbols: str

    @property
    def alphabet(self) -> str:
        """Every character a new password may hold."""
        return string.ascii_letters + string.digits + self.symbols


# Hikvision takes 8 to 16 characters and rejects some symbols in ONVIF SetUser; Dahua up to 32 with a small symbol
# set; Axis allows more. A symbol every firmware takes ("-", "_", ".") is used where the limits are not known.
_SAFE = PasswordRule(length=16, symbols="-_.")
RULES: dict[str, PasswordRule] = {
    "hikvision": PasswordRule(length=16, symbols="-_.!"),
    "dahua": PasswordRule(length=20, symbols="-_.@"),
    "axis": PasswordRule(length=24, symbols="-_.!~"),
}


def rule_for(vendor: str | None) -> PasswordRule:
    """The password rule of the vendor's firmware, or the one every firmware takes."""
    return RULES.get(vendor or "", _SAFE)


def new_password(rule: PasswordRule) -> str:
    """A fresh random password (the secrets module) with lower and upper case, a digit and a symbol."""
    classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits, rule.symbols)
    while True:
        candidate = "".join(secrets.choice(rule.alphabet) for _ in range(rule.length))
        if all(any(c in chars for c in candidate) for chars in classes):
            return candidate
