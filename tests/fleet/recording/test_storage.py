"""storage_failed on both engines, from the recorder's SNMP disk table (Synology's, as stored by the SNMP check) and
from ONVIF's StorageFailure event; and recorder faults whose details follow the cameras they affect (a camera
added, moved to another recorder, recovered) without a new fault or alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from collectors.ber import COUNTER64, INTEGER, OCTET_STRING, Value
from collectors.disks import DISK_ENTRY, RAID_ENTRY, ROOTS, disks_of
from config.checks import CheckKind
from config.settings import Settings
from fleet.cameras import service as registry
from fleet.cameras.models import Camera
from fleet.cameras.schemas import CameraUpdate, RecorderCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.events.service import Batch, Received
from fleet.events.service import record as record_events
from fleet.faults.models import Fault, FaultKind
from fleet.health.claims import ensure_check_states
from fleet.health.recording import Outcome, RecordSummary, record
from fleet.recording.rules import storage_problems
from tests.builders import TEST_ACTOR, make_camera

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
MIN = timedelta(minutes=1)
TB = 10**12


def _disk(name: str, state: str = "ok", status: str = "Normal") -> dict[str, Any]:
    return {"kind": "disk", "name": name, "state": state, "status": status}


def _volume(state: str = "ok", free: int = 10 * TB, total: int = 24 * TB) -> dict[str, Any]:
    status = {"ok": "Normal", "degraded": "Degrade", "failed": "Crashed"}[state]
    return {
        "kind": "volume",
        "name": "Volume 1",
        "state": state,
        "status": status,
        "free_bytes": free,
        "total_bytes": total,
    }


def test_the_disk_table_read_as_synology_defines_it() -> None:
    def text(value: str) -> Value:
        return Value(OCTET_STRING, value.encode())

    walked: dict[str, list[tuple[str, Value]]] = {root: [] for root in ROOTS}
    for index, (status, health) in enumerate([(1, 1), (5, 4), (1, 2), (4, None)]):
        walked[f"{DISK_ENTRY}.2"].append((f"{DISK_ENTRY}.2.{index}", text(f"Disk {index + 1}")))
        walked[f"{DISK_ENTRY}.5"].append((f"{DISK_ENTRY}.5.{index}", Value(INTEGER, status)))
        if health is not None:
            walked[f"{DISK_ENTRY}.13"].append((f"{DISK_ENTRY}.13.{index}", Value(INTEGER, health)))
    walked[f"{DISK_ENTRY}.12"] = [(f"{DISK_ENTRY}.12.0", text("Drive 1\x00"))]  # the newer diskName, where there is one
    for index, status in enumerate([11, 12, 7]):
        walked[f"{RAID_ENTRY}.2"].append((f"{RAID_ENTRY}.2.{index}", text(f"Volume {index + 1}")))
        walked[f"{RAID_ENTRY}.3"].append((f"{RAID_ENTRY}.3.{index}", Value(INTEGER, status)))
    walked[f"{RAID_ENTRY}.4"] = [(f"{RAID_ENTRY}.4.0", Value(COUNTER64, TB))]
    walked[f"{RAID_ENTRY}.5"] = [(f"{RAID_ENTRY}.5.0", Value(COUNTER64, 16 * TB))]
    seen = [(d.kind, d.name, d.state, d.status, d.free_bytes) for d in disks_of(walked)]
    assert seen == [
        ("disk", "Drive 1", "ok", "Normal/Normal", None),
        ("disk", "Disk 2", "failed", "Crashed/Failing", None),  # Crashed(5), Failing(4)
        ("disk", "Disk 3", "degraded", "Normal/Warning", None),  # health Warning(2)
        ("disk", "Disk 4", "failed", "SystemPartitionFailed", None),  # an older DSM: no diskHealthStatus
        ("volume", "Volume 1", "degraded", "Degrade", TB),
        ("volume", "Volume 2", "failed", "Crashed", None),
        ("volume", "Volume 3", "ok", "RaidSyncing", None),  # work in progress, not a fault
    ]
    assert disks_of({}) == ()  # a recorder without Synology's table


def test_a_hostile_disk_table_is_read_safely_and_bounded() -> None:
    status, name = f"{DISK_ENTRY}.5", f"{DISK_ENTRY}.12"
    walked = {
        # Statuses of the wrong type or unknown code: not failed, and said so; 500 rows: only MAX_UNITS read.
        status: [(f"{status}.0", Value(OCTET_STRING, b"5")), (f"{status}.1", Value(INTEGER, 99))]
        + [(f"{status}.{i}", Value(INTEGER, 1)) for i in range(2, 500)],
        name: [(f"{name}.0", Value(OCTET_STRING, b"\x1b[31m=cmd|' /C calc'!A0" + b"x" * 500))],
        f"{RAID_ENTRY}.3": [(f"{RAID_ENTRY}.3.0", Value(INTEGER, 12)), ("1.3.6.1.2.1.1.1.0", Value(INTEGER, 12))],
    }
    seen = disks_of(walked)
    assert [(d.name, d.state, d.status) for d in seen[:2]] == [
        ("[31m=cmd|' /C calc'!A0" + "x" * 42, "ok", "unknown"),
        ("disk 1", "ok", "unknown(99)"),
    ]
    assert len([d for d in seen if d.kind == "disk"]) == 64
    assert [(d.name, d.state) for d in seen if d.kind == "volume"] == [("volume 0", "failed")]


@pytest.mark.parametrize(
    ("disks", "problems"),
    [
        ([_disk("Drive 1"), _volume()], []),
        ([_disk("Drive 2", "failed", "Crashed/Failing")], [_disk("Drive 2", "failed", "Crashed/Failing")]),
        ([_volume("degraded")], [{"kind": "volume", "name": "Volume 1", "state": "degraded", "status": "Degrade"}]),
        # 96 % used is over the default 95 %; exactly 95 % is not.
        (
            [_volume(free=TB, total=25 * TB)],
            [{"kind": "volume", "name": "Volume 1", "state": "full", "status": "Normal, 96% used"}],
        ),
        ([_volume(free=5 * TB, total=100 * TB)], []),
    ],
)
def test_storage_problems_name_each_failed_degraded_or_full_unit(
    disks: list[dict[str, Any]], problems: list[dict[str, str]]
) -> None:
    assert storage_problems(disks, 95.0) == problems


class Feed:
    """Outcomes of one recorder's checks, minute by minute, as the poller records them."""

    def __init__(self, database: Database, settings: Settings, device_id: int) -> None:
        self.database, self.settings, self.device_id = database, settings, device_id

    async def __call__(self, kind: CheckKind, minute: int, **values: Any) -> RecordSummary:
        at = T0 + minute * MIN
        outcome = Outcome(
            camera_id=self.device_id,
            kind=kind,
            at=at,
            ok=True,
            duration_s=0.01,
            next_due_at=at + MIN,
            error_class=None,
            error=None,
            values=values,
        )
        async with self.database.unit_of_work() as session:
            await ensure_check_states(session, now=T0)
            return await record(session, [outcome], settings=self.settings)


async def _recorder(database: Database, cipher: CredentialCipher, name: str, *cameras: str) -> Camera:
    async with database.unit_of_work() as session:
        data = RecorderCreate.model_validate({"name": name, "host": f"127.131.0.{len(name)}", "snmp_community": "x"})
        recorder = await registry.create(session, actor=TEST_ACTOR, data=data, cipher=cipher)
        for camera in cameras:
            await make_camera(session, cipher, name=camera, recorder=name)
    return recorder


async def _open(database: Database, device: Camera) -> dict[FaultKind, Fault]:
    async with database.unit_of_work() as session:
        query = select(Fault).where(Fault.camera_id == device.id, Fault.closed_at.is_(None))
        return {f.kind: f for f in await session.scalars(query)}


async def _move(database: Database, cipher: CredentialCipher, camera: str, recorder: str) -> None:
    async with database.unit_of_work() as session:
        found = await registry.get_by_name(session, camera)
        assert found is not None
        await registry.update(
            session, actor=TEST_ACTOR, camera=found, data=CameraUpdate(recorder=recorder), cipher=cipher
        )


async def test_a_failed_disk_names_disk_and_cameras_which_follow_the_recorders_cameras_until_it_closes(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    nvr = await _recorder(database, cipher, "NVR-NOORD", "CAM-A", "CAM-B")
    await _recorder(database, cipher, "NVR-ZUID")
    feed = Feed(database, settings, nvr.id)
    failed = [_disk("Drive 1"), _disk("Drive 2", "failed", "Crashed/Failing"), _volume("degraded")]
    opened = []
    for minute in range(settings.faults.failures_to_open):
        summary = await feed(CheckKind.SNMP, minute, uptime_s=600 + minute * 60, storage_ok=None, disks=failed)
        opened += summary.faults.opened
    fault = (await _open(database, nvr))[FaultKind.STORAGE_FAILED]
    assert [f.id for f in opened] == [fault.id]
    assert fault.details["cameras"] == ["CAM-A", "CAM-B"]
    assert [(d["name"], d["state"]) for d in fault.details["disks"]] == [
        ("Drive 2", "failed"),
        ("Volume 1", "degraded"),
    ]
    assert (
        fault.summary == "NVR-NOORD: storage failed; footage at risk: Drive 2 failed, Volume 1 degraded (CAM-A, CAM-B)"
    )

    # A camera added to the recorder, another moved to a recorder of its own: the same fault names them now.
    async with database.unit_of_work() as session:
        await make_camera(session, cipher, name="CAM-C", recorder="NVR-NOORD")
    await _move(database, cipher, "CAM-B", "NVR-ZUID")
    minute = settings.faults.failures_to_open
    summary = await feed(CheckKind.SNMP, minute, uptime_s=1200, storage_ok=None, disks=failed)
    assert (summary.faults.opened, summary.faults.closed) == ([], [])
    followed = (await _open(database, nvr))[FaultKind.STORAGE_FAILED]
    assert (followed.id, followed.opened_at) == (fault.id, fault.opened_at)
    assert followed.details["cameras"] == ["CAM-A", "CAM-C"]
    assert followed.summary.endswith("(CAM-A, CAM-C)")

    # The volume fills as well: named too. Then everything recovers and the fault closes.
    full = [_disk("Drive 2", "failed", "Crashed/Failing"), _volume("ok", free=TB // 2, total=24 * TB)]
    await feed(CheckKind.SNMP, minute + 1, uptime_s=1300, storage_ok=None, disks=full)
    followed = (await _open(database, nvr))[FaultKind.STORAGE_FAILED]
    assert [(d["name"], d["state"]) for d in followed.details["disks"]] == [("Drive 2", "failed"), ("Volume 1", "full")]
    closed = []
    for step in range(settings.faults.successes_to_close):
        healthy = [_disk("Drive 1"), _disk("Drive 2"), _volume()]
        summary = await feed(
            CheckKind.SNMP, minute + 2 + step, uptime_s=1400 + step * 60, storage_ok=None, disks=healthy
        )
        closed += summary.faults.closed
    assert [f.id for f in closed] == [fault.id]
    assert FaultKind.STORAGE_FAILED not in await _open(database, nvr)


def _recording_values(stopped: set[str], minute: int) -> dict[str, Any]:
    asked = T0 + minute * MIN
    recordings = [
        {
            "token": f"REC-{name}",
            "source_id": name,
            "earliest": (asked - timedelta(days=14)).isoformat(),
            "latest": (asked - (timedelta(hours=2) if name in stopped else timedelta(0))).isoformat(),
            "job_state": "idle" if name in stopped else "active",
            "gaps": [],
        }
        for name in ("CAM-P", "CAM-Q", "CAM-R")
    ]
    return {"asked_at": asked.isoformat(), "recordings": recordings, "history_searched": True}


async def test_recording_stopped_follows_which_cameras_stopped_without_a_new_fault(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    nvr = await _recorder(database, cipher, "NVR-WEST", "CAM-P", "CAM-Q", "CAM-R")
    feed = Feed(database, settings, nvr.id)
    minute = 0
    for minute in range(settings.faults.failures_to_open):
        await feed(CheckKind.RECORDING, minute, **_recording_values({"CAM-P", "CAM-Q"}, minute))
    fault = (await _open(database, nvr))[FaultKind.RECORDING_STOPPED]
    assert fault.details["cameras"] == ["CAM-P", "CAM-Q"]
    # CAM-Q records again, CAM-R stops: one fault, naming CAM-P and CAM-R, no alert of a new fault.
    summary = await feed(CheckKind.RECORDING, minute + 1, **_recording_values({"CAM-P", "CAM-R"}, minute + 1))
    assert (summary.faults.opened, summary.faults.closed) == ([], [])
    followed = (await _open(database, nvr))[FaultKind.RECORDING_STOPPED]
    assert (followed.id, followed.details["cameras"]) == (fault.id, ["CAM-P", "CAM-R"])
    assert followed.summary == "NVR-WEST: no footage is being recorded (CAM-P, CAM-R)"


STORAGE = "tns1:Device/HardwareFailure/StorageFailure"


async def test_onvif_storage_failure_of_a_recorder_is_storage_failed_naming_its_cameras(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    nvr = await _recorder(database, cipher, "NVR-OOST", "CAM-X", "CAM-Y")
    at = T0 + 5 * MIN

    async def event(state: bool, topic: str = STORAGE) -> None:
        async with database.unit_of_work() as session:
            await record_events(
                session, Batch(kept=[Received(nvr.id, topic, "HDD2", state, at)]), now=at, settings=settings
            )

    await event(True)
    fault = (await _open(database, nvr))[FaultKind.STORAGE_FAILED]
    assert fault.details["cameras"] == ["CAM-X", "CAM-Y"]
    assert fault.details["disks"] == [{"kind": "disk", "name": "HDD2", "state": "failed", "status": "StorageFailure"}]
    assert fault.summary == "NVR-OOST: storage failed; footage at risk: HDD2 failed (CAM-X, CAM-Y)"
    await event(True, "tns1:Device/HardwareFailure/FanFailure")  # another hardware alarm stays an alarm
    assert set(await _open(database, nvr)) == {FaultKind.STORAGE_FAILED, FaultKind.HARDWARE_ALARM}
    await event(False)
    assert set(await _open(database, nvr)) == {FaultKind.HARDWARE_ALARM}

    # Raised again while the SNMP disk table finds a disk failed as well: the event's end leaves the fault to the
    # disk table, which closes it when the disks are healthy.
    await event(True)
    feed = Feed(database, settings, nvr.id)
    failed = [_disk("Drive 1", "failed", "Crashed/Failing")]
    for minute in range(settings.faults.failures_to_open):
        await feed(CheckKind.SNMP, 10 + minute, uptime_s=600 + minute * 60, storage_ok=None, disks=failed)
    await event(False)
    fault = (await _open(database, nvr))[FaultKind.STORAGE_FAILED]
    assert [d["name"] for d in fault.details["disks"]] == ["Drive 1"]
    for minute in range(settings.faults.successes_to_close):
        await feed(CheckKind.SNMP, 20 + minute, uptime_s=1800 + minute * 60, storage_ok=None, disks=[_disk("Drive 1")])
    assert FaultKind.STORAGE_FAILED not in await _open(database, nvr)
