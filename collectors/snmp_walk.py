"""Walking SNMP tables with GETBULK, bounded: an agent that loops, goes backwards or never ends is its problem.

Several columns are walked together (one GETBULK carries a cursor per column), so a table of 48 ports and six
columns takes a handful of requests. Every bound is the device's recorded problem when it is hit: more rows or bytes
than the limits (`BadResponse`), an OID not after the one before it (`BadResponse`), no end within the time limit
(`Timeout`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from collectors.base import Target
from collectors.ber import ABSENT, Value
from collectors.errors import BadResponse, Timeout

Row = tuple[str, Value]


@dataclass(frozen=True, slots=True)
class WalkLimits:
    """How much one walk may bring back, and for how long it may run."""

    max_rows: int = 20_000  # values over all columns walked together
    max_bytes: int = 2_000_000  # of OIDs and values as read
    time_limit: float = 30.0  # seconds, retries included
    max_repetitions: int = 24  # rows asked per GETBULK: answers stay well under a 64 KiB datagram


class Bulk(Protocol):
    """One GETBULK of a device (the SNMP collector's, for v2c and v3)."""

    async def bulk(self, target: Target, oids: tuple[str, ...], max_repetitions: int) -> list[Row]:
        """Up to max_repetitions successors of each OID, row by row, end markers included."""
        ...


def arcs(oid: str) -> tuple[int, ...]:
    """An OID as numbers, for ordering and prefix tests."""
    return tuple(int(part) for part in oid.strip(".").split("."))


def column(rows: Sequence[Row], root: str) -> dict[tuple[int, ...], Value]:
    """A walked column's values by row index: each OID's numbers after the column's (rows not under it left out)."""
    prefix = arcs(root)
    found: dict[tuple[int, ...], Value] = {}
    for oid, value in rows:
        numbers = arcs(oid)
        if len(numbers) > len(prefix) and numbers[: len(prefix)] == prefix:
            found[numbers[len(prefix) :]] = value
    return found


def _size(oid: str, value: Value) -> int:
    body = value.value
    return len(oid) + (len(body) if isinstance(body, bytes | str) else 8)


async def walk(client: Bulk, target: Target, roots: Sequence[str], limits: WalkLimits) -> dict[str, list[Row]]:
    """Every (OID, value) under each root, in OID order; raise BadResponse or Timeout past a bound."""
    try:
        async with asyncio.timeout(limits.time_limit):
            return await _walk(client, target, list(dict.fromkeys(roots)), limits)
    except TimeoutError as exc:
        raise Timeout(f"SNMP walk of {', '.join(roots)} did not end within {limits.time_limit:g} s") from exc


async def _walk(client: Bulk, target: Target, roots: list[str], limits: WalkLimits) -> dict[str, list[Row]]:
    found: dict[str, list[Row]] = {root: [] for root in roots}
    prefix = {root: arcs(root) for root in roots}
    cursor = {root: (root, prefix[root]) for root in roots}
    active = list(roots)
    rows = size = 0
    while active:
        repetitions = max(1, min(limits.max_repetitions, (limits.max_rows - rows) // len(active) + 1))
        answer = await client.bulk(target, tuple(cursor[root][0] for root in active), repetitions)
        if not answer:
            break  # a v2c error-status: the agent has nothing more to give
        ended: set[str] = set()
        for position, (oid, value) in enumerate(answer):
            root = active[position % len(active)]
            if root in ended:
                continue
            if value.tag in ABSENT:  # endOfMibView, under the OID asked
                ended.add(root)
                continue
            numbers = arcs(oid)
            if numbers <= cursor[root][1]:
                raise BadResponse(f"SNMP agent answered {oid} after {cursor[root][0]}: a loop or a step backwards")
            if numbers[: len(prefix[root])] != prefix[root]:
                ended.add(root)  # the next table: this one is done
                continue
            cursor[root] = (oid, numbers)
            found[root].append((oid, value))
            rows += 1
            size += _size(oid, value)
            if rows > limits.max_rows:
                raise BadResponse(f"SNMP walk brought more than {limits.max_rows} values")
            if size > limits.max_bytes:
                raise BadResponse(f"SNMP walk brought more than {limits.max_bytes} bytes")
        active = [root for root in active if root not in ended]
    return found
