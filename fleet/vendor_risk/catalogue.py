"""The vendor catalogue (`config/vendors.toml`): makers, restrictions, OEM relations and device fingerprints."""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from functools import cache, cached_property
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from config import catalogues

PRC = "China"


def normalise(text: str) -> str:
    """Lower case, punctuation as spaces, single spaces: `Hikvision Co.,Ltd.` → `hikvision co ltd`."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())


def _pattern(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{value!r} is not a regular expression: {exc}") from exc


def _oui_prefix(value: str) -> str:
    if not re.fullmatch(r"[0-9A-F]{2}-[0-9A-F]{2}-[0-9A-F]{2}", value):
        raise ValueError(f"{value!r} is not an OUI like 00-40-8C")
    return value


Pattern = Annotated[re.Pattern[str], BeforeValidator(_pattern)]
Since = Annotated[str, Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")]
Sources = Annotated[tuple[str, ...], Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RestrictionKind(StrEnum):
    PROCUREMENT_BAN = "procurement_ban"
    EXPORT_CONTROL = "export_control"
    GUIDANCE = "guidance"


class Restriction(_Model):
    """A list, law or government measure that names camera makers."""

    name: str
    jurisdiction: str
    kind: RestrictionKind
    since: Since | None = None  # None: older than the listings recorded here (each listing has its own date)
    covers_subsidiaries: bool
    summary: str
    sources: Sources


class Listing(_Model):
    """One vendor's entry on a restriction."""

    id: str
    since: Since
    note: str | None = None
    sources: Sources


class OemRelation(_Model):
    """The brand sells units made by `maker`; `confidence` is how sure we are that a given unit is one of them."""

    maker: str
    confidence: float = Field(ge=0, le=1)
    note: str
    sources: Sources


class OuiEntry(_Model):
    """An IEEE organisation string (as netaddr reports it) that points to the vendor."""

    org: str
    relation: str = "core"
    prefixes: tuple[Annotated[str, AfterValidator(_oui_prefix)], ...] = ()
    # The org is shared with other vendors or mostly makes other things: only these prefixes count.
    only_prefixes: bool = False
    sources: Sources

    @model_validator(mode="after")
    def _prefixes_when_narrowed(self) -> OuiEntry:
        if self.only_prefixes and not self.prefixes:
            raise ValueError(f"{self.org}: only_prefixes needs prefixes")
        return self


class Vendor(_Model):
    """A camera maker or brand."""

    key: str
    name: str
    legal_name: str
    country: str
    owner: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    onvif_manufacturers: tuple[str, ...] = ()
    model_patterns: tuple[Pattern, ...] = ()
    firmware_patterns: tuple[Pattern, ...] = ()
    sys_descr_patterns: tuple[Pattern, ...] = ()
    snmp_enterprises: tuple[int, ...] = ()
    snmp_quirk: str | None = None
    restrictions: tuple[Listing, ...] = ()
    made_by: tuple[OemRelation, ...] = ()
    ouis: tuple[OuiEntry, ...] = ()
    sources: Sources


def _unique(pairs: Iterator[tuple[Any, str]], what: str) -> dict[Any, str]:
    index: dict[Any, str] = {}
    for item, key in pairs:
        if index.setdefault(item, key) != key:
            raise ValueError(f"{what} {item!r} belongs to both {index[item]} and {key}")
    return index


class Catalogue(_Model):
    """Every vendor and restriction, with lookups from device signals to vendors."""

    sources: dict[str, str]
    restrictions: dict[str, Restriction]
    vendors: tuple[Vendor, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        keys = [v.key for v in self.vendors]
        if len(set(keys)) != len(keys):
            raise ValueError("vendor keys must be unique")
        cited: list[str] = [s for r in self.restrictions.values() for s in r.sources]
        for vendor in self.vendors:
            cited += vendor.sources
            for listing in vendor.restrictions:
                if listing.id not in self.restrictions:
                    raise ValueError(f"{vendor.key}: unknown restriction {listing.id!r}")
                cited += listing.sources
            for relation in vendor.made_by:
                if relation.maker not in keys:
                    raise ValueError(f"{vendor.key}: unknown maker {relation.maker!r}")
                cited += relation.sources
            for oui in vendor.ouis:
                cited += oui.sources
            if vendor.parent is not None and vendor.parent not in keys:
                raise ValueError(f"{vendor.key}: unknown parent {vendor.parent!r}")
        missing = sorted(set(cited) - set(self.sources))
        if missing:
            raise ValueError(f"sources cited but not listed: {', '.join(missing)}")
        # Building the indexes now reports ambiguous names, enterprise numbers and parent cycles at load time.
        _ = self._names, self._onvif_names, self._enterprises, [self.family(k) for k in keys]
        return self

    def vendor(self, key: str) -> Vendor:
        """The vendor with this key."""
        return self._by_key[key]

    def family(self, key: str) -> str:
        """The key of the top-most parent: Axis → Canon, EZVIZ → Hikvision."""
        seen = [key]
        while (parent := self._by_key[seen[-1]].parent) is not None:
            if parent in seen:
                raise ValueError(f"parent cycle: {' → '.join([*seen, parent])}")
            seen.append(parent)
        return seen[-1]

    def listings(self, vendor: Vendor) -> list[tuple[Listing, Vendor]]:
        """The vendor's own listings, then those of parents whose restriction covers subsidiaries."""
        found = [(listing, vendor) for listing in vendor.restrictions]
        parent = vendor.parent
        while parent is not None:
            owner = self._by_key[parent]
            found += [(x, owner) for x in owner.restrictions if self.restrictions[x.id].covers_subsidiaries]
            parent = owner.parent
        return found

    def by_name(self, text: str, *, onvif: bool = False) -> Vendor | None:
        """The vendor a manufacturer string names: exact name or alias, or one followed by more words."""
        wanted = normalise(text)
        if onvif and wanted in self._onvif_names:
            return self._by_key[self._onvif_names[wanted]]
        if wanted in self._names:
            return self._by_key[self._names[wanted]]
        starts = [name for name in self._names if wanted.startswith(f"{name} ")]
        return self._by_key[self._names[max(starts, key=len)]] if starts else None

    def by_model(self, model: str) -> Vendor | None:
        """The one vendor whose model-number patterns match (none if several do)."""
        return self._only(v for v in self.vendors if any(p.search(model.strip()) for p in v.model_patterns))

    def by_firmware(self, firmware: str) -> Vendor | None:
        """The one vendor whose firmware-version format matches."""
        return self._only(v for v in self.vendors if any(p.search(firmware.strip()) for p in v.firmware_patterns))

    def by_sys_descr(self, sys_descr: str) -> Vendor | None:
        """The vendor a sysDescr identifies, by its patterns or by a vendor name at its start."""
        matched = self._only(v for v in self.vendors if any(p.search(sys_descr) for p in v.sys_descr_patterns))
        return matched or self.by_name(sys_descr)

    def by_enterprise(self, number: int) -> Vendor | None:
        """The vendor an SNMP enterprise number (or vendor arc) belongs to."""
        key = self._enterprises.get(number)
        return None if key is None else self._by_key[key]

    def by_oui(self, prefix: str, org: str | None) -> Vendor | None:
        """The vendor of an OUI: by the registry's organisation string, else by the prefix alone."""
        if org is not None:
            named = {
                vendor
                for vendor, entry in self._oui_orgs.get(normalise(org), [])
                if not entry.only_prefixes or prefix in entry.prefixes
            }
            if len(named) == 1:
                return self._by_key[named.pop()]
        listed = self._oui_prefixes.get(prefix, set())
        return self._by_key[next(iter(listed))] if len(listed) == 1 else None

    @staticmethod
    def _only(vendors: Iterator[Vendor]) -> Vendor | None:
        found = list(vendors)
        return found[0] if len(found) == 1 else None

    @cached_property
    def _by_key(self) -> dict[str, Vendor]:
        return {v.key: v for v in self.vendors}

    @cached_property
    def _names(self) -> dict[str, str]:
        return _unique(
            ((normalise(n), v.key) for v in self.vendors for n in (v.key, v.name, v.legal_name, *v.aliases)),
            "name",
        )

    @cached_property
    def _onvif_names(self) -> dict[str, str]:
        return _unique(((normalise(n), v.key) for v in self.vendors for n in v.onvif_manufacturers), "ONVIF name")

    @cached_property
    def _enterprises(self) -> dict[int, str]:
        return _unique(((n, v.key) for v in self.vendors for n in v.snmp_enterprises), "enterprise number")

    @cached_property
    def _oui_orgs(self) -> dict[str, list[tuple[str, OuiEntry]]]:
        index: dict[str, list[tuple[str, OuiEntry]]] = {}
        for vendor in self.vendors:
            for entry in vendor.ouis:
                index.setdefault(normalise(entry.org), []).append((vendor.key, entry))
        return index

    @cached_property
    def _oui_prefixes(self) -> dict[str, set[str]]:
        index: dict[str, set[str]] = {}
        for vendor in self.vendors:
            for prefix in (p for entry in vendor.ouis for p in entry.prefixes):
                index.setdefault(prefix, set()).add(vendor.key)
        return index


@cache
def load_catalogue() -> Catalogue:
    """The catalogue shipped in the `config` package, read and validated once."""
    return catalogues.load(Catalogue, "vendors.toml")
