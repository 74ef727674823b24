"""Keyset pages of the camera and fault lists: walks by cursor, stable across inserts, filters, counts, bad cursors."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from fleet.cameras.models import Camera
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.users.models import Role
from tests.builders import make_camera
from tests.conftest import bearer

T0 = datetime(2026, 6, 1, tzinfo=UTC)
CAMERAS = "/api/v1/cameras"
FAULTS = "/api/v1/faults"


async def _cameras(database: Database, cipher: CredentialCipher, names: list[str], **fields: Any) -> list[int]:
    async with database.unit_of_work() as session:
        return [(await make_camera(session, cipher, name=name, **fields)).id for name in names]


async def _walk(client: httpx.AsyncClient, token: str, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every page of a list, following next_cursor from the first page."""
    pages = []
    answer = await client.get(path, params=params, headers=bearer(token))
    while True:
        assert answer.status_code == 200, answer.text
        pages.append(answer.json())
        following = answer.json()["next_cursor"]
        if following is None:
            return pages
        answer = await client.get(path, params={**params, "cursor": following}, headers=bearer(token))


def _names(pages: list[dict[str, Any]]) -> list[str]:
    return [camera["name"] for page in pages for camera in page["items"]]


async def test_camera_walk_by_cursor_matches_pages_by_number(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    await _cameras(database, cipher, [f"W-{n:02d}" for n in range(11)])
    token = tokens[Role.VIEWER]
    pages = await _walk(client, token, CAMERAS, size=4)
    assert [page["page"] for page in pages] == [1, 2, 3]
    assert _names(pages) == [f"W-{n:02d}" for n in range(11)]
    by_number = [
        (await client.get(CAMERAS, params={"size": 4, "page": n}, headers=bearer(token))).json() for n in (1, 2, 3)
    ]
    assert [page["items"] for page in by_number] == [page["items"] for page in pages]
    assert {page["total"] for page in pages} == {11}
    assert pages[-1]["next_cursor"] is None and by_number[2]["next_cursor"] is None
    # A page by number offers the cursor of the page after it too.
    following = await client.get(
        CAMERAS, params={"size": 4, "cursor": by_number[0]["next_cursor"]}, headers=bearer(token)
    )
    assert following.json()["items"] == pages[1]["items"]
    # Items are the same shape as one camera read alone.
    one = await client.get(f"{CAMERAS}/{pages[0]['items'][0]['id']}", headers=bearer(token))
    assert one.json() == pages[0]["items"][0]


async def test_walk_is_stable_when_cameras_are_added_before_it(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    await _cameras(database, cipher, [f"M-{n:02d}" for n in range(9)])
    token = tokens[Role.VIEWER]
    first = (await client.get(CAMERAS, params={"size": 3}, headers=bearer(token))).json()
    assert _names([first]) == ["M-00", "M-01", "M-02"]
    # New cameras sort before the walk's position (A-…) and inside the rest (M-05a): pages by number would shift.
    await _cameras(database, cipher, ["A-01", "A-02", "M-05a"])
    rest = []
    cursor = first["next_cursor"]
    while cursor is not None:
        answer = (await client.get(CAMERAS, params={"size": 3, "cursor": cursor}, headers=bearer(token))).json()
        rest.append(answer)
        cursor = answer["next_cursor"]
    assert _names(rest) == ["M-03", "M-04", "M-05", "M-05a", "M-06", "M-07", "M-08"]
    # The walk repeats the count of its first page and says when it was made; count=true counts again.
    assert {page["total"] for page in rest} == {9}
    assert {page["total_counted_at"] for page in rest} == {first["total_counted_at"]}
    recounted = await client.get(
        CAMERAS, params={"size": 3, "cursor": first["next_cursor"], "count": "true"}, headers=bearer(token)
    )
    assert recounted.json()["total"] == 12
    assert recounted.json()["total_counted_at"] > first["total_counted_at"]
    by_number = (await client.get(CAMERAS, params={"size": 3, "page": 2}, headers=bearer(token))).json()
    assert _names([by_number]) == ["M-01", "M-02", "M-03"]  # page 2 by number shifted: it repeats two rows


@pytest.mark.parametrize("sort", ["name", "status", "area", "last_seen", "risk"])
async def test_filters_and_orders_combine_with_cursors(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher, sort: str
) -> None:
    for n in range(14):
        await _cameras(
            database,
            cipher,
            [f"F-{n:02d}"],
            kind="flexible" if n % 2 else "fixed",
            # Some without an area: nulls sort last on both engines.
            area=None if n % 5 == 0 else f"Wijk {n % 3}",
            poller_group="ring-a" if n < 11 else "4g",
        )
    async with database.unit_of_work() as session:
        seen = T0
        for n in range(0, 14, 3):  # some never seen (null), the others at a few moments, ties included
            seen += timedelta(minutes=n % 2)
            await session.execute(update(Camera).where(Camera.name == f"F-{n:02d}").values(last_seen_at=seen))
    token = tokens[Role.VIEWER]
    params = {"kind": "flexible", "poller_group": "ring-a", "sort": sort}
    everything = (await client.get(CAMERAS, params={**params, "size": 500}, headers=bearer(token))).json()
    assert everything["total"] == 5 and everything["next_cursor"] is None
    pages = await _walk(client, token, CAMERAS, **params, size=2)
    assert _names(pages) == _names([everything])
    assert all(c["kind"] == "flexible" and c["poller_group"] == "ring-a" for page in pages for c in page["items"])
    if sort == "area":
        areas = [c["area"] for c in everything["items"]]
        assert areas[-1] is None and None not in areas[:-1]


async def test_bad_cursors_are_422_without_repeating_them(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    token = tokens[Role.VIEWER]
    forged = base64.urlsafe_b64encode(json.dumps([1, "cameras:name", [{"x": 1}], 2, 5, T0.isoformat()]).encode())
    other_order = base64.urlsafe_b64encode(json.dumps([1, "cameras:area", ["x", "y"], 2, 5, T0.isoformat()]).encode())
    for path, cursor in [
        (CAMERAS, "<script>alert('secret-cursor')</script>"),
        (CAMERAS, "c2VjcmV0LWN1cnNvcg"),  # base64, but not JSON
        (CAMERAS, forged.decode()),
        (FAULTS, forged.decode()),  # a camera cursor on the fault list
        (CAMERAS, "A" * 5000),
    ]:
        answer = await client.get(path, params={"cursor": cursor}, headers=bearer(token))
        assert answer.status_code == 422, answer.text
        [problem] = answer.json()["detail"]
        assert problem["loc"] == ["query", "cursor"]
        assert cursor not in answer.text and "secret-cursor" not in answer.text and "input" not in problem
    answer = await client.get(CAMERAS, params={"cursor": other_order.decode()}, headers=bearer(token))
    assert answer.status_code == 422 and "another list or order" in answer.json()["detail"][0]["msg"]
    both = await client.get(CAMERAS, params={"cursor": other_order.decode(), "page": 2}, headers=bearer(token))
    assert both.status_code == 422 and both.json()["detail"][0]["msg"] == "give a page or a cursor, not both"


async def test_fault_walk_newest_first_with_ties_and_filters(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    [first, second] = await _cameras(database, cipher, ["FL-1", "FL-2"])
    kinds = [FaultKind.CLOCK_DRIFT, FaultKind.REBOOTED, FaultKind.SNMP_UNREACHABLE]
    async with database.unit_of_work() as session:
        for n in range(12):
            # Four faults share each moment: the id keeps their order.
            session.add(
                Fault(
                    camera_id=first if n % 2 else second,
                    kind=kinds[n % 3],
                    severity=Severity.MAJOR,
                    summary=f"fault {n}",
                    opened_at=T0 + timedelta(hours=n // 4),
                    closed_at=None if n in (0, 3) else T0 + timedelta(days=1),
                )
            )
    token = tokens[Role.VIEWER]
    everything = (await client.get(FAULTS, params={"size": 500}, headers=bearer(token))).json()["items"]
    assert [(f["opened_at"], f["id"]) for f in everything] == sorted(
        ((f["opened_at"], f["id"]) for f in everything), reverse=True
    )
    pages = await _walk(client, token, FAULTS, size=5)
    assert [f["id"] for page in pages for f in page["items"]] == [f["id"] for f in everything]
    filtered = await _walk(client, token, FAULTS, size=1, open="false", camera_id=first, kind="rebooted")
    found = [f for page in filtered for f in page["items"]]
    assert found and all(
        f["closed_at"] and f["camera_id"] == first and f["kind"] == "rebooted" and f["camera_name"] == "FL-1"
        for f in found
    )
    assert len(found) == filtered[0]["total"]
