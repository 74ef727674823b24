"""The password policy: each rule refuses by name, in both languages, and a good password passes."""

from __future__ import annotations

import pytest

from config.settings import Settings
from fleet.users.passwords import COMMON_PASSWORDS, PasswordPolicy, WeakPassword, common_passwords

POLICY = PasswordPolicy()


@pytest.mark.parametrize(
    ("username", "password", "rule"),
    [
        ("anna", "elf-tekens!", "length"),  # 11 characters: one short of the default 12
        ("anna", "x" * 129, "length"),
        ("Marieke", "marieke", "length"),
        ("Marieke", "MARIEKE-camera-2026", "username"),  # the name inside, in another case
        ("Marieke", "2026-mariekeVenlo", "username"),
        ("ab", "ab", "length"),
        ("bob", "password123456", "common"),
        ("bob", "CookieMonster", "common"),  # the list is compared case-insensitively
    ],
)
def test_each_rule_refuses_by_name(username: str, password: str, rule: str) -> None:
    with pytest.raises(WeakPassword) as refused:
        POLICY.check(username, password)
    assert refused.value.rule == rule
    assert refused.value.field == "password"


@pytest.mark.parametrize(
    ("username", "password"),
    [("anna", "kade-lantaarn-venlo"), ("al", "stalen-camera-paal"), ("bob", "x" * 128)],
)
def test_a_good_password_passes(username: str, password: str) -> None:
    POLICY.check(username, password)  # a two-letter name may appear inside a password ("al" in "stalen")


def test_the_refusal_says_which_rule_in_either_language() -> None:
    cases = [
        ("anna", "kort", "at least 12 characters", "minstens 12 tekens"),
        ("anna", "anna-en-de-camera", "user name", "gebruikersnaam"),
        ("anna", "peanutbutter", "most common passwords", "meest gebruikte wachtwoorden"),
    ]
    for username, password, english, dutch in cases:
        with pytest.raises(WeakPassword) as refused:
            POLICY.check(username, password)
        assert english in refused.value.text("en") and english in str(refused.value)
        assert dutch in refused.value.text("nl")


def test_the_minimum_length_is_a_setting() -> None:
    settings = Settings(web={"password_min_length": 16})
    policy = PasswordPolicy.of(settings.web)
    with pytest.raises(WeakPassword, match="at least 16"):
        policy.check("anna", "kade-lantaarn-9")  # 15 characters
    policy.check("anna", "kade-lantaarn-90")
    assert Settings().web.password_min_length == 12
    with pytest.raises(ValueError, match="password_min_length"):
        Settings(web={"password_min_length": 6})


def test_the_shipped_list_is_lower_case_with_its_origin() -> None:
    header = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()[:12]
    assert any("Licence" in line for line in header) and any("Origin" in line for line in header)
    assert (COMMON_PASSWORDS.parent / "common-passwords.LICENSE").is_file()
    found = common_passwords()
    assert len(found) > 5000
    assert {"password1", "iloveyou1", "qwertyuiop"} <= found
    assert all(entry == entry.lower() and len(entry) >= 8 for entry in found)
