"""The catalogues hold exactly the texts the code and templates use, each translated; numbers follow the language."""

from __future__ import annotations

import string
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from fleet.language import LANGUAGES, Language, catalogue_path, day, money, percent, say, translations

ROOT = Path(__file__).resolve().parents[2]
# Besides gettext's own names: N_ (a text kept in a table) and say (a text with placeholders), as babel.cfg says.
KEYWORDS = {**DEFAULT_KEYWORDS, "say": None}

MessageKey = tuple[str | tuple[str, ...], str | None]


def _extracted() -> set[MessageKey]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: set[MessageKey] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.add((message, context))
    return found


@pytest.fixture(scope="module")
def extracted() -> set[MessageKey]:
    found = _extracted()
    assert len(found) > 200, "the extraction found almost nothing: is babel.cfg read?"
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_holds_exactly_the_texts_in_use_each_translated(
    language: Language, extracted: set[MessageKey]
) -> None:
    with catalogue_path(language).open("rb") as po:
        catalogue = read_po(po, locale=language)
    entries = [m for m in catalogue if m.id]
    held = {(m.id, m.context) for m in entries}
    assert sorted(map(str, extracted - held)) == [], "texts in use missing from the catalogue"
    assert sorted(map(str, held - extracted)) == [], "catalogue entries no code or template uses"
    assert [m.id for m in entries if m.fuzzy] == []
    untranslated = [m.id for m in entries if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    assert untranslated == []


def _fields(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name}


def test_dutch_fills_in_the_same_values_as_english() -> None:
    with catalogue_path("nl").open("rb") as po:
        catalogue = read_po(po, locale="nl")
    for message in catalogue:
        if message.id and message.python_brace_format:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert {f for s in strings for f in _fields(s)} == {f for i in ids for f in _fields(i)}, message.id


def test_plurals_follow_the_catalogue_rule() -> None:
    assert translations("nl").ngettext("{count} alert, {severity}", "{count} alerts, {severity}", 1).format(
        count=1, severity="kritiek"
    ) == ("1 melding, kritiek")
    assert translations("nl").ngettext("{count} alert, {severity}", "{count} alerts, {severity}", 3) == (
        "{count} meldingen, {severity}"
    )


def test_dutch_and_english_write_numbers_their_own_way() -> None:
    assert percent(0.995, "nl") == "99,50\u00a0%"
    assert percent(0.995, "en") == "99.50%"
    assert percent(None, "nl") == "–"
    assert money(123400, "nl") == "€\u00a01.234,00"
    assert money(123400, "en") == "€1,234.00"
    assert day(date(2024, 3, 5), "nl") == "5 maart 2024"
    assert day(date(2024, 3, 5), "en") == "March 5, 2024"


def test_a_text_with_placeholders_is_translated_before_it_is_filled_in() -> None:
    assert say("Message id: {id}", "nl", id="{x}") == "Bericht-id: {x}"
