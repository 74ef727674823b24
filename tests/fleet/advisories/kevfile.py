"""KEV files built in the tests, in CISA's published JSON format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def kev_entry(cve: str, vendor: str, product: str, *, added: str, due: str, **extra: Any) -> dict[str, Any]:
    """One entry with every field of the published format."""
    return {
        "cveID": cve,
        "vendorProject": vendor,
        "product": product,
        "vulnerabilityName": f"{vendor} {product} Vulnerability",
        "dateAdded": added,
        "shortDescription": "Built for a test.",
        "requiredAction": "Apply mitigations per vendor instructions or discontinue use of the product.",
        "dueDate": due,
        "knownRansomwareCampaignUse": "Unknown",
        "notes": "https://example.invalid/advisory",
        "cwes": ["CWE-78"],
        **extra,
    }


def kev_document(*entries: dict[str, Any], version: str = "2026.12.01") -> dict[str, Any]:
    """A whole catalogue around the entries."""
    return {
        "title": "CISA Catalog of Known Exploited Vulnerabilities",
        "catalogVersion": version,
        "dateReleased": "2026-12-01T15:00:00.0000Z",
        "count": len(entries),
        "vulnerabilities": list(entries),
    }


def write_kev(path: Path, document: dict[str, Any]) -> Path:
    """The document as a file."""
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


HIKVISION_36260 = kev_entry("CVE-2021-36260", "Hikvision", "Various Products", added="2022-01-10", due="2022-01-24")
