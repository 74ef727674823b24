"""Matching a camera to KEV entries: vendor names and relabels, products, and advisories.toml's ranges."""

from __future__ import annotations

from datetime import date

import pytest

from fleet.advisories.matching import CameraIdentity, KevFacts, exploited_matches
from fleet.firmware.catalogue import load_advisories


def _entry(cve: str, vendor: str, product: str, due: date = date(2026, 12, 20)) -> KevFacts:
    return KevFacts(cve, vendor, product, f"{vendor} {product}", date(2026, 12, 1), due, "Unknown")


def _match(identity: CameraIdentity, *entries: KevFacts) -> dict[str, tuple[str, str]]:
    return {m.cve_id: (m.confidence, m.how) for m in exploited_matches(identity, entries, load_advisories())}


@pytest.mark.parametrize(
    ("firmware", "expected"),
    [
        ("V5.5.800 build 210601", "high"),  # built before the first fix: in the range
        ("V5.7.3 build 220112", None),  # built after: fixed
        ("5.7.3", "low"),  # not in Hikvision's format: the ranges cannot decide
        (None, "low"),  # not reported yet
    ],
)
def test_advisory_ranges_decide_where_they_can(firmware: str | None, expected: str | None) -> None:
    camera = CameraIdentity("HIKVISION", "DS-2CD2043G2-I", firmware)
    found = _match(camera, _entry("CVE-2021-36260", "Hikvision", "Various Products"))
    assert found.get("CVE-2021-36260", (None, ""))[0] == expected


def test_a_model_outside_the_advisorys_series_does_not_match() -> None:
    camera = CameraIdentity("Hikvision", "DS-2CD2043G2-I", "V5.4.0 build 160401")
    assert _match(camera, _entry("CVE-2017-7921", "Hikvision", "Multiple Products")) == {}
    older = CameraIdentity("Hikvision", "DS-2CD2032F-I", "V5.4.0 build 160401")
    assert _match(older, _entry("CVE-2017-7921", "Hikvision", "Multiple Products"))["CVE-2017-7921"][0] == "high"


def test_products_named_in_kev_narrow_the_match() -> None:
    camera = CameraIdentity("Dahua", "DH-IPC-HFW2431S-S-S2", "2.800.0000000.16.R, Build Date: 2022-08-26")
    found = _match(
        camera,
        _entry("CVE-2026-00001", "Dahua", "IPC-HFW2431S"),  # its model series: medium
        _entry("CVE-2026-00002", "Dahua", "IPC-HDW5000"),  # another series
        _entry("CVE-2026-00003", "Dahua Technology", "NVR Firmware"),  # a recorder
        _entry("CVE-2026-00004", "Dahua", "Dahua IP Cameras"),  # the vendor's cameras in general: low
    )
    assert {cve: confidence for cve, (confidence, _how) in found.items()} == {
        "CVE-2026-00001": "medium",
        "CVE-2026-00004": "low",
    }


def test_a_relabelled_camera_counts_for_its_maker_one_step_less_sure() -> None:
    amcrest = CameraIdentity("Amcrest", "IP8M-2496EB", None)
    found = _match(amcrest, _entry("CVE-2026-00005", "Dahua", "Multiple Cameras"))
    confidence, how = found["CVE-2026-00005"]
    assert confidence == "low" and "sold as Amcrest, units made by Dahua" in how
    # The vendor-risk origin names the maker behind a label the catalogue has no relation for.
    unknown_label = CameraIdentity("Acme Security", "X1", None, origin_vendor="Hikvision", origin_confidence=0.9)
    found = _match(unknown_label, _entry("CVE-2026-00006", "Hikvision", "Multiple Products"))
    assert "made by Hikvision (vendor-risk origin, confidence 0.90)" in found["CVE-2026-00006"][1]


def test_unknown_vendors_and_other_makers_never_match() -> None:
    entries = (_entry("CVE-2026-00007", "Hikvision", "Multiple Products"),)
    assert _match(CameraIdentity(None, "DS-2CD2043G2-I", None), *entries) == {}
    assert _match(CameraIdentity("Axis Communications", "P3245", "10.12.114"), *entries) == {}
    assert _match(CameraIdentity("Acme", "DS-2CD2043G2-I", None), *entries) == {}


def test_the_earliest_deadline_comes_first() -> None:
    camera = CameraIdentity("Hikvision", "DS-2CD2043G2-I", None)
    late = _entry("CVE-2026-00008", "Hikvision", "Cameras", due=date(2027, 1, 5))
    early = _entry("CVE-2026-00009", "Hikvision", "Cameras", due=date(2026, 12, 10))
    found = exploited_matches(camera, (late, early), load_advisories())
    assert [m.cve_id for m in found] == ["CVE-2026-00009", "CVE-2026-00008"]


def test_recorders_match_recorder_and_general_entries_not_camera_ones() -> None:
    nvr = CameraIdentity("Dahua", "DHI-NVR5216-4KS2", "4.001.0000000.1.R, Build Date: 2019-06-10", recorder=True)
    found = _match(
        nvr,
        _entry(
            "CVE-2021-33045", "Dahua", "Multiple Products"
        ),  # advisories.toml's recorder range: built before 2019-12
        _entry("CVE-2026-00010", "Dahua", "IP Camera Firmware"),
        _entry("CVE-2026-00011", "Dahua", "NVR"),
    )
    assert {cve: confidence for cve, (confidence, _how) in found.items()} == {
        "CVE-2021-33045": "high",
        "CVE-2026-00011": "low",
    }
