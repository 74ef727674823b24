"""Vendor-origin risk of one camera from every identity signal: a pure function over the catalogue.

How the signals are weighed (the weights are the chance a match alone names the real maker):

- The device's own signals outweigh what the municipality declared. The MAC OUI (the maker of the network board)
  and the SNMP enterprise number are strong (0.9); a model-number pattern or the sysDescr is medium (0.6); the
  ONVIF manufacturer string and firmware format are weaker (0.5): OEM firmware relabels them freely. Declared
  manufacturer and model count 0.4 each and decide only when the device said nothing the catalogue knows.
- Matches are grouped by corporate family (Axis with its parent Canon, EZVIZ with Hikvision, Pelco and Avigilon with
  Motorola Solutions, so their OUIs agree). The family with the highest combined score (noisy-OR) is the device's.
- A brand that sells units made by a covered maker (Amcrest → Dahua) takes that maker as origin when device evidence
  also points to the maker, or when the catalogue's confidence in the relation reaches
  `oem_relabel_min_confidence` (default 0.5: Amcrest 0.9 and Lorex 0.6 qualify; Honeywell 0.3 and i-PRO 0.2 do not,
  because only some of their models were OEM units, so they stay low unless the device shows a Dahua/Hikvision trait).
- Level: `high` for vendors on the FCC Covered List or named in NDAA §889, their subsidiaries and their OEM units;
  `medium` for other makers based in the PRC; `low` otherwise; `unknown` when no signal matches the catalogue.
  US Entity List makers (Uniview, Tiandy) are `medium` unless `entity_list_is_high` is set: the Entity List restricts
  exports *to* a company, not buying or using its products, while the Covered List and §889 are the measures that
  name the makers' video equipment itself. A municipality following the UK 2022 statement may prefer `true`.
- Confidence: the combined score of the signals that support the origin, reduced by up to half by device signals
  that point elsewhere, times the OEM relation's confidence when only that relation made the link.
- `identity_mismatch`: the declared family and the device's family differ, or the declared brand is unknown to the
  catalogue while the device clearly is a known maker (a swapped or relabelled camera).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from fleet.vendor_risk.catalogue import PRC, Catalogue, RestrictionKind, Vendor
from fleet.vendor_risk.oui import oui_of

Level = Literal["high", "medium", "low", "unknown"]


@dataclass(frozen=True, slots=True)
class Signals:
    """Everything known about one camera's identity: declared by the municipality and reported by the device."""

    declared_manufacturer: str | None = None
    declared_model: str | None = None
    observed_manufacturer: str | None = None
    observed_model: str | None = None
    observed_firmware: str | None = None
    observed_mac: str | None = None
    snmp_enterprise: int | None = None
    sys_descr: str | None = None
    sys_object_id: str | None = None


@dataclass(frozen=True, slots=True)
class RiskPolicy:
    """The policy choices of the classification (see the module docstring for the defaults)."""

    entity_list_is_high: bool = False
    oem_relabel_min_confidence: float = 0.5


@dataclass(frozen=True, slots=True)
class Assessment:
    level: Level
    origin_vendor: str | None
    origin_country: str | None
    confidence: float | None
    evidence: list[dict[str, str | None]]
    identity_mismatch: bool
    reason: str


@dataclass(frozen=True, slots=True)
class _Finding:
    signal: str
    value: str
    vendor: Vendor | None
    weight: float
    from_device: bool


@dataclass(frozen=True, slots=True)
class _Reader:
    """One signal: where its value comes from, how the catalogue resolves it, and how much it weighs."""

    signal: str
    weight: float
    from_device: bool
    value: Callable[[Signals], str | None]
    find: Callable[[Catalogue, str], Vendor | None]


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _enterprise_arc(sys_object_id: str) -> int | None:
    parts = sys_object_id.strip().lstrip(".").split(".")
    if parts[:6] == ["1", "3", "6", "1", "4", "1"] and len(parts) > 6 and parts[6].isdigit():
        return int(parts[6])
    return None


def _sys_object_id(signals: Signals) -> str | None:
    value = _text(signals.sys_object_id)
    arc = None if value is None else _enterprise_arc(value)
    # The arc snmp_enterprise already holds is the same fact: counting it twice would inflate the confidence.
    return None if arc is not None and arc == signals.snmp_enterprise else value


def _by_arc(catalogue: Catalogue, sys_object_id: str) -> Vendor | None:
    arc = _enterprise_arc(sys_object_id)
    return None if arc is None else catalogue.by_enterprise(arc)


def _by_mac(catalogue: Catalogue, mac: str) -> Vendor | None:
    oui = oui_of(mac)
    if oui is None or oui.locally_administered:
        return None
    return catalogue.by_oui(oui.prefix, oui.org)


READERS: tuple[_Reader, ...] = (
    _Reader("declared_manufacturer", 0.4, False, lambda s: _text(s.declared_manufacturer), Catalogue.by_name),
    _Reader("declared_model", 0.4, False, lambda s: _text(s.declared_model), Catalogue.by_model),
    _Reader(
        "onvif_manufacturer", 0.5, True, lambda s: _text(s.observed_manufacturer), lambda c, v: c.by_name(v, onvif=True)
    ),
    _Reader("onvif_model", 0.6, True, lambda s: _text(s.observed_model), Catalogue.by_model),
    _Reader("onvif_firmware", 0.5, True, lambda s: _text(s.observed_firmware), Catalogue.by_firmware),
    _Reader("mac_oui", 0.9, True, lambda s: _text(s.observed_mac), _by_mac),
    _Reader(
        "snmp_enterprise",
        0.9,
        True,
        lambda s: None if s.snmp_enterprise is None else str(s.snmp_enterprise),
        lambda c, v: c.by_enterprise(int(v)),
    ),
    _Reader("sys_object_id", 0.9, True, _sys_object_id, _by_arc),
    _Reader("sys_descr", 0.6, True, lambda s: _text(s.sys_descr), Catalogue.by_sys_descr),
)


def _noisy_or(weights: Iterable[float]) -> float:
    return 1 - math.prod(1 - w for w in weights)


def _best(findings: list[_Finding], key: Callable[[Vendor], str]) -> str | None:
    """The key (family or vendor) with the highest combined weight; ties go to the strongest single signal."""
    grouped: dict[str, list[float]] = {}
    for f in findings:
        if f.vendor is not None:
            grouped.setdefault(key(f.vendor), []).append(f.weight)
    if not grouped:
        return None
    return max(grouped, key=lambda k: (_noisy_or(grouped[k]), max(grouped[k])))


def _level(vendor: Vendor, catalogue: Catalogue, policy: RiskPolicy) -> tuple[Level, str]:
    listings = catalogue.listings(vendor)

    def named(kind: RestrictionKind) -> list[str]:
        return [
            catalogue.restrictions[x.id].name + ("" if owner is vendor else f" (via {owner.name})")
            for x, owner in listings
            if catalogue.restrictions[x.id].kind is kind
        ]

    if bans := named(RestrictionKind.PROCUREMENT_BAN):
        return "high", ", ".join(bans)
    if (controls := named(RestrictionKind.EXPORT_CONTROL)) and policy.entity_list_is_high:
        return "high", ", ".join(controls)
    if vendor.country == PRC:
        listed = f"; {', '.join(controls)} (not counted as high by policy)" if controls else ""
        return "medium", f"based in the PRC{listed}"
    return "low", f"based in {vendor.country}, on no restriction list"


def classify(signals: Signals, catalogue: Catalogue, policy: RiskPolicy) -> Assessment:
    """Decide a camera's origin vendor, country and risk level from all its signals, with the evidence."""
    findings = [
        _Finding(r.signal, value, r.find(catalogue, value), r.weight, r.from_device)
        for r in READERS
        if (value := r.value(signals)) is not None
    ]
    evidence: list[dict[str, str | None]] = [
        {"signal": f.signal, "value": f.value, "points_to": f.vendor.name if f.vendor else None} for f in findings
    ]
    device = [f for f in findings if f.from_device]
    declared = [f for f in findings if not f.from_device]
    device_family = _best(device, lambda v: catalogue.family(v.key))
    declared_family = _best(declared, lambda v: catalogue.family(v.key))
    family = device_family or declared_family
    if family is None:
        reason = "no signal matches the vendor catalogue" if findings else "nothing observed or declared yet"
        return Assessment("unknown", None, None, None, evidence, False, reason)

    in_family = [f for f in findings if f.vendor is not None and catalogue.family(f.vendor.key) == family]
    brand = catalogue.vendor(_best(in_family, lambda v: v.key) or family)
    origin, factor, oem_note = _oem_origin(brand, device, catalogue, policy)
    kept = {family, catalogue.family(origin.key)}
    support = [f for f in findings if f.vendor is not None and catalogue.family(f.vendor.key) in kept]
    against = [f for f in device if f.vendor is not None and catalogue.family(f.vendor.key) not in kept]
    doubt = _noisy_or(f.weight for f in against) / 2
    confidence = round(_noisy_or(f.weight for f in support) * (1 - doubt) * factor, 2)

    level, basis = _level(origin, catalogue, policy)
    mismatch_note = _mismatch(declared, declared_family, device, device_family, catalogue)
    against_note = ", ".join(f"{f.signal} points to {f.vendor.name}" for f in against if f.vendor is not None)
    source_note = "" if device_family else "from the declared identity only"
    notes = (f"{origin.name}: {basis}", oem_note, mismatch_note, against_note, source_note)
    reason = "; ".join(note for note in notes if note)
    return Assessment(level, origin.name, origin.country, confidence, evidence, bool(mismatch_note), reason)


def _mismatch(
    declared: list[_Finding],
    declared_family: str | None,
    device: list[_Finding],
    device_family: str | None,
    catalogue: Catalogue,
) -> str:
    """Why the declared identity and the device's own disagree, or "" when they do not (or cannot be compared)."""
    if device_family is None or declared_family == device_family:
        return ""
    shown = _named(device, device_family, catalogue)
    if declared_family is not None:
        return f"declared {_named(declared, declared_family, catalogue)}, but the device identifies as {shown}"
    # A declared brand the catalogue does not know, on a device that clearly is a known maker: a relabel to check.
    names = [f.value for f in declared if f.signal == "declared_manufacturer"]
    return f"declared {names[0]} (not in the catalogue), but the device identifies as {shown}" if names else ""


def _named(findings: list[_Finding], family: str, catalogue: Catalogue) -> str:
    """The name of the best-supported vendor of a family among some findings (Axis rather than its parent Canon)."""
    members = [f for f in findings if f.vendor is not None and catalogue.family(f.vendor.key) == family]
    return catalogue.vendor(_best(members, lambda v: v.key) or family).name


def _oem_origin(
    brand: Vendor, device: list[_Finding], catalogue: Catalogue, policy: RiskPolicy
) -> tuple[Vendor, float, str]:
    """The maker behind a relabel brand, the confidence factor of that link, and a note for the reason."""
    device_families = {catalogue.family(f.vendor.key) for f in device if f.vendor is not None}
    for relation in sorted(brand.made_by, key=lambda r: -r.confidence):
        maker = catalogue.vendor(relation.maker)
        if catalogue.family(maker.key) in device_families:
            return maker, 1.0, f"sold as {brand.name}; the device shows {maker.name} traits"
    strong = [r for r in brand.made_by if r.confidence >= policy.oem_relabel_min_confidence]
    if strong:
        relation = max(strong, key=lambda r: r.confidence)
        note = f"sold as {brand.name}, made by {catalogue.vendor(relation.maker).name} ({relation.note})"
        return catalogue.vendor(relation.maker), relation.confidence, note
    weak = ", ".join(f"{catalogue.vendor(r.maker).name} {r.confidence:g}" for r in brand.made_by)
    note = f"some units may be OEM ({weak}; below the {policy.oem_relabel_min_confidence:g} threshold)" if weak else ""
    return brand, 1.0, note
