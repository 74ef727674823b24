"""What an event is evidence of: a pure decision from its topic, source and state."""

from __future__ import annotations

from enum import StrEnum

from config.checks import CheckKind


class Evidence(StrEnum):
    """What camfleet does with an event."""

    IMAGE_CHECK = "image_check"  # tampering: the image check runs now, and the fault opens on its results
    STREAM_CHECK = "stream_check"  # video signal lost: the stream check runs now
    IDENTITY_CHECK = "identity_check"  # the device restarted (an SNMP coldStart or warmStart trap)
    HARDWARE_ALARM = "hardware_alarm"  # storage, fan, power or temperature: a fault of its own
    CABINET_DOOR = "cabinet_door"  # the digital input wired to the street cabinet's door
    PORT_CHANGE = "port_change"  # a network device's port went down or up (linkDown, linkUp): check what is behind


# ONVIF topics (Core and Imaging specifications) and what each says.
_TAMPER = (
    "VideoSource/GlobalSceneChange",
    "VideoSource/ImageTooDark",
    "VideoSource/ImageTooBlurry",
    "VideoSource/ImageTooBright",
)
_SIGNAL_LOSS = "VideoSource/SignalLoss"
_HARDWARE = "Device/HardwareFailure/"
# ONVIF Core's mass-storage failure (Source Token: the storage; Data Failed): on a recorder, its footage at risk.
_STORAGE_FAILURE = "Device/HardwareFailure/StorageFailure"
_DIGITAL_INPUT = "Device/Trigger/DigitalInput"
# SNMP traps (collectors/traps.py names them): the device restarted.
_RESTARTS = frozenset({"snmp:coldStart", "snmp:warmStart"})
_LINKS = frozenset({"snmp:linkDown", "snmp:linkUp"})

# The check each evidence makes run now.
CHECK_OF: dict[Evidence, CheckKind] = {
    Evidence.IMAGE_CHECK: CheckKind.IMAGE,
    Evidence.STREAM_CHECK: CheckKind.STREAM,
    Evidence.IDENTITY_CHECK: CheckKind.ONVIF_IDENTITY,
}


def evidence(topic: str, source: str | None, door_input: str | None) -> Evidence | None:
    """What an ONVIF event with this topic and source says; None for the events camfleet only counts.

    ``door_input`` is the input token the registry maps to the cabinet door (None: no door wired to this camera).
    """
    if topic in _RESTARTS:
        return Evidence.IDENTITY_CHECK
    if topic in _LINKS:
        return Evidence.PORT_CHANGE if source is not None and source.isdigit() else None
    path = topic.partition(":")[2] if topic.startswith("tns1:") else topic
    if path.startswith(_TAMPER):
        return Evidence.IMAGE_CHECK
    if path.startswith(_SIGNAL_LOSS):
        return Evidence.STREAM_CHECK
    if path.startswith(_HARDWARE):
        return Evidence.HARDWARE_ALARM
    if path.startswith(_DIGITAL_INPUT) and door_input is not None and source == door_input:
        return Evidence.CABINET_DOOR
    return None


def storage_failure(topic: str) -> bool:
    """Whether the topic is ONVIF's StorageFailure (tns1:Device/HardwareFailure/StorageFailure)."""
    return (topic.partition(":")[2] if topic.startswith("tns1:") else topic) == _STORAGE_FAILURE


def runs_to_settle(found: Evidence, failures_to_open: int, successes_to_close: int) -> int:
    """Runs a check makes at once after an event: enough results in a row to open its fault, or to close it; the
    identity check after a restart once (it tells what the camera is now, no streak of it opens anything)."""
    if found is Evidence.IDENTITY_CHECK:
        return 1
    return max(failures_to_open, successes_to_close)
