"""Network types: the words an import may use, each change kept with its time (create, import, change), and
availability by network type from constructed histories on both engines (time counted under the type it had)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import delete, select

from fleet.cameras import importer
from fleet.cameras import service as registry
from fleet.cameras.models import CameraStatus, Network, NetworkChange
from fleet.cameras.network_types import label, spans_by_type
from fleet.cameras.schemas import CameraCreate, CameraUpdate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health.models import StatusInterval
from fleet.uptime.service import GroupBy, uptime_report
from tests.builders import TEST_ACTOR, make_camera

H = 3600.0


def t(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 5, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("word", "network"),
    [("Glasvezel", Network.FIBER), ("fibre", Network.FIBER), ("LTE", Network.FOUR_G), ("4g", Network.FOUR_G),
     ("koper", Network.COPPER), ("straalverbinding", Network.RADIO), ("Wi-Fi", Network.WIFI), ("", None)],
)  # fmt: skip
def test_import_words_for_each_network_type(word: str, network: Network | None) -> None:
    assert CameraCreate.model_validate({"name": "X", "host": "127.130.1.1", "network": word}).network is network


def test_an_unknown_network_type_is_refused() -> None:
    with pytest.raises(ValidationError, match="network"):
        CameraCreate.model_validate({"name": "X", "host": "127.130.1.1", "network": "satellite"})


def test_labels_in_both_languages() -> None:
    assert (label(Network.FIBER, "en"), label(Network.FIBER, "nl")) == ("fibre", "glasvezel")
    assert (label(None, "nl"), label("(none)", "en")) == ("–", "(none)")


def test_the_period_is_cut_where_the_type_changed() -> None:
    history = [(t(1), Network.COPPER), (t(5), Network.FIBER), (t(20), Network.FOUR_G)]
    assert spans_by_type(history, (t(3), t(10)), Network.FOUR_G) == [
        ((t(3), t(5)), Network.COPPER),
        ((t(5), t(10)), Network.FIBER),
    ]
    # Before the first change kept: the type it was registered with.
    assert spans_by_type([(t(5), Network.FIBER)], (t(1), t(3)), None) == [((t(1), t(3)), Network.FIBER)]
    assert spans_by_type([], (t(1), t(3)), Network.RADIO) == [((t(1), t(3)), Network.RADIO)]


async def test_every_change_is_kept_from_create_import_and_update(database: Database, cipher: CredentialCipher) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, name="N1", host="127.130.1.1", network="copper")
        await registry.update(
            session, actor=TEST_ACTOR, camera=camera, data=CameraUpdate(network=Network.FIBER), cipher=cipher
        )
        # The same type again is no change.
        await registry.update(
            session, actor=TEST_ACTOR, camera=camera, data=CameraUpdate(network=Network.FIBER), cipher=cipher
        )
        header, raw = importer.read_csv(b"name,host,network\nN1,127.130.1.1,4g\nN2,127.130.1.2,glasvezel\n")
        rows = [(r.camera, r.columns) for r in importer.validate_rows(header, raw)]
        await registry.upsert_many(session, actor=TEST_ACTOR, rows=rows, cipher=cipher)
        kept = await session.execute(
            select(NetworkChange.camera_id, NetworkChange.network, NetworkChange.changed_by).order_by(NetworkChange.id)
        )
        found = [(camera_id == camera.id, network, by) for camera_id, network, by in kept]
    assert found == [
        (True, Network.COPPER, TEST_ACTOR.name),
        (True, Network.FIBER, TEST_ACTOR.name),
        (True, Network.FOUR_G, TEST_ACTOR.name),
        (False, Network.FIBER, TEST_ACTOR.name),
    ]


async def test_availability_by_network_type_follows_each_cameras_history(
    database: Database, cipher: CredentialCipher
) -> None:
    async with database.unit_of_work() as session:
        moved = await make_camera(session, cipher, name="MOVED", host="127.130.1.1", installed_on="2020-01-01")
        mobile = await make_camera(session, cipher, name="MOBILE", host="127.130.1.2", installed_on="2020-01-01")
        await session.execute(delete(NetworkChange))
        session.add_all(
            [
                # MOVED: copper until 5 May noon, on fibre from then on; MOBILE on 4G throughout.
                NetworkChange(camera_id=moved.id, network=Network.COPPER, changed_at=t(1) - timedelta(days=9),
                              changed_by="test"),
                NetworkChange(camera_id=moved.id, network=Network.FIBER, changed_at=t(5, 12), changed_by="test"),
                NetworkChange(camera_id=mobile.id, network=Network.FOUR_G, changed_at=t(1), changed_by="test"),
                # Down 2 h on copper, 1 h on fibre; MOBILE down 6 h.
                StatusInterval(camera_id=moved.id, status=CameraStatus.UP, started_at=t(1), ended_at=t(3)),
                StatusInterval(camera_id=moved.id, status=CameraStatus.DOWN, started_at=t(3), ended_at=t(3, 2)),
                StatusInterval(camera_id=moved.id, status=CameraStatus.UP, started_at=t(3, 2), ended_at=t(7)),
                StatusInterval(camera_id=moved.id, status=CameraStatus.DOWN, started_at=t(7), ended_at=t(7, 1)),
                StatusInterval(camera_id=moved.id, status=CameraStatus.UP, started_at=t(7, 1), ended_at=None),
                StatusInterval(camera_id=mobile.id, status=CameraStatus.UP, started_at=t(1), ended_at=t(2)),
                StatusInterval(camera_id=mobile.id, status=CameraStatus.DOWN, started_at=t(2), ended_at=t(2, 6)),
                StatusInterval(camera_id=mobile.id, status=CameraStatus.UP, started_at=t(2, 6), ended_at=None),
            ]
        )  # fmt: skip
    async with database.unit_of_work() as session:
        rows = {r.key: r for r in await uptime_report(session, period=(t(1), t(11)), by=GroupBy.NETWORK, now=t(20))}
    assert set(rows) == {"copper", "fiber", "4g"}
    copper, fibre, mobile_row = rows["copper"], rows["fiber"], rows["4g"]
    assert (copper.cameras, copper.downtime_s, copper.outages) == (1, 2 * H, 1)
    assert copper.availability == 1 - 2 / (4.5 * 24)  # 1 May 00:00 – 5 May 12:00
    # No root cause known: the downtime is the camera's own, under the type it had then.
    assert (copper.downtime_camera_s, copper.downtime_network_s, fibre.downtime_camera_s) == (2 * H, 0.0, 1 * H)
    assert (fibre.cameras, fibre.downtime_s, fibre.outages) == (1, 1 * H, 1)
    assert fibre.availability == 1 - 1 / (5.5 * 24)
    assert (mobile_row.cameras, mobile_row.downtime_s) == (1, 6 * H)
    assert mobile_row.availability == 1 - 6 / (10 * 24)
