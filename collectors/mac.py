"""MAC addresses as devices write them (AC:CC:8E..., 94-e1-ac-..., accc8e...), in one form."""

from __future__ import annotations

import re

_HEX12 = re.compile(r"[0-9a-f]{12}")


def normalise_mac(raw: object) -> str | None:
    """Return a MAC as aa:bb:cc:dd:ee:ff, or None when raw is not one."""
    if not isinstance(raw, str):
        return None
    digits = re.sub(r"[^0-9a-f]", "", raw.lower())
    if not _HEX12.fullmatch(digits):
        return None
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))
