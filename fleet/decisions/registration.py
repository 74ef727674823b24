"""Registration numbers of decisions as municipalities write them: ``1914462``, ``Z/23/004512``, ``2023-0012345``,
``BM-23-17``, or several of them separated by ``;``.

The rule, one number at a time: ASCII letters and digits, ``/ - . _`` and spaces, starting with a letter or a
digit. The first character rules out ``= + - @``, so a registration can never be read as a spreadsheet formula
(the exports neutralise every text cell anyway, fleet/spreadsheet.py). Spaces are normalised: none around ``;``,
none at either end, one between words (a no-break space counts as a space); everything else is kept as written,
letter case included. Venlo's numbers (``61434;61469``) come out unchanged.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, ValidationInfo, WithJsonSchema

from fleet.language import LANGUAGES, N_, Language, say

SEPARATOR = ";"
MAX_NUMBER = 50
# The database column is String(200).
MAX_LENGTH = 200
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_ALLOWED = _ALNUM | frozenset("/-._ ")
# What the OpenAPI schema documents: the written form before spaces are normalised.
PATTERN = r"^ *[A-Za-z0-9][A-Za-z0-9/._ -]*( *; *[A-Za-z0-9][A-Za-z0-9/._ -]*)* *$"

_RULE = N_("use letters, digits, / - . _ and spaces, several numbers separated by ;")


class RegistrationError(ValueError):
    """A registration that breaks the rule; the reason in either language."""

    def __init__(self, message: str, **values: Any) -> None:
        self.message = message
        self.values = values
        super().__init__(self.said("en"))

    def said(self, language: Language) -> str:
        """The reason in the language, with the rule to follow."""
        return f"{say(self.message, language, **self.values)}; {say(_RULE, language)}"


def _shown(character: str) -> str:
    """A character as a person can tell it apart: ``'#' (U+0023)``, or only the code for an invisible one."""
    code = f"U+{ord(character):04X}"
    printable = character.isprintable() and not character.isspace()
    return f"'{character}' ({code})" if printable else code


def _number(part: str, position: int) -> str:
    """One number with its spaces normalised (any Unicode space separator counts as a space), or why it is wrong."""
    spaced = "".join(" " if unicodedata.category(c) == "Zs" else c for c in part)
    number = " ".join(word for word in spaced.split(" ") if word)
    if not number:
        raise RegistrationError(N_("number {position} is empty (two ; in a row, or one at an end)"), position=position)
    bad = next((c for c in number if c not in _ALLOWED), None)
    if bad is not None:
        raise RegistrationError(
            N_("{number!r} holds {character}, which is not allowed"), number=number, character=_shown(bad)
        )
    if number[0] not in _ALNUM:
        raise RegistrationError(
            N_("{number!r} starts with {character}; a number starts with a letter or a digit"),
            number=number,
            character=_shown(number[0]),
        )
    if len(number) > MAX_NUMBER:
        raise RegistrationError(
            N_("{number!r} is longer than {limit} characters"), number=number[:MAX_NUMBER] + "…", limit=MAX_NUMBER
        )
    return number


def normalised(text: str) -> str:
    """The registration in its stored form, or RegistrationError saying what is wrong."""
    if not text.strip():
        raise RegistrationError(N_("the registration is empty"))
    if len(text) > 2 * MAX_LENGTH:
        raise RegistrationError(N_("the registration is longer than {limit} characters"), limit=MAX_LENGTH)
    numbers: list[str] = []
    for position, part in enumerate(text.split(SEPARATOR), start=1):
        number = _number(part, position)
        if number in numbers:
            raise RegistrationError(N_("{number!r} appears twice"), number=number)
        numbers.append(number)
    stored = SEPARATOR.join(numbers)
    if len(stored) > MAX_LENGTH:
        raise RegistrationError(N_("the registration is longer than {limit} characters"), limit=MAX_LENGTH)
    return stored


def _validated(value: str, info: ValidationInfo) -> str:
    """Pydantic's hook: the message in the language of the validation context (``{"language": "nl"}``), else
    English."""
    wanted = (info.context or {}).get("language")
    language: Language = next((known for known in LANGUAGES if known == wanted), "en")
    try:
        return normalised(value)
    except RegistrationError as exc:
        raise ValueError(exc.said(language)) from None


Registration = Annotated[
    str,
    AfterValidator(_validated),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": MAX_LENGTH, "pattern": PATTERN}),
]
