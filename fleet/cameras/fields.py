"""What a device's field may hold, in the API and in an import file alike: each type with the coercions people's
spreadsheets need (blank cells, Dutch decimals and yes/no words, XLSX numbers as floats, host names)."""

from __future__ import annotations

import ipaddress
import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from fleet.cameras.models import NETWORK_DEVICE_TYPES, DeviceType, RecordedBy

_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def lowercase(value: Any) -> Any:
    value = _blank_to_none(value)
    return value.lower() if isinstance(value, str) else value


def _decimal(value: Any) -> Any:
    # Dutch Excel writes decimals with a comma (51,37014) in ';'-separated exports.
    value = _blank_to_none(value)
    return value.replace(",", ".") if isinstance(value, str) else value


def _whole_number(value: Any) -> Any:
    # XLSX cells hold numbers as floats: 8080.0 is a port, 8080.5 is not.
    value = _blank_to_none(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\d+\.0+", value):
        return int(value.split(".")[0])
    return value


_YES = frozenset({"true", "yes", "ja", "y", "j", "1", "on", "waar"})
_NO = frozenset({"false", "no", "nee", "n", "0", "off", "onwaar"})


def _yes_no(value: Any) -> Any:
    # A spreadsheet cell says it in words (yes/no, ja/nee, true/false, 1/0); an empty cell means no.
    value = yes_no_or_none(value)
    return False if value is None else value


def yes_no_or_none(value: Any) -> Any:
    value = _blank_to_none(value)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        if value.lower() in _YES:
            return True
        if value.lower() in _NO:
            return False
        raise ValueError(f"{value!r} is not yes or no (true/false, ja/nee, 1/0)")
    return value


def _day(value: Any) -> Any:
    value = _blank_to_none(value)
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise ValueError("must be a date without a time (YYYY-MM-DD)")
        return value.date()
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be an ISO date YYYY-MM-DD")
    return value


def host_value(value: Any) -> Any:
    value = _blank_to_none(value)
    if not isinstance(value, str):
        return value
    candidate = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        pass
    name = candidate.rstrip(".")
    labels = name.split(".")
    if len(name) > 253 or not all(_HOST_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise ValueError(f"{value!r} is not an IPv4/IPv6 address or host name")
    return name.lower()


Text = Annotated[Annotated[str, StringConstraints(max_length=400)] | None, BeforeValidator(_blank_to_none)]
ShortText = Annotated[Annotated[str, StringConstraints(max_length=200)] | None, BeforeValidator(_blank_to_none)]
Port = Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=65535)]
Latitude = Annotated[Annotated[float, Field(ge=-90, le=90)] | None, BeforeValidator(_decimal)]
Longitude = Annotated[Annotated[float, Field(ge=-180, le=180)] | None, BeforeValidator(_decimal)]
Host = Annotated[str, BeforeValidator(host_value), StringConstraints(min_length=1, max_length=255)]
Name = Annotated[
    str,
    BeforeValidator(_blank_to_none),
    StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$"),
]
Day = Annotated[date | None, BeforeValidator(_day)]
YesNo = Annotated[bool, BeforeValidator(_yes_no)]
Secret = Annotated[
    Annotated[str, StringConstraints(max_length=200)] | None,
    BeforeValidator(_blank_to_none),
    Field(repr=False),
]
# An ONVIF input token as cameras name them (DI_0, InputToken_1, AlarmIn0).
InputToken = Annotated[
    Annotated[str, StringConstraints(max_length=64, pattern=r"^[\w.:-]+$")] | None, BeforeValidator(_blank_to_none)
]
PollerGroup = Annotated[
    str,
    BeforeValidator(_blank_to_none),
    StringConstraints(min_length=1, max_length=100, pattern=r"^[\w.-]+$"),
]

# Words of the cameras' recorder column that name no recorder; a recorder may not be called so.
RESERVED_RECORDER_NAMES = frozenset({RecordedBy.EDGE.value, RecordedBy.NONE.value})
RecorderName = Annotated[Annotated[str, StringConstraints(max_length=100)] | None, BeforeValidator(_blank_to_none)]
DeviceName = Annotated[Annotated[str, StringConstraints(max_length=100)] | None, BeforeValidator(_blank_to_none)]
# A port of the uplink device: its ifIndex (a number) or its ifName (Gi0/1, port-3), as the switch calls it.
UplinkPort = Annotated[
    Annotated[str, StringConstraints(max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")] | None,
    BeforeValidator(lambda v: _blank_to_none(str(_whole_number(v)) if isinstance(v, float | int) else v)),
]


def _network_type(value: DeviceType) -> DeviceType:
    if value not in NETWORK_DEVICE_TYPES:
        raise ValueError(f"must be one of {', '.join(sorted(t.value for t in NETWORK_DEVICE_TYPES))}")
    return value


NetworkDeviceType = Annotated[DeviceType, BeforeValidator(lowercase), AfterValidator(_network_type)]
# Footage kept in whole days, at most ten years.
RetentionDays = Annotated[Annotated[int, Field(ge=1, le=3650)] | None, BeforeValidator(_whole_number)]
