"""The product lifecycle catalogue (`config/lifecycle.toml`): when a model stopped being sold and supported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

from config import catalogues
from fleet.firmware.catalogue import years_before
from fleet.vendor_risk.catalogue import Catalogue, Pattern, Sources, load_catalogue


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SupportState(StrEnum):
    """Where a camera's model stands on `as_of`."""

    ENDED = "ended"  # the maker's end of support has passed
    DISCONTINUED = "discontinued"  # no longer sold; support not yet ended (or its end not known)
    CURRENT = "current"  # in the catalogue and not discontinued on that day
    UNKNOWN = "unknown"  # no catalogue entry covers the model


@dataclass(frozen=True, slots=True)
class SupportStatus:
    state: SupportState
    discontinued: date | None = None
    ends: date | None = None
    sources: tuple[str, ...] = ()


UNKNOWN = SupportStatus(SupportState.UNKNOWN)


class Policy(_Model):
    """A vendor's published rule: support ends a number of years after the discontinuation date."""

    vendor: str
    support_years_after_discontinuation: int = Field(ge=1)
    sources: Sources


class Product(_Model):
    """Model series with the dates a source gives for them."""

    vendor: str
    models: tuple[Pattern, ...] = Field(min_length=1)
    discontinued: date | None = None
    end_of_support: date | None = None
    sources: Sources

    @model_validator(mode="after")
    def _dated(self) -> Product:
        if self.discontinued is None and self.end_of_support is None:
            raise ValueError("give discontinued, end_of_support or both")
        if self.discontinued and self.end_of_support and self.end_of_support < self.discontinued:
            raise ValueError("end_of_support is before discontinued")
        return self

    def covers(self, model: str) -> bool:
        return any(p.search(model.strip()) for p in self.models)


class Lifecycle(_Model):
    sources: dict[str, str]
    policies: tuple[Policy, ...] = ()
    products: tuple[Product, ...] = ()
    vendors: Catalogue = Field(exclude=True)

    @model_validator(mode="after")
    def _consistent(self) -> Lifecycle:
        keys = {v.key for v in self.vendors.vendors}
        cited = [s for p in self.policies for s in p.sources] + [s for p in self.products for s in p.sources]
        missing = sorted(set(cited) - set(self.sources))
        if missing:
            raise ValueError(f"sources cited but not listed: {', '.join(missing)}")
        for vendor in [p.vendor for p in self.policies] + [p.vendor for p in self.products]:
            if vendor not in keys:
                raise ValueError(f"unknown vendor {vendor!r} (not in vendors.toml)")
        policy_vendors = [p.vendor for p in self.policies]
        if len(set(policy_vendors)) != len(policy_vendors):
            raise ValueError("one policy per vendor")
        return self

    def _ends(self, product: Product) -> tuple[date | None, tuple[str, ...]]:
        """The end of support the entry gives, or the one its vendor's policy derives from the discontinued date."""
        if product.end_of_support is not None or product.discontinued is None:
            return product.end_of_support, ()
        policy = next((p for p in self.policies if p.vendor == product.vendor), None)
        if policy is None:
            return None, ()
        years = policy.support_years_after_discontinuation
        return years_before(product.discontinued, -years), policy.sources  # a negative count goes forward

    def support(self, vendor: str | None, model: str | None, *, as_of: date) -> SupportStatus:
        """The support status of a vendor's model on `as_of`; `unknown` when no entry covers it."""
        if not vendor or not vendor.strip() or not model or not model.strip():
            return UNKNOWN
        found = self.vendors.by_name(vendor.strip())
        if found is None:
            return UNKNOWN
        product = next((p for p in self.products if p.vendor == found.key and p.covers(model)), None)
        if product is None:
            return UNKNOWN
        ends, policy_sources = self._ends(product)
        sources = tuple(self.sources[s] for s in (*product.sources, *policy_sources))
        if ends is not None and ends <= as_of:
            state = SupportState.ENDED
        elif product.discontinued is not None and product.discontinued <= as_of:
            state = SupportState.DISCONTINUED
        else:
            state = SupportState.CURRENT
        return SupportStatus(state, product.discontinued, ends, sources)


@cache
def load_lifecycle() -> Lifecycle:
    """The lifecycle catalogue shipped in the `config` package, read and validated once."""
    return catalogues.load(Lifecycle, "lifecycle.toml", vendors=load_catalogue())
