"""The shipped advisory catalogue: valid, sourced, joined to the vendor catalogue, and strict about bad entries."""

from __future__ import annotations

import re
from datetime import date

import pytest

from config.catalogues import FOLDER, parse
from fleet.firmware.catalogue import (
    Advisories,
    Level,
    level_of,
    load_advisories,
    years_before,
)
from fleet.vendor_risk.catalogue import load_catalogue

TEXT = (FOLDER / "advisories.toml").read_text(encoding="utf-8")


def test_loaded_once_from_the_config_package() -> None:
    assert (FOLDER / "advisories.toml").is_file() and FOLDER.name == "config"
    assert load_advisories() is load_advisories()


def test_holds_the_cves_named_in_the_issue() -> None:
    cves = {c for a in load_advisories().advisories for c in a.cve_ids}
    assert {"CVE-2017-7921", "CVE-2021-36260", "CVE-2021-33044", "CVE-2021-33045"} <= cves


def test_every_advisory_is_sourced_and_joins_the_vendor_catalogue() -> None:
    advisories = load_advisories()
    keys = {v.key for v in load_catalogue().vendors}
    for advisory in advisories.advisories:
        assert advisory.vendor in keys
        assert all(advisories.sources[s] for s in advisory.sources)
        assert advisory.severity.level is level_of(advisory.severity.cvss)


@pytest.mark.parametrize(
    ("cvss", "level"),
    [(10.0, Level.CRITICAL), (9.0, Level.CRITICAL), (8.9, Level.HIGH), (7.0, Level.HIGH), (6.9, Level.MEDIUM)]
    + [(4.0, Level.MEDIUM), (3.9, Level.LOW), (0.1, Level.LOW)],
)
def test_cvss_bands(cvss: float, level: Level) -> None:
    assert level_of(cvss) is level


def test_years_before_handles_leap_days() -> None:
    assert years_before(date(2026, 11, 28), 3) == date(2023, 11, 28)
    assert years_before(date(2024, 2, 29), 3) == date(2021, 2, 28)


def _broken(old: str, new: str, count: int = 1) -> str:
    assert old in TEXT, old
    return TEXT.replace(old, new, count)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (_broken('sources = ["A5", "A7", "A8"]', 'sources = ["A5", "A7", "A99"]'), "sources cited but not listed: A99"),
        (_broken('vendor = "dahua"', 'vendor = "dahwa"'), "unknown vendor 'dahwa'"),
        (_broken('vendor = "dahua"', 'vendor = "uniview"'), "no firmware parser for 'uniview'"),
        (_broken('last_affected = "V5.4.0 build 160530"', 'last_affected = "5.4.0"'), "not a hikvision firmware"),
        (
            _broken('last_affected = "V5.4.0 build 160530"', 'last_affected = "V5.4.0 build 160530"\nfixed = "x"'),
            "exactly one of last_affected, fixed, built_before",
        ),
        (
            _broken("built_before = 2021-06-01", 'built_before = 2021-06-01\nintroduced = "2.800.0000000.1.R"'),
            "built_before ranges have no introduced version",
        ),
        (_broken('cvss = 9.8, level = "critical"', 'cvss = 8.8, level = "critical"'), "CVSS 8.8 is high"),
        (_broken('id = "dahua-2021-login-bypass-33045"', 'id = "dahua-2021-login-bypass-33044"'), "ids must be unique"),
        (_broken('cve_ids = ["CVE-2021-33044"]', 'cve_ids = ["2021-33044"]'), "cve_ids"),
        (_broken(r"models = ['^DS-2DF\d']", r"models = ['^DS-2DF(']"), "is not a regular expression"),
        (_broken('vendor = "axis"\nactive_major', 'vendor = "acme"\nactive_major'), "unknown vendor 'acme'"),
    ],
)
def test_rejects_bad_entries(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=re.escape(error)):
        parse(Advisories, text, vendors=load_catalogue())
