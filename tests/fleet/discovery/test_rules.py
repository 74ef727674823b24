"""The reconciliation's judgements over constructed tables (pure): in place, moved, swapped, missing, unregistered."""

from __future__ import annotations

from fleet.discovery import rules
from fleet.discovery.rules import Answered, Learned, Place, Registered, Resolved, reconcile

SWITCH, CORE, ROUTER = 1, 2, 3
MAC = {n: f"00:40:8c:00:00:{n:02x}" for n in range(1, 40)}


def _cam(device_id: int, port: str | None, mac: str | None, host: str | None = None) -> Registered:
    return Registered(device_id, host or f"10.0.0.{device_id}", mac, SWITCH, port)


def _learned(*entries: tuple[int, int, int]) -> list[Learned]:
    """(switch, ifIndex, MAC number) → entries named Gi0/<ifIndex>; the core learns all of them on its trunk 24."""
    own = [Learned(device, MAC[n], index, f"Gi0/{index}") for device, index, n in entries]
    trunk = [Learned(CORE, MAC[n], 24, "Gi0/24") for _, _, n in entries]
    return own + trunk


def test_a_camera_at_its_port_is_in_place_by_index_or_name() -> None:
    learned = _learned((SWITCH, 1, 1), (SWITCH, 2, 2))
    judged = reconcile([_cam(10, "1", MAC[1]), _cam(11, "gi0/2", MAC[2])], {SWITCH, CORE}, learned, [], [])
    assert judged == rules.Reconciliation()


def test_a_camera_learned_at_another_port_moved_there_not_to_the_trunk() -> None:
    judged = reconcile([_cam(10, "1", MAC[1])], {SWITCH, CORE}, _learned((SWITCH, 6, 1)), [], [])
    assert judged.moved == [rules.Moved(10, MAC[1], Place(SWITCH, "1"), Place(SWITCH, "Gi0/6", 6))]
    assert not judged.missing and not judged.unregistered


def test_another_address_at_the_port_and_its_own_nowhere_is_a_swap() -> None:
    judged = reconcile([_cam(10, "3", MAC[3])], {SWITCH}, _learned((SWITCH, 3, 9)), [], [])
    assert judged.swapped == [rules.Swapped(10, Place(SWITCH, "3"), MAC[3], MAC[9])]
    assert not judged.unregistered  # the swap explains the stranger


def test_nothing_at_the_port_and_nowhere_else_is_missing_unless_its_host_answers() -> None:
    registered = [_cam(10, "2", MAC[2]), _cam(11, "4", MAC[4]), _cam(12, "5", MAC[5])]
    answered = [Answered("urn:uuid:1", "10.0.0.11", ("http://10.0.0.11/onvif/device_service",))]
    resolved = [Resolved(ROUTER, "10.0.0.12", MAC[5])]
    judged = reconcile(registered, {SWITCH}, _learned((SWITCH, 7, 7)), resolved, answered)
    assert judged.missing == [rules.Missing(10, Place(SWITCH, "2"))]
    assert [u.mac for u in judged.unregistered] == [MAC[7]]


def test_a_camera_whose_uplink_was_not_read_is_not_judged() -> None:
    assert reconcile([_cam(10, "2", MAC[2])], {CORE}, [], [], []) == rules.Reconciliation()


def test_a_camera_without_a_known_mac_is_the_address_at_its_port() -> None:
    judged = reconcile([_cam(10, "3", None)], {SWITCH}, _learned((SWITCH, 3, 9)), [], [])
    assert judged == rules.Reconciliation()


def test_unregistered_addresses_at_their_access_port_with_the_routers_ip_and_ws_discovery() -> None:
    registered = [_cam(10, "1", MAC[1]), Registered(ROUTER, "10.0.0.254", None, None, None)]
    learned = _learned((SWITCH, 1, 1), (SWITCH, 5, 20))
    resolved = [Resolved(ROUTER, "10.0.0.50", MAC[20]), Resolved(ROUTER, "10.0.0.254", MAC[30])]
    answered = [
        Answered("urn:uuid:a", "10.0.0.50", ("http://10.0.0.50/onvif/device_service",)),
        Answered("urn:uuid:b", "10.0.0.60", ("http://10.0.0.60/onvif/device_service",)),
        Answered("urn:uuid:c", "10.0.0.10", ()),  # a registered host's own answer
    ]
    judged = reconcile(registered, {SWITCH, CORE}, learned, resolved, answered)
    assert judged.unregistered == [
        rules.Unregistered(
            MAC[20],
            "10.0.0.50",
            Place(SWITCH, "Gi0/5", 5),
            (rules.FORWARDING, rules.NEIGHBOUR, rules.WS_DISCOVERY),
            ("http://10.0.0.50/onvif/device_service",),
        ),
        rules.Unregistered(None, "10.0.0.60", None, (rules.WS_DISCOVERY,), ("http://10.0.0.60/onvif/device_service",)),
    ]  # the router's own MAC is known by its host's neighbour entry


def test_a_port_is_named_by_index_or_name_case_and_spaces_aside() -> None:
    entry = Learned(SWITCH, MAC[1], 3, "GigabitEthernet1/0/3")
    assert rules.same_port("3", entry) and rules.same_port(" gigabitethernet1/0/3 ", entry)
    assert not rules.same_port("4", entry) and not rules.same_port("Gi1/0/3", entry)


def test_a_port_resolved_to_its_index_matches_by_index_whatever_its_entries_call_it() -> None:
    registered = [Registered(10, "10.0.0.10", MAC[1], SWITCH, "cam-markt-1", uplink_if_index=1)]
    assert reconcile(registered, {SWITCH}, _learned((SWITCH, 1, 1)), [], []) == rules.Reconciliation()
    moved = reconcile(registered, {SWITCH}, _learned((SWITCH, 2, 1)), [], [])
    assert moved.moved == [rules.Moved(10, MAC[1], Place(SWITCH, "cam-markt-1", 1), Place(SWITCH, "Gi0/2", 2))]
