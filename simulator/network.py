"""The simulated network: which device hangs on which port of which network device, and what follows from it.

A device goes dark (its sockets close) when its uplink is switched off or dark, when the link of its port is down,
or when it loses power: PoE off on its port, its PoE switch or injector off, its UPS's battery empty. A device that
lost power reboots when power comes back; so do the PoE devices of a switch that reboots, whose ports flap. The
network devices' tables (simulator/netmib.py) follow, and one with a `trap_to` sends linkDown/linkUp for each port
whose link changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pysnmp.proto import rfc1902

from simulator.netmib import IF_ENTRY, Neighbour, Port, build_network_mib, port_descr, port_name
from simulator.spec import CameraSpec, FleetFileError

if TYPE_CHECKING:
    from simulator.camera import SimulatedCamera

_POE_TYPES = frozenset({"switch", "poe_injector"})


def port_index(spec: CameraSpec, text: str) -> int:
    """The ifIndex of a network device's port written as a number or as its ifName or ifDescr."""
    wanted = text.strip().lower()
    for index in range(1, spec.port_count + 1):
        if wanted in (str(index), port_name(index).lower(), port_descr(index).lower()):
            return index
    raise FleetFileError(f"uplink_port: {spec.name} has no port {text!r} (1 to {spec.port_count}, or Gi1/0/N)")


class Network:
    """The tree of the fleet's devices by uplink, and its effects on them."""

    def __init__(self, cameras: Mapping[str, SimulatedCamera]) -> None:
        self._cameras = cameras
        self.behind: dict[str, dict[int, SimulatedCamera]] = {
            name: {} for name, camera in cameras.items() if camera.device.spec.is_network
        }
        self.uplink: dict[str, tuple[SimulatedCamera, int]] = {}
        for camera in cameras.values():
            spec = camera.device.spec
            if not spec.uplink_device:
                continue
            parent = cameras.get(spec.uplink_device)
            if parent is None or not parent.device.spec.is_network:
                raise FleetFileError(f"{spec.name}: uplink_device: {spec.uplink_device!r} is no network device here")
            try:
                index = port_index(parent.device.spec, spec.uplink_port)
            except FleetFileError as error:
                raise FleetFileError(f"{spec.name}: {error}") from None
            taken = self.behind[parent.name].setdefault(index, camera)
            if taken is not camera:
                raise FleetFileError(f"{spec.name}: uplink_port: port {index} of {parent.name} is {taken.name}'s")
            self.uplink[spec.name] = (parent, index)
        self._order = sorted(cameras.values(), key=self._depth)
        self._links: dict[tuple[str, int], bool] = {}
        self._boots = {name: cameras[name].state.boots for name in self.behind}

    def _depth(self, camera: SimulatedCamera) -> int:
        depth, seen = 0, {camera.name}
        while camera.name in self.uplink:
            camera = self.uplink[camera.name][0]
            if camera.name in seen:
                raise FleetFileError(f"{camera.name}: uplink_device: the uplinks make a loop")
            seen.add(camera.name)
            depth += 1
        return depth

    def below(self, name: str) -> list[SimulatedCamera]:
        """Every device behind a network device, at any depth."""
        found: list[SimulatedCamera] = []
        for child in self.behind.get(name, {}).values():
            found += [child, *self.below(child.name)]
        return found

    async def apply(self) -> None:
        """Bring every device in line with its uplinks' state: dark or not, powered or not; rebuild the tables."""
        if not self.behind:
            return
        powered: dict[str, bool] = {}
        reachable: dict[str, bool] = {}
        flapped = {name for name, boots in self._boots.items() if self._cameras[name].state.boots != boots}
        for camera in self._order:
            link = self.uplink.get(camera.name)
            if link is None:
                powered[camera.name] = reachable[camera.name] = True
                continue
            parent, index = link
            state, kind = parent.state, parent.device.spec.device_type
            on = powered[parent.name] and not state.offline
            if kind == "ups":
                power = powered[parent.name] and not (state.on_battery and state.battery_charge == 0)
                reach = power
            else:
                power = on and index not in state.poe_off if kind in _POE_TYPES else True
                reach = power and on and reachable[parent.name] and index not in state.ports_down
            powered[camera.name], reachable[camera.name] = power, reach
            cycled = parent.name in flapped and kind in _POE_TYPES
            await self._follow(camera, dark=not reach, unpowered=not power, power_cycled=cycled)
        self._boots = {name: self._cameras[name].state.boots for name in self.behind}
        for name in self.behind:
            self._rebuild(self._cameras[name], powered, name in flapped)

    async def _follow(self, camera: SimulatedCamera, *, dark: bool, unpowered: bool, power_cycled: bool) -> None:
        state = camera.state
        restored = state.unpowered and not unpowered
        state.unpowered = unpowered
        if dark == state.dark and not (power_cycled and not dark):
            return
        state.dark = dark
        if dark:
            await camera.stop()
            return
        if restored or power_cycled:
            await camera.power_on()
        else:
            await camera.start()

    def _rebuild(self, device: SimulatedCamera, powered: Mapping[str, bool], flapped: bool) -> None:
        state, spec = device.state, device.device.spec
        ports: list[Port] = []
        neighbours: list[Neighbour] = []
        for index in range(1, spec.port_count + 1):
            child = self.behind[device.name].get(index)
            up = child is not None and powered[child.name] and index not in state.ports_down
            live = [] if child is None or not up else [c for c in (child, *self.below(child.name)) if not c.state.dark]
            macs = [c.device.identity.mac for c in live]
            neighbours += [Neighbour(index, c.device.spec.host, c.device.identity.mac) for c in live]
            poe = index not in state.poe_off
            alias = child.name if child is not None else ""
            errors = child.state.if_in_errors if child is not None else 0
            ports.append(Port(index, up, poe, up and poe and child is not None, alias, errors, macs))
            self._link_changed(device, index, up, flapped)
        device.snmp.mib = build_network_mib(device.device, ports, neighbours)

    def _link_changed(self, device: SimulatedCamera, index: int, up: bool, flapped: bool) -> None:
        before = self._links.get((device.name, index))
        self._links[(device.name, index)] = up
        if flapped and up:
            self._link_trap(device, index, False)
        if before is not None and before != up or flapped and up:
            self._link_trap(device, index, up)

    @staticmethod
    def _link_trap(device: SimulatedCamera, index: int, up: bool) -> None:
        status = rfc1902.Integer32(1 if up else 2)
        varbinds = [
            ((*IF_ENTRY, 1, index), rfc1902.Integer32(index)),
            ((*IF_ENTRY, 7, index), rfc1902.Integer32(1)),
            ((*IF_ENTRY, 8, index), status),
        ]
        device.send_trap("linkUp" if up else "linkDown", varbinds)
