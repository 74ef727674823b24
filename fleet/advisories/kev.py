"""CISA's Known Exploited Vulnerabilities catalogue, read from the JSON file the operator downloaded.

The published format (https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json and its
schema, known_exploited_vulnerabilities_schema.json): `title`, `catalogVersion`, `dateReleased`, `count` and
`vulnerabilities`, each with `cveID`, `vendorProject`, `product`, `vulnerabilityName`, `dateAdded`,
`shortDescription`, `requiredAction`, `dueDate`, `knownRansomwareCampaignUse` and, in newer files, `notes` and
`cwes`. camfleet never fetches it: a network without internet is the normal case for camera networks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fleet.errors import ImportRejected, Problem

# The catalogue is about 1,500 entries (~1.5 MB); a file ten times that is not the catalogue.
MAX_FILE_BYTES = 32 * 1024 * 1024
_TEXT = 4000

CveId = Annotated[str, Field(pattern=r"^CVE-\d{4}-\d{4,}$", max_length=30)]
Text = Annotated[str, Field(max_length=_TEXT)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class _Model(BaseModel):
    # Unknown fields are kept out, not refused: CISA added `notes` and `cwes` later and may add more.
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, str_strip_whitespace=True)


class KevEntry(_Model):
    """One known exploited vulnerability."""

    cve_id: CveId = Field(alias="cveID")
    vendor_project: Name = Field(alias="vendorProject")
    product: Name
    vulnerability_name: Text = Field(alias="vulnerabilityName")
    date_added: date = Field(alias="dateAdded")
    short_description: Text = Field(default="", alias="shortDescription")
    required_action: Text = Field(default="", alias="requiredAction")
    due_date: date = Field(alias="dueDate")
    known_ransomware_campaign_use: Annotated[str, Field(max_length=20)] = Field(
        default="Unknown", alias="knownRansomwareCampaignUse"
    )
    notes: Text = ""
    cwes: tuple[Annotated[str, Field(max_length=20)], ...] = ()

    @field_validator("date_added", "due_date", mode="before")
    @classmethod
    def _day(cls, value: object) -> object:
        # The published dates are plain YYYY-MM-DD; a date-time is refused rather than guessed at.
        if isinstance(value, str) and len(value) != 10:
            raise ValueError("expected a date YYYY-MM-DD")
        return value


class KevCatalogue(_Model):
    """The whole file."""

    title: Annotated[str, Field(max_length=200)]
    catalog_version: Annotated[str, Field(min_length=1, max_length=40)] = Field(alias="catalogVersion")
    date_released: datetime = Field(alias="dateReleased")
    count: int = Field(ge=0)
    vulnerabilities: tuple[KevEntry, ...]


@dataclass(frozen=True, slots=True)
class KevFile:
    """A catalogue as read, with where it came from."""

    catalogue: KevCatalogue
    file_name: str
    sha256: str
    size: int


def _where(loc: tuple[int | str, ...], raw: object) -> str:
    """`vulnerabilities[3] (CVE-2021-36260).dueDate` for an entry's field, the key itself at the top."""
    if len(loc) >= 2 and loc[0] == "vulnerabilities" and isinstance(loc[1], int):
        entries = raw.get("vulnerabilities") if isinstance(raw, dict) else None
        entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
        cve = entry.get("cveID") if isinstance(entry, dict) else None
        named = f" ({cve})" if isinstance(cve, str) and len(cve) < 30 else ""
        return f"vulnerabilities[{loc[1]}]{named}" + "".join(f".{part}" for part in loc[2:])
    return ".".join(str(part) for part in loc) or "file"


def _too_large() -> ImportRejected:
    return ImportRejected([Problem(1, "file", f"larger than {MAX_FILE_BYTES // 2**20} MiB: not the catalogue")])


def parse_kev(data: bytes) -> KevCatalogue:
    """The catalogue in the bytes of a KEV JSON file; any problem refuses the whole file (ImportRejected)."""
    if len(data) > MAX_FILE_BYTES:
        raise _too_large()
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ImportRejected([Problem(1, "file", f"not UTF-8 text ({exc.reason})")]) from exc
    except json.JSONDecodeError as exc:
        raise ImportRejected([Problem(exc.lineno, "file", f"not JSON: {exc.msg}")]) from exc
    if not isinstance(raw, dict) or "vulnerabilities" not in raw or "catalogVersion" not in raw:
        raise ImportRejected([Problem(1, "file", "not a KEV catalogue (no catalogVersion and vulnerabilities)")])
    try:
        catalogue = KevCatalogue.model_validate(raw)
    except ValidationError as exc:
        problems = [Problem(1, _where(tuple(e["loc"]), raw), e["msg"]) for e in exc.errors()[:50]]
        raise ImportRejected(problems) from None
    problems = []
    if catalogue.count != len(catalogue.vulnerabilities):
        problems.append(
            Problem(1, "count", f"says {catalogue.count} but the file lists {len(catalogue.vulnerabilities)}")
        )
    seen: set[str] = set()
    for index, entry in enumerate(catalogue.vulnerabilities):
        if entry.cve_id in seen:
            problems.append(Problem(1, f"vulnerabilities[{index}] ({entry.cve_id})", "listed twice"))
        seen.add(entry.cve_id)
        if entry.due_date < entry.date_added:
            problems.append(Problem(1, f"vulnerabilities[{index}] ({entry.cve_id}).dueDate", "before dateAdded"))
    if problems:
        raise ImportRejected(problems)
    return catalogue


def read_kev(path: Path) -> KevFile:
    """Read and check a KEV file from disk."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _too_large()
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRejected([Problem(1, "file", f"cannot be read ({exc.strerror})")]) from exc
    return KevFile(parse_kev(data), path.name, hashlib.sha256(data).hexdigest(), len(data))
