"""Registration numbers as municipalities write them: the rule, its normalisation and its messages in both languages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleet.decisions.importer import DecisionRow
from fleet.decisions.registration import MAX_LENGTH, RegistrationError, normalised
from fleet.spreadsheet import FORMULA_STARTS


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("1914462", "1914462"),
        ("61434;61469", "61434;61469"),
        ("61434 ; 61469 ", "61434;61469"),
        ("Z/23/004512", "Z/23/004512"),
        ("2023-0012345", "2023-0012345"),
        ("BM-23-17", "BM-23-17"),
        ("bm.23_17 a", "bm.23_17 a"),
        ("  Z/23/004512 ;  BM  23\u00a017;2023-0012345", "Z/23/004512;BM 23 17;2023-0012345"),
    ],
)
def test_accepted_and_normalised(written: str, stored: str) -> None:
    assert normalised(written) == stored


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("-23-17", "'-23-17' starts with '-' (U+002D); a number starts with a letter or a digit"),
        ("Z/1;-23-17", "'-23-17' starts with '-' (U+002D)"),
        ("/23", "'/23' starts with '/' (U+002F)"),
        ("=1+1", "'=1+1' holds '=' (U+003D), which is not allowed"),
        ("+31 77", "holds '+' (U+002B)"),
        ("@risk", "holds '@' (U+0040)"),
        ("Z#23", "'Z#23' holds '#' (U+0023), which is not allowed"),
        ("Z\t23", "holds U+0009, which is not allowed"),
        ("Z\n23", "holds U+000A"),
        ("ë1", "holds 'ë' (U+00EB)"),
        ("1,2", "holds ',' (U+002C)"),
        ("1;;2", "number 2 is empty"),
        ("1;", "number 2 is empty"),
        ("1;Z/1; 1", "'1' appears twice"),
        ("x" * 51, "is longer than 50 characters"),
        (";".join(f"Z/{n:08d}" for n in range(20)), f"longer than {MAX_LENGTH} characters"),
        ("   ", "the registration is empty"),
    ],
)
def test_rejected_with_the_reason_and_the_rule(written: str, said: str) -> None:
    with pytest.raises(RegistrationError) as caught:
        normalised(written)
    assert said in str(caught.value)
    assert str(caught.value).endswith("; use letters, digits, / - . _ and spaces, several numbers separated by ;")


def test_the_reason_in_dutch_through_the_import_row() -> None:
    row = {
        "decision_date": "2023-01-02",
        "location": "Markt",
        "start_date": "2023-01-03",
        "action": "deploy",
        "reason": "Carnaval",
        "registration": "Z#23",
    }
    with pytest.raises(ValueError, match=r"'Z#23' bevat '#' \(U\+0023\), en dat teken is niet toegestaan; gebruik"):
        DecisionRow.model_validate(row, context={"language": "nl"})
    with pytest.raises(ValueError, match=r"'Z#23' holds '#' \(U\+0023\), which is not allowed; use"):
        DecisionRow.model_validate(row)
    assert DecisionRow.model_validate({**row, "registration": " 2023-0012345 "}).registration == "2023-0012345"


@given(st.text(alphabet=st.sampled_from("aZ09/-._ ;=+@#\t\u00a0ë"), max_size=60))
def test_whatever_is_accepted_is_stored_by_the_rule_and_never_a_formula(written: str) -> None:
    try:
        stored = normalised(written)
    except RegistrationError:
        return
    assert stored == normalised(stored)  # stored once, stored the same again
    assert 0 < len(stored) <= MAX_LENGTH and not stored.startswith(FORMULA_STARTS)
    for number in stored.split(";"):
        assert number[0].isascii() and number[0].isalnum() and number == number.strip() and "  " not in number
        assert set(number) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-._ ")
