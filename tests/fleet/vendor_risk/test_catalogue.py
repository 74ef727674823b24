"""The shipped vendor catalogue: valid, sourced, and every fingerprint it holds checked against its registry."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path
from typing import Any

import netaddr
import pytest

from config.catalogues import FOLDER
from fleet.vendor_risk.catalogue import Catalogue, OuiEntry, Vendor, load_catalogue, normalise

CATALOGUE = load_catalogue()

# For organisations matched by name alone (too many OUIs to list), one OUI of each from the same registry.
ORG_EXAMPLES = {
    "HUAWEI TECHNOLOGIES CO.,LTD": "00-18-82",
    "Huawei Device Co., Ltd.": "00-3D-E1",
    "zte corporation": "00-15-EB",
    "TP-LINK TECHNOLOGIES CO.,LTD.": "00-0A-EB",
    "TP-Link Corporation Limited": "00-31-92",
    "TP-LINK CORPORATION PTE. LTD.": "20-23-51",
    "CANON INC.": "00-00-85",
    "Sony Corporation": "00-01-4A",
    "Ubiquiti Inc": "00-15-6D",
}


def _ouis() -> list[Any]:
    return [
        pytest.param(vendor, entry, id=f"{vendor.key}:{entry.org}")
        for vendor in CATALOGUE.vendors
        for entry in vendor.ouis
    ]


def test_loaded_once_from_the_config_package() -> None:
    assert (FOLDER / "vendors.toml").is_file() and FOLDER.name == "config"
    assert load_catalogue() is CATALOGUE


def test_every_vendor_and_fact_cites_listed_sources() -> None:
    assert all(vendor.sources for vendor in CATALOGUE.vendors)
    cited = {s for v in CATALOGUE.vendors for s in v.sources}
    cited |= {s for r in CATALOGUE.restrictions.values() for s in r.sources}
    for vendor in CATALOGUE.vendors:
        cited |= {s for x in vendor.restrictions for s in x.sources} | {s for x in vendor.ouis for s in x.sources}
        cited |= {s for x in vendor.made_by for s in x.sources}
    assert cited <= set(CATALOGUE.sources)
    # Every listed source is used by some fact: no stale references.
    assert set(CATALOGUE.sources) <= cited


@pytest.mark.parametrize(("vendor", "entry"), _ouis())
def test_oui_entries_match_netaddr_registry(vendor: Vendor, entry: OuiEntry) -> None:
    prefixes = entry.prefixes or (ORG_EXAMPLES[entry.org],)
    for prefix in prefixes:
        registered = netaddr.EUI(prefix.replace("-", "") + "000001").oui.registration().org
        assert registered == entry.org, prefix
        found = CATALOGUE.by_oui(prefix, registered)
        assert found is not None and found.key == vendor.key
        # The prefix alone finds the vendor too, should a later registry rename the organisation (Avigilon did).
        if entry.prefixes:
            renamed = CATALOGUE.by_oui(prefix, "Some Later Name Inc.")
            assert renamed is not None and renamed.key == vendor.key


@pytest.mark.parametrize(
    ("prefix", "org"),
    [
        # Motorola Solutions holds Pelco's and Avigilon's OUIs and others: only the listed ones count.
        ("4C-CC-34", "Motorola Solutions Inc."),
        # Samsung Electronics holds hundreds of OUIs; only the one seen on a Samsung Techwin camera counts.
        ("00-00-F0", "Samsung Electronics Co.,Ltd"),
        # Honor left Huawei; its OUIs are not Huawei's.
        ("04-79-75", "Honor Device Co., Ltd."),
        # "hik" is not Hikvision.
        ("7C-82-74", "Shenzhen Hikeen Technology CO.,LTD"),
    ],
)
def test_oui_lookups_that_must_not_match(prefix: str, org: str) -> None:
    assert CATALOGUE.by_oui(prefix, org) is None


@pytest.mark.parametrize(
    ("vendor", "name"),
    [pytest.param(v, n, id=f"{v.key}:{n}") for v in CATALOGUE.vendors for n in (v.name, v.legal_name, *v.aliases)],
)
def test_every_name_and_alias_names_its_vendor(vendor: Vendor, name: str) -> None:
    found = CATALOGUE.by_name(name)
    assert found is not None and found.key == vendor.key


@pytest.mark.parametrize(
    ("text", "onvif", "expected"),
    [
        ("Hikvision Digital Technology Co., Ltd.", False, "hikvision"),
        ("AXIS COMMUNICATIONS AB", False, "axis"),
        ("Bosch Security Systems B.V.", False, "bosch"),
        # ONVIF-only strings: the white-label Dahua firmware and Xiongmai boards; meaningless as a declared name.
        ("General", True, "dahua"),
        ("General", False, None),
        ("H264", True, "xiongmai"),
        ("Generic Cameras Ltd", False, None),
        ("", False, None),
    ],
)
def test_manufacturer_strings(text: str, onvif: bool, expected: str | None) -> None:
    found = CATALOGUE.by_name(text, onvif=onvif)
    assert (found.key if found else None) == expected


def _broken(change: str) -> dict[str, Any]:
    data = tomllib.loads((FOLDER / "vendors.toml").read_text(encoding="utf-8"))
    vendors = {v["key"]: v for v in data["vendors"]}
    match change:
        case "unlisted source":
            vendors["axis"]["sources"] = ["S999"]
        case "no sources":
            vendors["axis"]["sources"] = []
        case "unknown parent":
            vendors["axis"]["parent"] = "nobody"
        case "parent cycle":
            vendors["canon"]["parent"] = "axis"
        case "unknown maker":
            vendors["amcrest"]["made_by"][0]["maker"] = "nobody"
        case "unknown restriction":
            vendors["hikvision"]["restrictions"][0]["id"] = "nothing"
        case "alias of two vendors":
            vendors["axis"]["aliases"].append("hikvision")
        case "enterprise of two vendors":
            vendors["axis"]["snmp_enterprises"].append(39165)
        case "bad prefix":
            vendors["axis"]["ouis"][0]["prefixes"] = ["00:40:8C"]
        case "narrowed without prefixes":
            vendors["pelco"]["ouis"][0]["prefixes"] = []
        case "confidence above 1":
            vendors["amcrest"]["made_by"][0]["confidence"] = 1.5
        case "bad pattern":
            vendors["axis"]["model_patterns"] = ["^(AXIS"]
    return data


@pytest.mark.parametrize(
    "change",
    [
        "unlisted source",
        "no sources",
        "unknown parent",
        "parent cycle",
        "unknown maker",
        "unknown restriction",
        "alias of two vendors",
        "enterprise of two vendors",
        "bad prefix",
        "narrowed without prefixes",
        "confidence above 1",
        "bad pattern",
    ],
)
def test_inconsistent_catalogue_is_refused(change: str) -> None:
    with pytest.raises(ValueError):
        Catalogue.model_validate(_broken(change))


def test_normalise() -> None:
    assert normalise("  Zhejiang Dahua Technology Co., Ltd. ") == "zhejiang dahua technology co ltd"


def test_every_declared_manufacturer_of_the_illustrative_fleet_is_known(test_data: Path) -> None:
    with (test_data / "fleet-venlo-illustrative.csv").open(encoding="utf-8", newline="") as file:
        names = {row["declared_manufacturer"] for row in csv.DictReader(file) if row["declared_manufacturer"]}
    assert names and [n for n in sorted(names) if CATALOGUE.by_name(n) is None] == []
