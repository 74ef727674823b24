"""The password policy: long enough, not the user's name, not a common password (OWASP ASVS V2.1, NIST 800-63B).

No rules about character classes and no forced periodic change: length and a list of known-bad passwords are what
both standards ask for. The list ships inside the package (``common-passwords.txt``, its origin in its header).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from config.settings import WebSettings
from fleet.errors import InvalidInput
from fleet.language import N_, Language, say

COMMON_PASSWORDS = Path(__file__).resolve().parent / "common-passwords.txt"
# Longer passwords are refused (ASVS V2.1.2: at least 64 allowed, more than 128 denied); argon2 hashes all of it.
MAX_LENGTH = 128
# A name this short is only refused as the whole password, not as a part of one ("al" is inside many passwords).
_NAME_INSIDE_FROM = 3


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower case."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


class WeakPassword(InvalidInput):
    """A password the policy refuses; ``rule`` names the rule, ``text`` says it in either language."""

    def __init__(self, rule: str, message: str, **values: Any) -> None:
        super().__init__("password", message.format(**values))
        self.rule = rule
        self.message = message
        self.values = values

    def text(self, language: Language) -> str:
        """The refusal in the language."""
        return say(self.message, language, **self.values)


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """What a new password must be; one policy for the command line, the API and the pages."""

    min_length: int = 12

    @classmethod
    def of(cls, settings: WebSettings) -> PasswordPolicy:
        """The policy the settings configure."""
        return cls(min_length=settings.password_min_length)

    def check(self, username: str, password: str) -> None:
        """Refuse the password with the first rule it breaks (WeakPassword); nothing otherwise."""
        if len(password) < self.min_length:
            raise WeakPassword(
                "length", N_("the password must be at least {count} characters long"), count=self.min_length
            )
        if len(password) > MAX_LENGTH:
            raise WeakPassword("length", N_("the password must be at most {count} characters long"), count=MAX_LENGTH)
        lowered, name = password.casefold(), username.casefold()
        if lowered == name or (len(name) >= _NAME_INSIDE_FROM and name in lowered):
            raise WeakPassword("username", N_("the password must not contain the user name"))
        if lowered in common_passwords():
            raise WeakPassword("common", N_("the password is one of the most common passwords; choose another"))
