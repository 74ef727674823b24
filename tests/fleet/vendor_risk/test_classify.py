"""Classification over tables of signals: every catalogue fingerprint, every vendor's level, and the hard cases."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

import pytest

from fleet.vendor_risk.catalogue import load_catalogue
from fleet.vendor_risk.classify import Level, RiskPolicy, Signals, classify
from simulator.profiles import GENERIC, PROFILES, Identity, VendorProfile

CATALOGUE = load_catalogue()
DEFAULT = RiskPolicy()

# One model number per catalogue pattern (the coverage test below checks that none is missing).
MODELS = [
    ("DS-2CD2T47G2-L", "hikvision"),
    ("DS-2DE4425IW-DE", "hikvision"),
    ("DS-7608NI-K2", "hikvision"),
    ("DS-K1T671M", "hikvision"),
    ("iDS-2CD7146G0-IZS", "hikvision"),
    ("DH-IPC-HFW2431S-S-S2", "dahua"),
    ("IPC-HDW3841T-ZAS", "dahua"),
    ("HAC-HFW1200T", "dahua"),
    ("XVR5108HS-I3", "dahua"),
    ("IPC2124LB-SF28KM-G", "uniview"),
    ("NVR301-08S3-P8", "uniview"),
    ("VIGI C540", "tp-link"),
    ("Tapo C200", "tp-link"),
    ("RLC-810A", "reolink"),
    ("XM530_R80X20-PQ", "xiongmai"),
    ("MS-C2964-RFLPC", "milesight"),
    ("XND-A9084RV", "hanwha"),
    ("SNO-7084R", "hanwha"),
    ("XRN-1610", "hanwha"),
    ("AXIS Q1615-LE Mk III", "axis"),
    ("M5525-E", "axis"),
    ("FLEXIDOME indoor 5100i IR", "bosch"),
    ("NDE-5503-AL", "bosch"),
    ("MX-M16B", "mobotix"),
    ("WV-S2136", "i-pro"),
    ("WJ-NX400", "i-pro"),
    ("UVC-G4-Bullet", "ubiquiti"),
]
FIRMWARES = [
    ("V5.5.80 build 190131", "hikvision"),
    ("2.800.0000000.16.R, Build Date: 2022-08-26", "dahua"),
]
SYS_DESCRS = [
    ("SAMSUNG iPolis H.264 Premium Level IP Camera", "hanwha"),
    ("AXIS P3245-LVE Network Camera 10.12.114", "axis"),
    # No pattern: the vendor's name at the start is enough.
    ("MOBOTIX MX-M16B MX-V5.4.6.5", "mobotix"),
]


@pytest.mark.parametrize(("model", "expected"), MODELS)
def test_model_patterns(model: str, expected: str) -> None:
    found = CATALOGUE.by_model(model)
    assert found is not None and found.key == expected


@pytest.mark.parametrize(("model"), ["IPC-1080P", "NVR", "SD49425XB-HNR", "S6230-EGL", ""])
def test_ambiguous_or_unknown_models_point_nowhere(model: str) -> None:
    assert CATALOGUE.by_model(model) is None


@pytest.mark.parametrize(("firmware", "expected"), FIRMWARES)
def test_firmware_patterns(firmware: str, expected: str) -> None:
    found = CATALOGUE.by_firmware(firmware)
    assert found is not None and found.key == expected


@pytest.mark.parametrize(("sys_descr", "expected"), SYS_DESCRS)
def test_sys_descr(sys_descr: str, expected: str) -> None:
    found = CATALOGUE.by_sys_descr(sys_descr)
    assert found is not None and found.key == expected


@pytest.mark.parametrize(
    ("attribute", "examples"),
    [("model_patterns", MODELS), ("firmware_patterns", FIRMWARES), ("sys_descr_patterns", SYS_DESCRS)],
)
def test_every_pattern_has_an_example(attribute: str, examples: list[tuple[str, str]]) -> None:
    patterns: list[re.Pattern[str]] = [p for v in CATALOGUE.vendors for p in getattr(v, attribute)]
    unused = [p.pattern for p in patterns if not any(p.search(text) for text, _ in examples)]
    assert unused == []


@pytest.mark.parametrize(
    ("number", "expected"),
    [pytest.param(n, v.key, id=f"{v.key}:{n}") for v in CATALOGUE.vendors for n in v.snmp_enterprises],
)
def test_every_enterprise_number(number: int, expected: str) -> None:
    assessment = classify(Signals(snmp_enterprise=number), CATALOGUE, DEFAULT)
    name = CATALOGUE.vendor(expected).name
    assert assessment.origin_vendor == name
    assert assessment.evidence == [{"signal": "snmp_enterprise", "value": str(number), "points_to": name}]


@pytest.mark.parametrize(
    ("onvif", "expected"),
    [pytest.param(s, v.key, id=f"{v.key}:{s}") for v in CATALOGUE.vendors for s in v.onvif_manufacturers],
)
def test_every_onvif_manufacturer_string(onvif: str, expected: str) -> None:
    found = CATALOGUE.by_name(onvif.upper(), onvif=True)
    assert found is not None and found.key == expected


# Every vendor's level under the default policy and with the US Entity List counted as high.
LEVELS: dict[str, tuple[Level, Level]] = {
    "hikvision": ("high", "high"),
    "ezviz": ("high", "high"),  # Hikvision subsidiary: the Covered List and s.889 cover subsidiaries
    "dahua": ("high", "high"),
    "imou": ("high", "high"),  # Dahua subsidiary until the announced sale is verified
    "amcrest": ("high", "high"),  # Dahua OEM, relation confidence 0.9
    "lorex": ("high", "high"),  # Dahua-owned 2018-2023, relation confidence 0.6
    "huawei": ("high", "high"),
    "zte": ("high", "high"),
    "hytera": ("high", "high"),
    "uniview": ("medium", "high"),
    "tiandy": ("medium", "high"),
    "tp-link": ("medium", "medium"),
    "reolink": ("medium", "medium"),
    "xiongmai": ("medium", "medium"),
    "milesight": ("medium", "medium"),
    "tvt": ("medium", "medium"),
    "jovision": ("medium", "medium"),
    "hanbang": ("medium", "medium"),
    "sunell": ("medium", "medium"),
    "hanwha": ("low", "low"),
    "canon": ("low", "low"),
    "axis": ("low", "low"),
    "bosch": ("low", "low"),
    "mobotix": ("low", "low"),
    "vivotek": ("low", "low"),
    "motorola-solutions": ("low", "low"),
    "avigilon": ("low", "low"),
    "pelco": ("low", "low"),
    "honeywell": ("low", "low"),  # OEM relations 0.3, below the 0.5 threshold
    "i-pro": ("low", "low"),  # OEM relations 0.2
    "sony": ("low", "low"),
    "dallmeier": ("low", "low"),
    "siqura": ("low", "low"),
    "verkada": ("low", "low"),
    "ubiquiti": ("low", "low"),
}


def test_level_table_covers_every_vendor() -> None:
    assert sorted(LEVELS) == sorted(v.key for v in CATALOGUE.vendors)


@pytest.mark.parametrize(("key", "levels"), LEVELS.items())
def test_level_of_each_vendor(key: str, levels: tuple[Level, Level]) -> None:
    signals = Signals(declared_manufacturer=CATALOGUE.vendor(key).name)
    strict = RiskPolicy(entity_list_is_high=True)
    assert (classify(signals, CATALOGUE, DEFAULT).level, classify(signals, CATALOGUE, strict).level) == levels


@dataclass(frozen=True)
class Case:
    signals: Signals
    level: Level
    origin: str | None
    country: str | None = None
    mismatch: bool = False
    evidence: dict[str, str | None] = field(default_factory=dict)  # signal → points_to, for the signals named
    policy: RiskPolicy = DEFAULT


CASES = {
    "relabel: unknown brand, Hikvision MAC": Case(
        Signals(declared_manufacturer="Nelly's Security", observed_manufacturer="NS", observed_mac="bc:ad:28:12:34:56"),
        "high",
        "Hikvision",
        "China",
        mismatch=True,
        evidence={"declared_manufacturer": None, "onvif_manufacturer": None, "mac_oui": "Hikvision"},
    ),
    "relabel: Honeywell firmware, Dahua MAC": Case(
        Signals(declared_manufacturer="Honeywell", observed_manufacturer="Honeywell", observed_mac="3c:ef:8c:00:00:01"),
        "high",
        "Dahua",
        "China",
        mismatch=True,
        evidence={"onvif_manufacturer": "Honeywell", "mac_oui": "Dahua"},
    ),
    "relabel: Honeywell OUI, Dahua model number": Case(
        Signals(observed_manufacturer="Honeywell", observed_model="IPC-HDW3841T-ZAS", observed_mac="00:0a:13:00:00:01"),
        "high",
        "Dahua",
        "China",
        evidence={"onvif_model": "Dahua", "mac_oui": "Honeywell"},
    ),
    "swapped: declared Axis, device Hikvision": Case(
        Signals(
            declared_manufacturer="Axis",
            declared_model="AXIS P3245-LVE",
            observed_manufacturer="HIKVISION",
            observed_model="DS-2CD2143G2-I",
            observed_mac="44:19:b6:00:00:01",
        ),
        "high",
        "Hikvision",
        "China",
        mismatch=True,
        evidence={"declared_manufacturer": "Axis Communications", "mac_oui": "Hikvision"},
    ),
    "Bosch with the VCS OUI": Case(
        Signals(declared_manufacturer="Bosch", observed_manufacturer="Bosch", observed_mac="00:07:5f:99:49:01"),
        "low",
        "Bosch Security Systems",
        "Germany",
        evidence={"mac_oui": "Bosch Security Systems"},
    ),
    "Pelco with the Motorola OUI": Case(
        Signals(declared_manufacturer="Pelco", observed_mac="00:04:7d:36:a5:4e"),
        "low",
        "Pelco",
        "United States",
        evidence={"mac_oui": "Pelco"},
    ),
    "Avigilon with the Motorola OUI": Case(
        Signals(declared_manufacturer="Avigilon", observed_mac="00:18:85:00:00:01"),
        "low",
        "Avigilon",
        "Canada",
        evidence={"mac_oui": "Avigilon"},
    ),
    "Axis parent Canon is the same company": Case(
        Signals(declared_manufacturer="Canon", observed_manufacturer="AXIS", observed_mac="00:40:8c:00:00:01"),
        "low",
        "Axis Communications",
        "Sweden",
    ),
    "EZVIZ subsidiary declared as Hikvision": Case(
        Signals(declared_manufacturer="Hikvision", observed_mac="20:bb:bc:00:00:01"),
        "high",
        "EZVIZ",
        "China",
        evidence={"mac_oui": "EZVIZ"},
    ),
    "Dahua white-label firmware and unregistered SNMP arc": Case(
        Signals(observed_manufacturer="General", snmp_enterprise=1004849, sys_object_id="1.3.6.1.4.1.1004849.1.1"),
        "high",
        "Dahua",
        "China",
        evidence={"onvif_manufacturer": "Dahua", "snmp_enterprise": "Dahua", "sys_object_id": "(absent)"},
    ),
    "sysObjectID alone": Case(
        Signals(sys_object_id=".1.3.6.1.4.1.368.4"),
        "low",
        "Axis Communications",
        "Sweden",
        evidence={"sys_object_id": "Axis Communications"},
    ),
    "Net-SNMP default sysObjectID names nobody": Case(
        Signals(sys_object_id="1.3.6.1.4.1.8072.3.2.10", declared_manufacturer="Mobotix"),
        "low",
        "Mobotix",
        "Germany",
        evidence={"sys_object_id": None},
    ),
    "Amcrest declared: Dahua OEM at 0.9": Case(
        Signals(declared_manufacturer="Amcrest"),
        "high",
        "Dahua",
        "China",
        evidence={"declared_manufacturer": "Amcrest"},
    ),
    "Amcrest OUI: Dahua OEM": Case(Signals(observed_mac="9c:8e:cd:00:00:01"), "high", "Dahua", "China"),
    "Honeywell declared: OEM relation below the threshold": Case(
        Signals(declared_manufacturer="Honeywell"), "low", "Honeywell", "United States"
    ),
    "Honeywell declared, lower threshold": Case(
        Signals(declared_manufacturer="Honeywell"),
        "high",
        "Dahua",
        "China",
        policy=RiskPolicy(oem_relabel_min_confidence=0.3),
    ),
    "Uniview: Entity List counts as medium by default": Case(
        Signals(observed_manufacturer="UNIVIEW", observed_mac="48:ea:63:00:00:01"), "medium", "Uniview", "China"
    ),
    "Uniview: Entity List counted as high": Case(
        Signals(observed_manufacturer="UNIVIEW", observed_mac="48:ea:63:00:00:01"),
        "high",
        "Uniview",
        "China",
        policy=RiskPolicy(entity_list_is_high=True),
    ),
    "Xiongmai white-label board": Case(
        Signals(observed_manufacturer="H264", observed_model="XM530_R80X20-PQ"),
        "medium",
        "Xiongmai",
        "China",
        evidence={"onvif_manufacturer": "Xiongmai", "onvif_model": "Xiongmai"},
    ),
    "Huawei HiSilicon OUI": Case(Signals(observed_mac="84:8a:59:00:00:01"), "high", "Huawei", "China"),
    "declared only": Case(
        Signals(declared_manufacturer="Vivotek", declared_model="FD9360-H"), "low", "Vivotek", "Taiwan"
    ),
    "locally administered MAC names no maker": Case(
        Signals(observed_manufacturer="IPCAM", observed_mac="02:1a:11:00:00:01"),
        "unknown",
        None,
        evidence={"onvif_manufacturer": None, "mac_oui": None},
    ),
    "nothing known": Case(Signals(), "unknown", None),
    "not a MAC address": Case(Signals(observed_mac="unknown"), "unknown", None, evidence={"mac_oui": None}),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_classification(case: Case) -> None:
    assessment = classify(case.signals, CATALOGUE, case.policy)
    assert (assessment.level, assessment.origin_vendor, assessment.origin_country, assessment.identity_mismatch) == (
        case.level,
        case.origin,
        case.country,
        case.mismatch,
    ), assessment.reason
    found = {e["signal"]: e["points_to"] for e in assessment.evidence}
    assert {signal: found.get(signal, "(absent)") for signal in case.evidence} == case.evidence
    if case.origin is None:
        assert assessment.confidence is None
    else:
        assert assessment.confidence is not None and 0 < assessment.confidence <= 1


def test_relabel_keeps_the_mac_in_the_evidence_and_says_why() -> None:
    assessment = classify(CASES["relabel: unknown brand, Hikvision MAC"].signals, CATALOGUE, DEFAULT)
    assert {"signal": "mac_oui", "value": "bc:ad:28:12:34:56", "points_to": "Hikvision"} in assessment.evidence
    assert "Nelly's Security (not in the catalogue)" in assessment.reason


@pytest.mark.parametrize(
    ("weaker", "stronger"),
    [
        # Device signals outweigh the declared identity, and more agreeing signals give more confidence.
        (Signals(declared_manufacturer="Axis"), Signals(observed_mac="00:40:8c:00:00:01")),
        (
            Signals(observed_manufacturer="AXIS"),
            Signals(observed_manufacturer="AXIS", observed_mac="00:40:8c:00:00:01"),
        ),
        # Device signals that point elsewhere lower the confidence.
        (
            Signals(observed_manufacturer="AXIS", observed_mac="bc:ad:28:00:00:01"),
            Signals(observed_mac="bc:ad:28:00:00:01"),
        ),
        # An OEM link by relation alone is less sure than one the device confirms.
        (
            Signals(observed_mac="9c:8e:cd:00:00:01"),
            Signals(observed_mac="9c:8e:cd:00:00:01", observed_firmware="2.800.0000000.16.R"),
        ),
    ],
)
def test_confidence_orders(weaker: Signals, stronger: Signals) -> None:
    low, high = (classify(s, CATALOGUE, DEFAULT).confidence for s in (weaker, stronger))
    assert low is not None and high is not None and low < high


def _simulated(profile: VendorProfile) -> Signals:
    """What the simulator's device of this profile reports, declared under the profile's name."""
    model = profile.model_of(profile.models[0])
    firmware = profile.firmwares[0].format(series=model.split("-")[0])
    mac = profile.ouis[0].replace("-", ":").lower() + ":00:00:01"
    identity = Identity(profile.onvif_manufacturer, model, firmware, "", "", mac)
    return Signals(
        declared_manufacturer=profile.key,
        observed_manufacturer=profile.onvif_manufacturer,
        observed_model=model,
        observed_firmware=firmware,
        observed_mac=mac,
        snmp_enterprise=profile.enterprise,
        sys_descr=profile.sys_descr(identity) if profile.sys_object_id else None,
    )


@pytest.mark.parametrize("profile", PROFILES, ids=[p.key for p in PROFILES])
def test_simulated_vendors(profile: VendorProfile) -> None:
    assessment = classify(_simulated(profile), CATALOGUE, DEFAULT)
    vendor = CATALOGUE.vendor(profile.key)
    assert (assessment.origin_vendor, assessment.level, assessment.identity_mismatch) == (
        vendor.name,
        LEVELS[profile.key][0],
        False,
    )


def test_simulated_white_label_camera_is_unknown() -> None:
    signals = dataclasses.replace(_simulated(GENERIC), declared_manufacturer=None)
    assert classify(signals, CATALOGUE, DEFAULT).level == "unknown"
