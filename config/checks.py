"""The kinds of check: one vocabulary for the collectors that run them and the domain that records them."""

from enum import StrEnum


class CheckKind(StrEnum):
    """What is checked against a camera."""

    REACHABILITY = "reachability"
    ONVIF_HEALTH = "onvif_health"
    ONVIF_IDENTITY = "onvif_identity"
    SNMP = "snmp"
    STREAM = "stream"  # RTSP OPTIONS/DESCRIBE on the profile's stream
    IMAGE = "image"  # a snapshot reduced to statistics
    # ONVIF Profile G recording and search, on the device that records: a recorder, or an edge-recording camera.
    RECORDING = "recording"
    SECURITY = "security"  # certificates, exposed services and the configuration baseline (cyber hygiene)
