"""The firmware state of one camera, from its vendor, model and firmware string: a pure function over the advisories.

- `unknown`: the vendor is not in the catalogue, no firmware was reported, the string is not in the vendor's known
  format, or an advisory might apply but cannot be decided (model not known, or no build date for a by-date range).
- `vulnerable`: the model and firmware fall in an affected range of at least one advisory.
- `outdated`: no advisory applies, but the firmware is off its vendor's supported tracks or its build is older than
  the catalogue's `max_age_years`.
- `ok`: none of the above. Where the firmware string carries no build date and the vendor publishes no support
  tracks, `ok` only means that no known advisory applies; the reason says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from fleet.firmware.catalogue import Advisories, Advisory
from fleet.firmware.versions import FirmwareVersion, parse_firmware


class FirmwareState(StrEnum):
    VULNERABLE = "vulnerable"
    OUTDATED = "outdated"
    OK = "ok"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class AdvisoryMatch:
    """An advisory that applies to a camera, with its sources written out."""

    id: str
    cve_ids: tuple[str, ...]
    cvss: float
    severity: str
    kev_added: date | None
    summary: str
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON and spreadsheet exports."""
        return {
            "id": self.id,
            "cve_ids": list(self.cve_ids),
            "cvss": self.cvss,
            "severity": self.severity,
            "kev_added": None if self.kev_added is None else self.kev_added.isoformat(),
            "summary": self.summary,
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class FirmwareAssessment:
    state: FirmwareState
    advisories: tuple[AdvisoryMatch, ...]
    reason: str


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _match(advisory: Advisory, advisories: Advisories) -> AdvisoryMatch:
    return AdvisoryMatch(
        id=advisory.id,
        cve_ids=advisory.cve_ids,
        cvss=advisory.severity.cvss,
        severity=advisory.severity.level.value,
        kev_added=advisory.kev_added,
        summary=advisory.summary,
        sources=tuple(advisories.sources[s] for s in advisory.sources),
    )


def _applies(advisory: Advisory, model: str | None, version: FirmwareVersion) -> bool | None:
    """Whether the advisory applies; None when it cannot be decided (model unknown, or no build date)."""
    outcomes = [r.contains(advisory.vendor, version) for r in advisory.affected if model is None or r.covers(model)]
    if True in outcomes:
        return True if model is not None else None
    return None if None in outcomes else False


def _unknown(reason: str) -> FirmwareAssessment:
    return FirmwareAssessment(FirmwareState.UNKNOWN, (), reason)


def assess_firmware(
    vendor: str | None,
    model: str | None,
    firmware: str | None,
    advisories: Advisories,
    *,
    as_of: date,
) -> FirmwareAssessment:
    """The firmware state of a camera on `as_of`, the advisories that apply to it and why."""
    vendor, model, firmware = _text(vendor), _text(model), _text(firmware)
    if vendor is None:
        return _unknown("vendor not known")
    key = advisories.vendor_key(vendor)
    if key is None:
        return _unknown(f"vendor {vendor!r} is not in the vendor catalogue")
    if firmware is None:
        return _unknown("no firmware version reported")
    version = parse_firmware(key, firmware)
    if version is None:
        return _unknown(f"firmware {firmware!r} is not in a known {advisories.vendors.vendor(key).name} format")

    decided = [(a, _applies(a, model, version)) for a in advisories.for_vendor(key)]
    matches = tuple(_match(a, advisories) for a, applies in decided if applies)
    if matches:
        cves = ", ".join(c for m in matches for c in m.cve_ids)
        return FirmwareAssessment(FirmwareState.VULNERABLE, matches, f"{firmware} on {model} is affected by {cves}")
    undecided = [a for a, applies in decided if applies is None]
    if undecided:
        cves = ", ".join(c for a in undecided for c in a.cve_ids)
        why = "model not known" if model is None else "firmware carries no build date"
        return _unknown(f"cannot tell whether {cves} applies: {why}")

    if outdated := advisories.outdated.why_outdated(key, version, as_of):
        return FirmwareAssessment(FirmwareState.OUTDATED, (), outdated)
    age = "" if version.build_date or key in {t.vendor for t in advisories.outdated.tracks} else "; age not known"
    return FirmwareAssessment(FirmwareState.OK, (), f"no known advisory applies{age}")
