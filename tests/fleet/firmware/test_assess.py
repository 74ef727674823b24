"""Firmware states: every advisory range at its boundaries, the outdated rule, and what stays unknown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from config.catalogues import FOLDER, parse
from fleet.firmware.assess import FirmwareAssessment, FirmwareState, assess_firmware
from fleet.firmware.catalogue import Advisories, load_advisories
from fleet.vendor_risk.catalogue import load_catalogue

ADVISORIES = load_advisories()
TODAY = date(2026, 11, 28)


def assess(vendor: str | None, model: str | None, firmware: str | None, as_of: date = TODAY) -> FirmwareAssessment:
    return assess_firmware(vendor, model, firmware, ADVISORIES, as_of=as_of)


def ids(found: FirmwareAssessment) -> set[str]:
    return {a.id for a in found.advisories}


@dataclass(frozen=True)
class Boundary:
    """One affected range of the catalogue seen from one model: the last clean, first, last and first fixed firmware."""

    advisory: str
    range: int
    vendor: str
    model: str
    before: str | None  # None: the range starts with the series
    first: str | None
    last: str
    after: str
    as_of: date  # a day on which the clean firmware is not yet outdated, so `ok` is exact


HIK_7921 = "hikvision-2017-improper-auth"
HIK_36260 = "hikvision-2021-web-command-injection"
DAHUA_44 = "dahua-2021-login-bypass-33044"
DAHUA_45 = "dahua-2021-login-bypass-33045"
Y2017 = date(2017, 1, 1)
Y2022 = date(2022, 1, 1)


def _dahua(day: str) -> str:
    return f"2.800.0000000.16.R, Build Date: {day}"


BOUNDARIES = [
    Boundary(
        HIK_7921,
        0,
        "Hikvision",
        "DS-2CD2132F-IS",
        "V5.2.0 build 140720",
        "V5.2.0 build 140721",
        "V5.4.0 build 160530",
        "V5.4.0 build 160531",
        Y2017,
    ),
    Boundary(
        HIK_7921,
        1,
        "Hikvision",
        "DS-2CD2020F-I",
        "V5.2.0 build 140720",
        "V5.2.0 build 140721",
        "V5.4.0 build 160401",
        "V5.4.0 build 160402",
        Y2017,
    ),
    Boundary(
        HIK_7921,
        2,
        "Hikvision",
        "DS-2CD2142FWD-IS",
        "V5.3.1 build 150409",
        "V5.3.1 build 150410",
        "V5.4.4 build 161125",
        "V5.4.4 build 161126",
        Y2017,
    ),
    Boundary(
        HIK_7921,
        3,
        "Hikvision",
        "DS-2CD4026FWD-A",
        "V5.2.0 build 140720",
        "V5.2.0 build 140721",
        "V5.4.0 build 160414",
        "V5.4.0 build 160415",
        Y2017,
    ),
    Boundary(
        HIK_7921,
        4,
        "Hikvision",
        "DS-2CD4135F-IZ",
        "V5.2.0 build 140720",
        "V5.2.0 build 140721",
        "V5.4.0 build 160421",
        "V5.4.0 build 160422",
        Y2017,
    ),
    Boundary(
        HIK_7921,
        5,
        "Hikvision",
        "DS-2DF8223I-AEL",
        "V5.2.0 build 140804",
        "V5.2.0 build 140805",
        "V5.4.5 build 160928",
        "V5.4.5 build 160929",
        Y2017,
    ),
    Boundary(
        HIK_7921,
        6,
        "Hikvision",
        "DS-2CD6332FWD-IV",
        "V5.0.9 build 140304",
        "V5.0.9 build 140305",
        "V5.3.5 build 160106",
        "V5.3.5 build 160107",
        Y2017,
    ),
    # CVE-2021-36260: one real model name per series NVD lists; the last build before the first fix, and that fix.
    *[
        Boundary(HIK_36260, 0, "Hikvision", model, None, None, "V5.5.800 build 210627", "V5.5.800 build 210628", Y2022)
        for model in (
            "DS-2CD2346G2-ISU/SL",
            "DS-2CD2387G2-LU",
            "DS-2CD2143G2-IS",
            "DS-2CD2421G0-IDW",
            "DS-2CD2021G1-I",
            "DS-2CD3123G2-ISU",
            "DS-2CD3356G2-ISU/SL",
            "DS-2CD3347G2-LSU",
            "DS-2XE6452F-IZHRS",
            "DS-2DYH2A0IXS-D(T2)",
            "DS-2DY9236IX-A(T3)",
            "DS-2DF5225X-AEL(T3)",
            "DS-2DF8A442IXS-AF/SP(T5)",
            "PTZ-N4215I-DE",
            "IDS-2SK8144IXS-D/J",
            "DS-2TD1217B-3/PA",
            "DS-2TD4166T-9",
            "DS-2TD6267-100C4L/W",
            "DS-2TD8166-150ZE2F/V2",
            "DS-2TD8167-190ZE2F/WY",
        )
    ],
    *[
        Boundary(DAHUA_44, 0, "Dahua", model, None, None, _dahua("2021-05-31"), _dahua("2021-06-01"), date(2022, 1, 1))
        for model in (
            "IPC-HFW5442E-ZE",
            "DH-IPC-HDW3841T-ZAS",
            "IPC-HDBW5442R-ASE",
            "DHI-IPC-HUM7243",
            "SD1A1",
            "SD22404T-GN",
            "SD49425XB-HNR",
            "SD50230U-HNI",
            "SD52C225U-HNI",
            "SD6AL245U-HNI",
            "TPC-BF1241",
            "TPC-BF2221",
            "TPC-SD2221",
            "TPC-BF5421",
            "TPC-SD8421",
            "TPC-PT8621B",
        )
    ],
    *[
        Boundary(DAHUA_45, 0, "Dahua", model, None, None, _dahua("2020-04-30"), _dahua("2020-05-01"), date(2021, 1, 1))
        for model in ("IPC-HFW5442E-ZE", "IPC-HDW3841T-ZAS", "IPC-HUM7243")
    ],
    *[
        Boundary(DAHUA_45, 1, "Dahua", model, None, None, _dahua("2019-11-30"), _dahua("2019-12-01"), date(2020, 6, 1))
        for model in ("NVR1104HS-S3", "NVR2108-8P-4KS2", "DHI-NVR5216-16P-I", "NVR608-32-4KS2")
        + ("XVR4108HS", "XVR5108HS", "XVR7208A-4KL-I")
    ],
]


def _name(b: Boundary) -> str:
    return f"{b.advisory}[{b.range}]:{b.model}"


@pytest.mark.parametrize("case", BOUNDARIES, ids=_name)
def test_range_boundaries(case: Boundary) -> None:
    inside = [v for v in (case.first, case.last) if v is not None]
    for firmware in inside:
        found = assess(case.vendor, case.model, firmware, case.as_of)
        assert found.state is FirmwareState.VULNERABLE and case.advisory in ids(found), firmware
    outside = [v for v in (case.before, case.after) if v is not None]
    for firmware in outside:
        found = assess(case.vendor, case.model, firmware, case.as_of)
        assert case.advisory not in ids(found), firmware


@pytest.mark.parametrize("case", [b for b in BOUNDARIES if b.advisory == HIK_7921], ids=_name)
def test_hikvision_releases_around_a_range_are_ok(case: Boundary) -> None:
    assert case.before is not None
    for firmware in (case.before, case.after):
        assert assess(case.vendor, case.model, firmware, case.as_of).state is FirmwareState.OK, firmware


def test_every_range_and_model_pattern_has_boundary_cases() -> None:
    for advisory in ADVISORIES.advisories:
        for index, affected in enumerate(advisory.affected):
            models = [b.model for b in BOUNDARIES if (b.advisory, b.range) == (advisory.id, index)]
            for pattern in affected.models:
                assert any(pattern.search(m) for m in models), f"{advisory.id}[{index}] {pattern.pattern}"


@pytest.mark.parametrize(
    ("model", "day", "expected"),
    [
        ("IPC-HFW5442E-ZE", "2020-04-30", {DAHUA_44, DAHUA_45}),
        ("IPC-HFW5442E-ZE", "2020-05-01", {DAHUA_44}),
        ("IPC-HFW5442E-ZE", "2021-05-31", {DAHUA_44}),
        ("IPC-HFW5442E-ZE", "2021-06-01", set()),
        ("SD49425XB-HNR", "2020-04-30", {DAHUA_44}),
        ("NVR5216-16P-I", "2019-11-30", {DAHUA_45}),
        ("DH-IPC-HFW2431S-S-S2", "2019-01-01", set()),  # 2-series: not named by either advisory
    ],
)
def test_dahua_advisories_together(model: str, day: str, expected: set[str]) -> None:
    assert ids(assess("Dahua", model, _dahua(day), date(2021, 6, 1))) == expected


def test_vulnerable_carries_the_advisory() -> None:
    found = assess("HIKVISION", "DS-2CD2132F-IS", "V5.3.0 build 150513")
    assert found.state is FirmwareState.VULNERABLE and "CVE-2017-7921" in found.reason
    (match,) = found.advisories
    assert (match.cve_ids, match.cvss, match.severity, match.kev_added) == (
        ("CVE-2017-7921",),
        10.0,
        "critical",
        date(2026, 3, 5),
    )
    assert any("ICSA-17-124-01" in s for s in match.sources)
    assert match.as_dict()["kev_added"] == "2026-03-05" and match.as_dict()["cve_ids"] == ["CVE-2017-7921"]


@pytest.mark.parametrize(
    ("vendor", "model", "firmware", "reason"),
    [
        (None, "DS-2CD2132F-IS", "V5.3.0 build 150513", "vendor not known"),
        ("  ", "DS-2CD2132F-IS", "V5.3.0 build 150513", "vendor not known"),
        ("Acme Cameras", "X1", "1.0.0", "'Acme Cameras' is not in the vendor catalogue"),
        ("Hikvision", "DS-2CD2132F-IS", None, "no firmware version reported"),
        ("Hikvision", "DS-2CD2132F-IS", "", "no firmware version reported"),
        ("Hikvision", "DS-2CD2132F-IS", "garbage", "not in a known Hikvision format"),
        ("Uniview", "IPC2324SB-DZK-I0", "IPC_G6103-B0003P64D2305", "not in a known Uniview format"),
        ("Hikvision", None, "V5.3.0 build 150513", "whether CVE-2017-7921, CVE-2021-36260 applies: model not known"),
        ("Dahua", "IPC-HFW5442E-ZE", "2.800.0000000.16.R", "CVE-2021-33044, CVE-2021-33045 applies: firmware carries"),
    ],
)
def test_unknown(vendor: str | None, model: str | None, firmware: str | None, reason: str) -> None:
    found = assess(vendor, model, firmware)
    assert found.state is FirmwareState.UNKNOWN and not found.advisories
    assert reason in found.reason


@pytest.mark.parametrize(
    ("vendor", "model", "firmware", "as_of", "state", "reason"),
    [
        # Axis support tracks: LTS 2018 (8.40) ended with its last release in March 2024.
        ("Axis Communications", "P3245-LVE", "8.40.4", date(2024, 3, 31), "outdated", "LTS 2018 (8.40) support ended"),
        ("AXIS", "P3245-LVE", "8.40.4", date(2024, 3, 30), "ok", "no known advisory applies"),
        ("AXIS", "P3245-LVE", "9.80.55", TODAY, "ok", "no known advisory applies"),
        ("AXIS", "P3245-LVE", "10.12.114", TODAY, "ok", "no known advisory applies"),
        ("AXIS", "P3245-LVE", "11.11.73", TODAY, "ok", "no known advisory applies"),
        ("AXIS", "P3245-LVE", "12.2.50", TODAY, "ok", "no known advisory applies"),
        ("AXIS", "P3245-LVE", "11.5.64", TODAY, "outdated", "11.5.64 is on no LTS track and older than"),
        ("AXIS", "P3245-LVE", "7.10.1", TODAY, "outdated", "7.10.1 is on no LTS track"),
        # The age rule: a build exactly max_age_years old is not yet outdated.
        ("Hanwha Vision", "XNP-6400RW", "1.41.01_20210316", date(2024, 3, 16), "ok", "no known advisory applies"),
        ("Hanwha Vision", "XNP-6400RW", "1.41.01_20210316", date(2024, 3, 17), "outdated", "built 2021-03-16"),
        ("Pelco", "IMP321-1ES", "01.16.42-20180912", TODAY, "outdated", "more than 3 years before 2026-11-28"),
        ("Hikvision", "DS-2CD2T47G2-L", "V5.7.12 build 230315", TODAY, "outdated", "built 2023-03-15"),
        ("Hikvision", "DS-2CD2T47G2-L", "V5.7.12 build 240315", TODAY, "ok", "no known advisory applies"),
        # A G2 model is in no CVE-2017-7921 series, however old its firmware.
        ("Hikvision", "DS-2CD2T47G2-L", "V5.4.5 build 170124", TODAY, "outdated", "built 2017-01-24"),
        ("Dahua", "IPC-HFW5442E-ZE", _dahua("2025-02-01"), TODAY, "ok", "no known advisory applies"),
        ("Dahua", "DH-IPC-HFW2431S-S-S2", "2.800.0000000.16.R", TODAY, "ok", "applies; age not known"),
        # No build date and no published tracks: only advisories can decide.
        ("Bosch", "FLEXIDOME IP 5100i IR", "8.71.0066", TODAY, "ok", "no known advisory applies; age not known"),
        ("Mobotix", "MX-M16B", "MX-V5.4.6.5", TODAY, "ok", "no known advisory applies; age not known"),
        ("Hikvision", None, "V5.7.3 build 250112", TODAY, "ok", "no known advisory applies"),
    ],
)
def test_outdated_and_ok(vendor: str, model: str | None, firmware: str, as_of: date, state: str, reason: str) -> None:
    found = assess(vendor, model, firmware, as_of)
    assert (found.state, found.advisories) == (state, ())
    assert reason in found.reason


def test_ranges_written_with_a_first_fixed_release() -> None:
    text = (
        (FOLDER / "advisories.toml")
        .read_text(encoding="utf-8")
        .replace(
            'introduced = "V5.2.0 build 140721"\n  last_affected = "V5.4.0 build 160530"',
            'fixed = "V5.4.0 build 160531"',
        )
    )
    advisories = parse(Advisories, text, vendors=load_catalogue())
    states = {
        firmware: assess_firmware("Hikvision", "DS-2CD2132F-IS", firmware, advisories, as_of=Y2017).state
        for firmware in ("V5.1.0 build 130101", "V5.4.0 build 160530", "V5.4.0 build 160531")
    }
    assert states == {
        "V5.1.0 build 130101": FirmwareState.VULNERABLE,  # no `introduced`: every earlier release
        "V5.4.0 build 160530": FirmwareState.VULNERABLE,
        "V5.4.0 build 160531": FirmwareState.OK,
    }


@pytest.mark.parametrize(
    ("model", "firmware", "as_of", "state", "advisories"),
    [
        # Firmware from the years before the report, as the Watchful_IP write-up tested it: vulnerable.
        ("DS-2CD2143G2-IS", "V5.5.120 build 200604", date(2021, 1, 1), "vulnerable", {HIK_36260}),
        ("DS-2CD2346G2-ISU/SL", "V5.6.3 build 201217", TODAY, "vulnerable", {HIK_36260}),
        # A fixed build and later: the advisory does not apply; by today the 2021 build is outdated by age.
        ("DS-2CD2143G2-IS", "V5.5.800 build 210628", date(2022, 1, 1), "ok", set()),
        ("DS-2CD2143G2-IS", "V5.5.800 build 210628", TODAY, "outdated", set()),
        ("DS-2CD2143G2-IS", "V5.7.18 build 240826", TODAY, "ok", set()),
        # Series NVD does not list: never CVE-2021-36260, however old the build.
        ("DS-2CD2126G2-I", "V5.5.120 build 200604", date(2021, 1, 1), "ok", set()),
        ("DS-2CD2T47G2-L", "V5.6.3 build 201217", date(2021, 1, 1), "ok", set()),
        # A DS-2DF8 PTZ of 2016 is in CVE-2017-7921's DS-2DFx series, and its model also in CVE-2021-36260's list.
        ("DS-2DF8225IX-AEL(T3)", "V5.4.5 build 160928", date(2017, 1, 1), "vulnerable", {HIK_7921, HIK_36260}),
    ],
)
def test_hikvision_2021_command_injection(
    model: str, firmware: str, as_of: date, state: str, advisories: set[str]
) -> None:
    found = assess("Hikvision", model, firmware, as_of)
    assert (found.state, ids(found)) == (state, advisories)
    if HIK_36260 in advisories:
        (match,) = [a for a in found.advisories if a.id == HIK_36260]
        assert (match.cve_ids, match.cvss, match.kev_added) == (("CVE-2021-36260",), 9.8, date(2022, 1, 10))
        assert any("watchfulip.github.io" in s for s in match.sources)
