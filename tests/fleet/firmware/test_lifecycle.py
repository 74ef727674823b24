"""The lifecycle catalogue: the shipped facts, support states on their boundary days, and bad entries refused."""

from __future__ import annotations

import re
from datetime import date

import pytest

from config.catalogues import FOLDER, parse
from fleet.firmware.lifecycle import Lifecycle, SupportState, load_lifecycle
from fleet.vendor_risk.catalogue import load_catalogue

TEXT = (FOLDER / "lifecycle.toml").read_text(encoding="utf-8")

# Entries as a dated source would give them, added to the shipped text to exercise the rules (the models and dates
# are made up for the test; the shipped catalogue holds no per-model entry yet, see its header).
ENTRIES = """
[[products]]
vendor = "axis"
models = ['^(AXIS )?P3245-LVE$']
discontinued = 2020-06-15
sources = ["T1"]

[[products]]
vendor = "hikvision"
models = ['^DS-2CD2143G2']
discontinued = 2023-01-01
end_of_support = 2025-12-31
sources = ["T1"]

[[products]]
vendor = "bosch"
models = ['^FLEXIDOME IP 5100i']
discontinued = 2027-01-01
sources = ["T1"]
"""
WITH_ENTRIES = TEXT.replace("[sources]\n", '[sources]\nT1 = "test source"\n') + ENTRIES


def test_shipped_catalogue_loads_once_and_holds_the_axis_policy() -> None:
    lifecycle = load_lifecycle()
    assert lifecycle is load_lifecycle() and (FOLDER / "lifecycle.toml").is_file()
    (axis,) = [p for p in lifecycle.policies if p.vendor == "axis"]
    assert axis.support_years_after_discontinuation == 6
    assert "general-support-policy-after-discontinuation-date" in lifecycle.sources[axis.sources[0]]


def test_shipped_catalogue_knows_no_model_yet() -> None:
    # Until a dated source is catalogued, every camera of the Venlo fleet is `unknown`.
    lifecycle = load_lifecycle()
    for vendor, model in (("Axis Communications", "AXIS Q1615-LE Mk III"), ("Hikvision", "DS-2CD2646G2-IZS")):
        assert lifecycle.support(vendor, model, as_of=date(2026, 11, 28)).state is SupportState.UNKNOWN


@pytest.mark.parametrize(
    ("vendor", "model", "as_of", "state", "discontinued", "ends"),
    [
        # Axis: only the discontinuation date is given; the policy puts the end of support 6 years later.
        ("AXIS", "P3245-LVE", date(2020, 6, 14), SupportState.CURRENT, date(2020, 6, 15), date(2026, 6, 15)),
        ("AXIS", "AXIS P3245-LVE", date(2020, 6, 15), SupportState.DISCONTINUED, date(2020, 6, 15), date(2026, 6, 15)),
        (
            "Axis Communications",
            "P3245-LVE",
            date(2026, 6, 14),
            SupportState.DISCONTINUED,
            date(2020, 6, 15),
            date(2026, 6, 15),
        ),
        (
            "Axis Communications",
            "P3245-LVE",
            date(2026, 6, 15),
            SupportState.ENDED,
            date(2020, 6, 15),
            date(2026, 6, 15),
        ),
        # Hikvision: both dates given; no policy involved.
        (
            "HIKVISION",
            "DS-2CD2143G2-IS",
            date(2025, 12, 30),
            SupportState.DISCONTINUED,
            date(2023, 1, 1),
            date(2025, 12, 31),
        ),
        ("HIKVISION", "DS-2CD2143G2-IS", date(2025, 12, 31), SupportState.ENDED, date(2023, 1, 1), date(2025, 12, 31)),
        # Bosch: discontinued, but Bosch has no policy here, so the end of support stays unknown.
        ("Bosch", "FLEXIDOME IP 5100i IR", date(2027, 1, 1), SupportState.DISCONTINUED, date(2027, 1, 1), None),
        # Not covered: another model, an unknown vendor, or nothing reported.
        ("AXIS", "P3245-LV", date(2030, 1, 1), SupportState.UNKNOWN, None, None),
        ("Acme", "P3245-LVE", date(2030, 1, 1), SupportState.UNKNOWN, None, None),
        ("Hanwha Vision", "DS-2CD2143G2-IS", date(2030, 1, 1), SupportState.UNKNOWN, None, None),
        (None, "P3245-LVE", date(2030, 1, 1), SupportState.UNKNOWN, None, None),
        ("AXIS", " ", date(2030, 1, 1), SupportState.UNKNOWN, None, None),
    ],
)
def test_support_states(
    vendor: str | None, model: str, as_of: date, state: SupportState, discontinued: date | None, ends: date | None
) -> None:
    status = parse(Lifecycle, WITH_ENTRIES, vendors=load_catalogue()).support(vendor, model, as_of=as_of)
    assert (status.state, status.discontinued, status.ends) == (state, discontinued, ends)
    if state is not SupportState.UNKNOWN:
        assert "test source" in status.sources
    if vendor and vendor.lower().startswith("axis") and state is not SupportState.UNKNOWN:
        assert any("axis.com" in s for s in status.sources)  # the policy that set the end is cited too


def _broken(old: str, new: str) -> str:
    assert old in WITH_ENTRIES, old
    return WITH_ENTRIES.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (_broken('sources = ["T1"]', 'sources = ["T9"]'), "sources cited but not listed: T9"),
        (_broken('vendor = "bosch"', 'vendor = "boschh"'), "unknown vendor 'boschh'"),
        (_broken("discontinued = 2027-01-01\n", ""), "give discontinued, end_of_support or both"),
        (
            _broken("end_of_support = 2025-12-31", "end_of_support = 2022-12-31"),
            "end_of_support is before discontinued",
        ),
        (_broken("support_years_after_discontinuation = 6", "support_years_after_discontinuation = 0"), "greater than"),
        (
            WITH_ENTRIES
            + '\n[[policies]]\nvendor = "axis"\nsupport_years_after_discontinuation = 5\nsources = ["T1"]\n',
            "one policy per vendor",
        ),
        (_broken("models = ['^DS-2CD2143G2']", "models = ['^DS-2CD2143G2(']"), "is not a regular expression"),
        (_broken('[[products]]\nvendor = "bosch"', '[[products]]\nvendr = "x"\nvendor = "bosch"'), "vendr"),
    ],
)
def test_rejects_bad_entries(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=re.escape(error)):
        parse(Lifecycle, text, vendors=load_catalogue())
