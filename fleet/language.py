"""The languages people-facing text comes in, Dutch (the municipality's own) and English: their gettext catalogues
and how numbers, percentages, amounts and dates are written in each.

Every people-facing text is an English msgid in the code or a template, translated by the `camfleet` catalogue of
the language (`fleet/locale/<language>/LC_MESSAGES/camfleet.po`, read as it is shipped: no compiled files).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, format_currency, format_decimal, format_percent, parse_pattern
from babel.support import Translations

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")
DOMAIN = "camfleet"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

# CLDR writes Dutch percentages without a space ("99,50%"); Dutch reports write "99,50 %", as the Taalunie advises.
_PERCENT_SIGN: dict[Language, str] = {"nl": "\u00a0%", "en": "%"}


def N_(message: str) -> str:
    """Mark a text for the catalogue where it is written; it is translated where it is shown."""
    return message


def catalogue_path(language: Language) -> Path:
    """Where the language's catalogue lives inside the package."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: Language) -> Translations:
    """The language's catalogue as gettext translations (plural forms from the catalogue's header)."""
    with catalogue_path(language).open("rb") as po:
        catalogue = read_po(po, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext(message: str, language: Language) -> str:
    """One text (an English msgid, perhaps held in a variable or table) in the language."""
    return translations(language).gettext(message)


@cache
def _pattern(decimals: int | None, suffix: str = "") -> NumberPattern:
    # Parsed once: babel parses a pattern given as text on every call, most of the time a number takes (the
    # inventory words two numbers a camera).
    text = "#,##0.###" if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    return parse_pattern(text + suffix)


def number(value: float, language: Language, *, decimals: int | None = None) -> str:
    """A number with the language's decimal and grouping signs ("1.234,5" in Dutch); a fixed count of decimals,
    or as many as it has (up to three)."""
    return format_decimal(value, _pattern(decimals), locale=language)


def percent(share: float | None, language: Language, *, decimals: int = 2) -> str:
    """A share (0.995) as a percentage ("99,50 %" in Dutch, "99.50%" in English), or a dash."""
    if share is None:
        return "–"
    return format_percent(share, _pattern(decimals, _PERCENT_SIGN[language]), locale=language)


def money(cents: int, language: Language) -> str:
    """An amount in euro cents as money ("€ 1.234,00" in Dutch, "€1,234.00" in English)."""
    return format_currency(cents / 100, "EUR", locale=language)


def day(value: date, language: Language) -> str:
    """A date written out ("5 maart 2024", "March 5, 2024")."""
    return format_date(value, "long", locale=language)


def say(message: str, language: Language, **values: Any) -> str:
    """A text with placeholders ("Ticket #{id}: {title}") in the language, the values filled in as they are."""
    return translations(language).gettext(message).format(**values)
