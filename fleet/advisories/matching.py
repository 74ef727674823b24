"""Which known exploited vulnerabilities apply to one camera: a pure function over the KEV entries and the catalogues.

KEV names a vendor and a product, never versions. A camera matches an entry when:

1. **vendor**: the entry's `vendorProject` and the camera's maker are the same vendor of `config/vendors.toml` (names,
   aliases and legal names normalised: "HIKVISION", "Hangzhou Hikvision Digital Technology" and "Hikvision" are one),
   where the maker is what the camera reports (ONVIF manufacturer), else what was declared, or the origin the
   vendor-risk assessment found behind a relabelled brand (an Amcrest camera is a Dahua: its KEV entries count);
2. **product**: the entry names the vendor's products in general ("Multiple Products", "IP Cameras"), or names a
   model series the camera's model belongs to; entries for recorders, storage, intercoms and the like do not match a
   camera (a recorder of the registry is matched the other way round: recorder and general entries, not cameras');
3. **firmware**: where `config/advisories.toml` has an advisory for the same CVE with affected ranges, those decide:
   a model and firmware inside a range match (confidence high), outside every range (fixed, or a series not
   affected) do not; where the ranges cannot decide (unknown model, firmware without build date) or no advisory
   exists, the camera matches on vendor and product alone, and the evidence says the firmware was not compared.

Confidence: `high` (an advisory range holds the firmware), `medium` (KEV names the camera's model series), `low`
(KEV names the vendor's products in general and nothing could compare the firmware); one step lower when the vendor
was found only behind a relabel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from fleet.firmware.catalogue import Advisories, Advisory
from fleet.firmware.versions import parse_firmware
from fleet.vendor_risk.catalogue import normalise

Confidence = Literal["high", "medium", "low"]
_LOWER: dict[Confidence, Confidence] = {"high": "medium", "medium": "low", "low": "low"}

# Words of a KEV product that name a vendor's range in general, not one model.
_GENERAL = frozenset(
    {"multiple", "various", "products", "product", "devices", "device", "firmware", "web", "server", "and"}
)
# Words that name cameras, recorders, or devices of neither kind.
_CAMERA = frozenset({"cameras", "camera", "ip", "ipc", "network", "video", "surveillance"})
_RECORDER = frozenset(
    {"nvr", "nvrs", "dvr", "dvrs", "xvr", "recorder", "recorders", "network", "video", "surveillance"}
)
_NEITHER = frozenset(
    {
        "storage",
        "san",
        "hybrid",
        "cluster",
        "intercom",
        "intercoms",
        "doorbell",
        "router",
        "switch",
        "access",
        "control",
        "alarm",
        "panel",
        "vms",
        "software",
    }
)


@dataclass(frozen=True, slots=True)
class CameraIdentity:
    """What matching reads of a camera."""

    manufacturer: str | None  # reported over ONVIF, else declared
    model: str | None
    firmware: str | None
    origin_vendor: str | None = None  # the maker the vendor-risk assessment found
    origin_confidence: float | None = None
    recorder: bool = False  # a recorder (NVR, recording server) rather than a camera


@dataclass(frozen=True, slots=True)
class KevFacts:
    """The fields of a KEV entry matching reads."""

    cve_id: str
    vendor_project: str
    product: str
    vulnerability_name: str
    date_added: date
    due_date: date
    known_ransomware_campaign_use: str


@dataclass(frozen=True, slots=True)
class ExploitedMatch:
    """One known exploited vulnerability that applies to a camera, with how the match was made."""

    cve_id: str
    name: str
    date_added: date
    due_date: date
    ransomware: str
    confidence: Confidence
    how: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for the fault's details."""
        return {
            "cve_id": self.cve_id,
            "name": self.name,
            "date_added": self.date_added.isoformat(),
            "due_date": self.due_date.isoformat(),
            "known_ransomware_campaign_use": self.ransomware,
            "confidence": self.confidence,
            "how": self.how,
        }


@dataclass(frozen=True, slots=True)
class _Vendor:
    key: str
    how: str
    relabel: bool  # found only behind another brand's label


def _vendors(identity: CameraIdentity, advisories: Advisories) -> list[_Vendor]:
    """The camera's own vendor, then the makers behind its label (vendor-risk origin, OEM relations)."""
    found: list[_Vendor] = []
    brand = advisories.vendor_key(identity.manufacturer) if identity.manufacturer else None
    if brand is not None:
        found.append(
            _Vendor(brand, f"vendor {identity.manufacturer!r} is {advisories.vendors.vendor(brand).name}", False)
        )
    sold = identity.manufacturer or "an unknown brand"
    origin = advisories.vendor_key(identity.origin_vendor) if identity.origin_vendor else None
    if origin is not None and origin != brand:
        sure = "" if identity.origin_confidence is None else f", confidence {identity.origin_confidence:.2f}"
        name = advisories.vendors.vendor(origin).name
        found.append(_Vendor(origin, f"sold as {sold}, made by {name} (vendor-risk origin{sure})", True))
    for relation in advisories.vendors.vendor(brand).made_by if brand is not None else ():
        if relation.maker not in {v.key for v in found}:
            name = advisories.vendors.vendor(relation.maker).name
            how = f"sold as {sold}, units made by {name} (vendor catalogue, confidence {relation.confidence:.2f})"
            found.append(_Vendor(relation.maker, how, True))
    return found


def _product(product: str, vendor_names: Iterable[str], model: str | None, *, recorder: bool) -> Confidence | None:
    """How well the KEV product covers the device: generally (low), its model series (medium), or not at all."""
    words = [w for w in normalise(product).split() if w not in {normalise(n) for n in vendor_names}]
    kind, other = (_RECORDER, _CAMERA - _RECORDER) if recorder else (_CAMERA, _RECORDER - _CAMERA)
    if set(words) & (_NEITHER | other):
        return None
    if set(words) <= _GENERAL | kind:
        return "low"
    series = " ".join(w for w in words if w not in _GENERAL | kind)
    return "medium" if model and series and series in normalise(model) else None


def _advisory_says(advisory: Advisory, model: str | None, firmware: str | None) -> tuple[bool | None, str]:
    """Whether the advisory's ranges hold the camera (None: they cannot tell), and why."""
    where = f"config/advisories.toml {advisory.id}"
    if model is None:
        return None, f"model not known, so {where}'s ranges could not be compared"
    ranges = [r for r in advisory.affected if r.covers(model)]
    if not ranges:
        return False, f"{model} is not in the model series of {where}"
    version = parse_firmware(advisory.vendor, firmware) if firmware else None
    if version is None:
        return None, f"firmware {firmware or 'not reported'} could not be compared with {where}'s ranges"
    outcomes = [r.contains(advisory.vendor, version) for r in ranges]
    if True in outcomes:
        return True, f"firmware {firmware} on {model} lies in an affected range of {where}"
    if None in outcomes:
        return None, f"firmware {firmware} carries no build date for {where}'s by-date range"
    return False, f"firmware {firmware} is outside {where}'s affected ranges (fixed)"


def _one(entry: KevFacts, identity: CameraIdentity, found: _Vendor, advisories: Advisories) -> ExploitedMatch | None:
    vendor = advisories.vendors.vendor(found.key)
    product = _product(
        entry.product, (vendor.key, vendor.name, *vendor.aliases), identity.model, recorder=identity.recorder
    )
    if product is None:
        return None
    how = [found.how, f"KEV product {entry.product!r}"]
    confidence: Confidence = product
    relevant = [a for a in advisories.for_vendor(found.key) if entry.cve_id in a.cve_ids]
    verdicts = [_advisory_says(a, identity.model, identity.firmware) for a in relevant]
    if verdicts:
        if any(applies is True for applies, _ in verdicts):
            confidence = "high"
        elif all(applies is False for applies, _ in verdicts):
            return None
        how += [why for _, why in verdicts]
    else:
        how.append(
            "no version ranges known (KEV has none and config/advisories.toml has no advisory): firmware not compared"
        )
    if found.relabel:
        confidence = _LOWER[confidence]
    return ExploitedMatch(
        cve_id=entry.cve_id,
        name=entry.vulnerability_name,
        date_added=entry.date_added,
        due_date=entry.due_date,
        ransomware=entry.known_ransomware_campaign_use,
        confidence=confidence,
        how="; ".join(how),
    )


def exploited_matches(
    identity: CameraIdentity, entries: Sequence[KevFacts], advisories: Advisories
) -> list[ExploitedMatch]:
    """The KEV entries that apply to the camera, earliest due date first."""
    found: dict[str, ExploitedMatch] = {}
    for vendor in _vendors(identity, advisories):
        for entry in entries:
            if entry.cve_id in found or advisories.vendor_key(entry.vendor_project) != vendor.key:
                continue
            if (match := _one(entry, identity, vendor, advisories)) is not None:
                found[entry.cve_id] = match
    return sorted(found.values(), key=lambda m: (m.due_date, m.cve_id))
