"""The firmware advisory catalogue (`config/advisories.toml`): known-vulnerable firmware and the outdated rule."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from config import catalogues
from fleet.firmware.versions import PARSERS, FirmwareVersion, parse_firmware
from fleet.vendor_risk.catalogue import Catalogue, Pattern, Sources, load_catalogue

CveId = Annotated[str, Field(pattern=r"^CVE-\d{4}-\d{4,}$")]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Level(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


def level_of(cvss: float) -> Level:
    """The CVSS v3 qualitative band of a base score."""
    if cvss >= 9.0:
        return Level.CRITICAL
    if cvss >= 7.0:
        return Level.HIGH
    return Level.MEDIUM if cvss >= 4.0 else Level.LOW


class Severity(_Model):
    cvss: float = Field(ge=0.1, le=10)
    level: Level
    vector: str | None = Field(default=None, pattern=r"^CVSS:3\.[01]/")

    @model_validator(mode="after")
    def _level_matches_score(self) -> Severity:
        if level_of(self.cvss) is not self.level:
            raise ValueError(f"CVSS {self.cvss} is {level_of(self.cvss)}, not {self.level}")
        return self


def _version(vendor: str, text: str) -> FirmwareVersion:
    version = parse_firmware(vendor, text)
    if version is None:
        raise ValueError(f"{text!r} is not a {vendor} firmware version")
    return version


class AffectedRange(_Model):
    """Firmware of some model series known to be affected: from `introduced` up to one upper bound."""

    models: tuple[Pattern, ...] = Field(min_length=1)
    introduced: str | None = None
    last_affected: str | None = None
    fixed: str | None = None
    built_before: date | None = None

    @model_validator(mode="after")
    def _one_upper_bound(self) -> AffectedRange:
        bounds = [b for b in (self.last_affected, self.fixed, self.built_before) if b is not None]
        if len(bounds) != 1:
            raise ValueError("give exactly one of last_affected, fixed, built_before")
        if self.built_before is not None and self.introduced is not None:
            raise ValueError("built_before ranges have no introduced version")
        return self

    def covers(self, model: str) -> bool:
        """Whether the model belongs to one of the range's series."""
        return any(p.search(model.strip()) for p in self.models)

    def contains(self, vendor: str, version: FirmwareVersion) -> bool | None:
        """Whether the version is in the range; None when the range is by build date and the version has none."""
        if self.built_before is not None:
            return None if version.build_date is None else version.build_date < self.built_before
        if self.introduced is not None and version.key < _version(vendor, self.introduced).key:
            return False
        if self.last_affected is not None:
            return version.key <= _version(vendor, self.last_affected).key
        return self.fixed is not None and version.key < _version(vendor, self.fixed).key

    def versions(self) -> list[str]:
        """The bounds written as firmware versions."""
        return [v for v in (self.introduced, self.last_affected, self.fixed) if v is not None]


class Advisory(_Model):
    """One vendor advisory: the CVEs it fixes, how severe they are, and the firmware it affects."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    vendor: str
    cve_ids: tuple[CveId, ...] = Field(min_length=1)
    summary: str
    severity: Severity
    kev_added: date | None = None  # date CISA added the CVEs to its Known Exploited Vulnerabilities catalogue
    affected: tuple[AffectedRange, ...] = Field(min_length=1)
    sources: Sources


class LtsTrack(_Model):
    prefix: str = Field(pattern=r"^\d+(\.\d+)*$")
    name: str
    ended: date | None = None  # None: still supported, or its end is not published yet

    @property
    def numbers(self) -> tuple[int, ...]:
        """The release numbers every version on the track starts with."""
        return tuple(int(n) for n in self.prefix.split("."))


class SupportTracks(_Model):
    """A vendor's published support tracks: LTS tracks, and an active track that supports only its latest release."""

    vendor: str
    active_major: int = Field(ge=1)
    lts: tuple[LtsTrack, ...] = Field(min_length=1)
    sources: Sources

    def why_outdated(self, version: FirmwareVersion, as_of: date) -> str | None:
        """Why the version is out of support on `as_of`, or None when it is on a supported track."""
        for track in self.lts:
            if version.numbers[: len(track.numbers)] == track.numbers:
                ended = track.ended is not None and track.ended <= as_of
                return f"{track.name} ({track.prefix}) support ended {track.ended}" if ended else None
        if version.numbers[0] < self.active_major:
            shown = ".".join(str(n) for n in version.numbers)
            return f"{shown} is on no LTS track and older than the active track {self.active_major}"
        return None


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for a 29 February that did not exist)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class OutdatedRule(_Model):
    """When firmware no advisory names still counts as outdated (see config/advisories.toml for why)."""

    max_age_years: int = Field(ge=1)
    tracks: tuple[SupportTracks, ...] = ()

    def why_outdated(self, vendor: str, version: FirmwareVersion, as_of: date) -> str | None:
        """Why the version is outdated on `as_of`, or None when neither its track nor its build date says so."""
        tracks = next((t for t in self.tracks if t.vendor == vendor), None)
        if tracks is not None and (why := tracks.why_outdated(version, as_of)):
            return why
        built = version.build_date
        if built is not None and built < years_before(as_of, self.max_age_years):
            return f"built {built}, more than {self.max_age_years} years before {as_of}"
        return None


class Advisories(_Model):
    """Every advisory and the outdated rule, joined to the vendor catalogue on vendor keys."""

    sources: dict[str, str]
    advisories: tuple[Advisory, ...] = Field(min_length=1)
    outdated: OutdatedRule
    vendors: Catalogue = Field(exclude=True)

    @model_validator(mode="after")
    def _consistent(self) -> Advisories:
        ids = [a.id for a in self.advisories]
        if len(set(ids)) != len(ids):
            raise ValueError("advisory ids must be unique")
        keys = {v.key for v in self.vendors.vendors}
        cited = [s for a in self.advisories for s in a.sources] + [s for t in self.outdated.tracks for s in t.sources]
        missing = sorted(set(cited) - set(self.sources))
        if missing:
            raise ValueError(f"sources cited but not listed: {', '.join(missing)}")
        for vendor in [a.vendor for a in self.advisories] + [t.vendor for t in self.outdated.tracks]:
            if vendor not in keys:
                raise ValueError(f"unknown vendor {vendor!r} (not in vendors.toml)")
            if vendor not in PARSERS:
                raise ValueError(f"no firmware parser for {vendor!r}: its ranges could never be compared")
        for advisory in self.advisories:
            for version in (v for r in advisory.affected for v in r.versions()):
                _version(advisory.vendor, version)
        return self

    def vendor_key(self, name: str) -> str | None:
        """The vendor key a vendor key, name or alias stands for ("Hikvision", "HIKVISION", "hikvision")."""
        vendor = self.vendors.by_name(name)
        return None if vendor is None else vendor.key

    def for_vendor(self, key: str) -> list[Advisory]:
        """The vendor's advisories, in catalogue order."""
        return [a for a in self.advisories if a.vendor == key]


@cache
def load_advisories() -> Advisories:
    """The advisories shipped in the `config` package, read and validated once."""
    return catalogues.load(Advisories, "advisories.toml", vendors=load_catalogue())
