"""A recorder's disks and volumes from its vendor's SNMP disk table: Synology's (NVR and DVA recorders, and DSM
servers running Surveillance Station).

The facts below are Synology's SYNOLOGY-DISK-MIB (synoDisk, revision 201309110000Z) and SYNOLOGY-RAID-MIB (synoRaid,
201309110000Z, statuses added 2018-06-15), as LibreNMS ships them in mibs/synology/ (librenms/librenms on GitHub):

    diskTable  1.3.6.1.4.1.6574.2.1.1  diskID .2 ("Disk 1"), diskStatus .5, diskName .12, diskHealthStatus .13
      diskStatus       Normal(1) Initialized(2) NotInitialized(3) SystemPartitionFailed(4) Crashed(5)
      diskHealthStatus Normal(1) Warning(2) Critical(3) Failing(4)
    raidTable  1.3.6.1.4.1.6574.3.1.1  raidName .2 ("Volume 1"), raidStatus .3, raidFreeSize .4, raidTotalSize .5
      raidStatus       Normal(1), Repairing(2) … Canceling(10) (work in progress), Degrade(11): a tolerable failure of
                       disk(s), Crashed(12): read-only, DataScrubbing(13) … RaidUnknownStatus(21); sizes in bytes

Whether a volume is full is the domain's judgement (a setting), from the sizes reported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from collectors.base import DiskSeen
from collectors.ber import Value
from collectors.snmp_walk import Row, column

DISK_ENTRY = "1.3.6.1.4.1.6574.2.1.1"
RAID_ENTRY = "1.3.6.1.4.1.6574.3.1.1"
_DISK_ID, _DISK_STATUS, _DISK_NAME, _DISK_HEALTH = (f"{DISK_ENTRY}.{c}" for c in (2, 5, 12, 13))
_RAID_NAME, _RAID_STATUS, _RAID_FREE, _RAID_TOTAL = (f"{RAID_ENTRY}.{c}" for c in (2, 3, 4, 5))
# The columns walked together, one cursor each.
ROOTS = (_DISK_ID, _DISK_STATUS, _DISK_NAME, _DISK_HEALTH, _RAID_NAME, _RAID_STATUS, _RAID_FREE, _RAID_TOTAL)
# A recorder has a handful of disks and volumes; more rows than this is an agent to stop listening to.
MAX_UNITS = 64

_DISK_STATUS_WORDS = {1: "Normal", 2: "Initialized", 3: "NotInitialized", 4: "SystemPartitionFailed", 5: "Crashed"}
_DISK_FAILED = frozenset({4, 5})
_HEALTH_WORDS = {1: "Normal", 2: "Warning", 3: "Critical", 4: "Failing"}
_HEALTH_FAILED, _HEALTH_DEGRADED = frozenset({3, 4}), frozenset({2})
_RAID_WORDS = {
    1: "Normal",
    2: "Repairing",
    3: "Migrating",
    4: "Expanding",
    5: "Deleting",
    6: "Creating",
    7: "RaidSyncing",
    8: "RaidParityChecking",
    9: "RaidAssembling",
    10: "Canceling",
    11: "Degrade",
    12: "Crashed",
    13: "DataScrubbing",
    14: "RaidDeploying",
    15: "RaidUnDeploying",
    16: "RaidMountCache",
    17: "RaidUnmountCache",
    18: "RaidExpandingUnfinishedSHR",
    19: "RaidConvertSHRToPool",
    20: "RaidMigrateSHR1ToSHR2",
    21: "RaidUnknownStatus",
}
_MAX_NAME = 64


def _number(value: Value | None) -> int | None:
    return value.value if value is not None and isinstance(value.value, int) else None


def _name(value: Value | None) -> str | None:
    if value is None or not isinstance(value.value, bytes):
        return None
    text = "".join(c for c in value.value.decode("utf-8", errors="replace") if c.isprintable()).strip()
    return text[:_MAX_NAME] or None


def _word(words: Mapping[int, str], code: int | None) -> str:
    return "unknown" if code is None else words.get(code, f"unknown({code})")


def disks_of(walked: Mapping[str, Sequence[Row]]) -> tuple[DiskSeen, ...]:
    """The disks, then the volumes, of the walked columns (rows by root, as collectors.snmp_walk gives them)."""
    # Keyed by the row index as written ("1.2"), the way a unit without a name is called.
    columns = {
        root: {
            ".".join(map(str, index)): value
            for index, value in column(walked.get(root, ())[: MAX_UNITS * 2], root).items()
        }
        for root in ROOTS
    }
    seen: list[DiskSeen] = []
    for index in list(dict.fromkeys([*columns[_DISK_STATUS], *columns[_DISK_HEALTH]]))[:MAX_UNITS]:
        status, health = _number(columns[_DISK_STATUS].get(index)), _number(columns[_DISK_HEALTH].get(index))
        name = _name(columns[_DISK_NAME].get(index)) or _name(columns[_DISK_ID].get(index)) or f"disk {index}"
        state: Literal["ok", "failed", "degraded"]
        if status in _DISK_FAILED or health in _HEALTH_FAILED:
            state = "failed"
        elif health in _HEALTH_DEGRADED:
            state = "degraded"
        else:
            state = "ok"
        words = [_word(_DISK_STATUS_WORDS, status)] + ([_word(_HEALTH_WORDS, health)] if health is not None else [])
        seen.append(DiskSeen("disk", name, state, "/".join(words)))
    for index in list(columns[_RAID_STATUS])[:MAX_UNITS]:
        status = _number(columns[_RAID_STATUS][index])
        state = "failed" if status == 12 else "degraded" if status == 11 else "ok"
        free, total = _number(columns[_RAID_FREE].get(index)), _number(columns[_RAID_TOTAL].get(index))
        name = _name(columns[_RAID_NAME].get(index)) or f"volume {index}"
        seen.append(DiskSeen("volume", name, state, _word(_RAID_WORDS, status), free, total))
    return tuple(seen)
