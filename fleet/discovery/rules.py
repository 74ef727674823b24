"""The registry against what the network says: a pure reconciliation of devices and the tables read from switches,
routers and WS-Discovery answers.

A device is judged only where camfleet looked: where the forwarding table of the network device it hangs on (its
uplink) was read. There,
its MAC address (observed by a poll, else the one a router resolves its host to) is

- *in place* when it is learned on its registered port (or anywhere on the uplink when no port is registered);
- *moved* when it is learned elsewhere: the new place is the port with the fewest addresses behind it that learned
  it (an access port rather than the trunks between switches, which learn every address beyond them);
- *swapped* when it is nowhere, and its registered port learned an address no registered device has (the camera at
  that port was changed; without a known MAC that address is taken to be the device's own);
- *missing* when it is nowhere and nothing stands in its place, and its host neither answered WS-Discovery nor is
  in a router's table.

Every address learned or resolved that no registered device has, and no swap explains, is *unregistered*, at its
access port and with its IP address where a router knows it; so is a WS-Discovery answer from an address that is no
registered device's host.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

FORWARDING = "forwarding"
NEIGHBOUR = "neighbour"
WS_DISCOVERY = "ws-discovery"


@dataclass(frozen=True, slots=True)
class Registered:
    """A device of the registry, as the reconciliation needs it."""

    id: int
    host: str
    mac: str | None  # observed, aa:bb:cc:dd:ee:ff
    uplink_id: int | None
    uplink_port: str | None
    # The port's ifIndex where the uplink's ports are known (fleet.network.rules.match_port: by ifName, ifDescr,
    # ifAlias or ifIndex); None: matched by the entries' own ifName or ifIndex.
    uplink_if_index: int | None = None


@dataclass(frozen=True, slots=True)
class Learned:
    """A forwarding entry of a switch's latest read: this MAC is behind that port."""

    device_id: int
    mac: str
    if_index: int | None
    port: str | None  # the interface's name, where the switch gave one


@dataclass(frozen=True, slots=True)
class Resolved:
    """A neighbour entry of a router's latest read: this IP address is at this MAC."""

    device_id: int
    ip: str
    mac: str


@dataclass(frozen=True, slots=True)
class Answered:
    """A WS-Discovery answer: from this address, offering these service addresses."""

    endpoint: str
    address: str
    xaddrs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Place:
    """A port of a network device (``if_index`` and ``port`` as learned; a registered place has its text only)."""

    device_id: int
    port: str | None
    if_index: int | None = None


@dataclass(frozen=True, slots=True)
class Unregistered:
    mac: str | None
    ip: str | None
    place: Place | None
    seen_by: tuple[str, ...]
    xaddrs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Missing:
    device_id: int
    registered: Place


@dataclass(frozen=True, slots=True)
class Moved:
    device_id: int
    mac: str
    registered: Place
    found: Place


@dataclass(frozen=True, slots=True)
class Swapped:
    device_id: int
    registered: Place
    expected_mac: str | None
    found_mac: str


@dataclass(frozen=True, slots=True)
class Reconciliation:
    unregistered: list[Unregistered] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    moved: list[Moved] = field(default_factory=list)
    swapped: list[Swapped] = field(default_factory=list)


def same_port(registered: str, entry: Learned) -> bool:
    """Whether a registered port (an ifIndex or an interface name, as imported) names the entry's port."""
    wanted = registered.strip().lower()
    return wanted == str(entry.if_index) or (entry.port is not None and wanted == entry.port.strip().lower())


def _host_of(xaddr: str) -> str | None:
    try:
        return urlsplit(xaddr).hostname
    except ValueError:
        return None


class _Network:
    """The tables read, indexed for the questions the reconciliation asks."""

    def __init__(self, learned: Sequence[Learned], resolved: Sequence[Resolved]) -> None:
        self.by_mac: dict[str, list[Learned]] = defaultdict(list)
        self.by_device: dict[int, list[Learned]] = defaultdict(list)
        macs_at: dict[tuple[int, int | None, str | None], set[str]] = defaultdict(set)
        for entry in learned:
            self.by_mac[entry.mac].append(entry)
            self.by_device[entry.device_id].append(entry)
            macs_at[(entry.device_id, entry.if_index, entry.port)].add(entry.mac)
        self.load: Counter[tuple[int, int | None, str | None]] = Counter({k: len(v) for k, v in macs_at.items()})
        self.mac_of_ip = {r.ip: r.mac for r in sorted(resolved, key=lambda r: (r.ip, r.device_id))}
        self.ip_of_mac = {mac: ip for ip, mac in sorted(self.mac_of_ip.items(), reverse=True)}

    def edge(self, entries: Iterable[Learned]) -> Learned:
        """The entry at the port with the fewest addresses behind it: the access port, not a trunk."""
        return min(entries, key=lambda e: (self.load[(e.device_id, e.if_index, e.port)], e.device_id, e.if_index or 0))

    def at(self, place: Place) -> list[Learned]:
        """The entries learned at a registered place (the whole device when no port is registered)."""
        entries = self.by_device.get(place.device_id, [])
        if place.port is None:
            return list(entries)
        if place.if_index is not None:
            return [e for e in entries if e.if_index == place.if_index]
        return [e for e in entries if same_port(place.port, e)]


def _place(entry: Learned) -> Place:
    return Place(
        entry.device_id, entry.port or (str(entry.if_index) if entry.if_index is not None else None), entry.if_index
    )


def reconcile(
    registered: Sequence[Registered],
    read: set[int],
    learned: Sequence[Learned],
    resolved: Sequence[Resolved],
    answered: Sequence[Answered],
) -> Reconciliation:
    """Compare the registry with the tables of the devices in ``read`` and the WS-Discovery answers."""
    network = _Network(learned, resolved)
    # Whose each MAC is: the observed ones first, then the one a router resolves a device's host to.
    owner: dict[str, int] = {}
    for device in registered:
        if device.mac is not None:
            owner.setdefault(device.mac, device.id)
    for device in registered:
        by_host = network.mac_of_ip.get(device.host)
        if device.mac is None and by_host is not None:
            owner.setdefault(by_host, device.id)
    known_mac = {device_id: mac for mac, device_id in sorted(owner.items(), reverse=True)}
    answering = {a.address for a in answered} | {h for a in answered for h in map(_host_of, a.xaddrs) if h}
    result = Reconciliation()
    explained: set[str] = set()
    for device in sorted(registered, key=lambda d: d.id):
        if device.uplink_id is None or device.uplink_id not in read:
            continue
        where = Place(device.uplink_id, device.uplink_port, device.uplink_if_index)
        mac = known_mac.get(device.id)
        if mac is not None and mac in network.by_mac:
            if not any(e in network.at(where) for e in network.by_mac[mac]):
                result.moved.append(Moved(device.id, mac, where, _place(network.edge(network.by_mac[mac]))))
            continue
        if mac is not None and mac in network.ip_of_mac:
            continue  # a router knows it, no switch that was read learned it: nothing to say about its port
        strangers = [e for e in network.at(where) if e.mac not in owner and e.mac not in explained]
        if device.uplink_port is not None and strangers:
            found = network.edge(strangers).mac
            explained.add(found)
            if mac is not None:
                result.swapped.append(Swapped(device.id, where, mac, found))
            continue
        if device.host in network.mac_of_ip or device.host in answering:
            continue
        result.missing.append(Missing(device.id, where))
    result.unregistered.extend(_unregistered(network, owner, explained, answered, {d.host for d in registered}))
    return result


def _unregistered(
    network: _Network, owner: dict[str, int], explained: set[str], answered: Sequence[Answered], hosts: set[str]
) -> list[Unregistered]:
    found: dict[str, Unregistered] = {}
    for mac in sorted(set(network.by_mac) | set(network.ip_of_mac)):
        if mac in owner or mac in explained:
            continue
        entries = network.by_mac.get(mac)
        seen_by = tuple(s for s, yes in ((FORWARDING, entries), (NEIGHBOUR, mac in network.ip_of_mac)) if yes)
        place = _place(network.edge(entries)) if entries else None
        found[mac] = Unregistered(mac, network.ip_of_mac.get(mac), place, seen_by)
    by_address: list[Unregistered] = []
    for answer in sorted(answered, key=lambda a: (a.address, a.endpoint)):
        offered = {h for h in map(_host_of, answer.xaddrs) if h}
        if answer.address in hosts or offered & hosts:
            continue
        at = network.mac_of_ip.get(answer.address)
        if at is not None and at in owner:
            continue
        if at is not None and at in found:
            seen = found[at]
            found[at] = Unregistered(seen.mac, seen.ip, seen.place, (*seen.seen_by, WS_DISCOVERY), answer.xaddrs)
        elif at is None or at not in explained:
            by_address.append(Unregistered(at, answer.address, None, (WS_DISCOVERY,), answer.xaddrs))
    return [*found.values(), *by_address]
