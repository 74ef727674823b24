"""A network namespace of a test's own, for multicast (WS-Discovery): nothing sent there reaches a real network.

The namespace holds a veth pair, ``wsd0`` (10.136.0.1, the prober's side) and ``wsd1`` (10.136.0.2 and .3, the
devices' side), and nothing else. Code runs inside it on a thread of its own: a network namespace belongs to a
thread (setns), so the sockets that thread opens are the namespace's and the rest of the test process stays where
it was. Needs root, as CI runs; without it the test fails rather than skips.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import secrets
import subprocess
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
_CLONE_NEWNET = 0x40000000
PROBER = "10.136.0.1"
DEVICES = ("10.136.0.2", "10.136.0.3")

_SETUP = (
    ("link", "add", "wsd0", "type", "veth", "peer", "name", "wsd1"),
    ("addr", "add", f"{PROBER}/24", "dev", "wsd0"),
    ("addr", "add", f"{DEVICES[0]}/24", "dev", "wsd1"),
    ("addr", "add", f"{DEVICES[1]}/24", "dev", "wsd1"),
    ("link", "set", "wsd0", "up"),
    ("link", "set", "wsd1", "up"),
    ("link", "set", "lo", "up"),
)


@contextmanager
def namespace() -> Iterator[str]:
    """A fresh named network namespace with the veth pair; deleted at the end."""
    name = f"camfleet-test-{os.getpid()}-{secrets.token_hex(3)}"
    subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
    try:
        for args in _SETUP:
            subprocess.run(["ip", "-n", name, *args], check=True, capture_output=True)
        # Both ends are this host's: let wsd1 take datagrams from wsd0's address (a "local" source is otherwise
        # dropped as martian) and answer back.
        settings = ("all/accept_local 1", "wsd1/accept_local 1", "all/rp_filter 0", "wsd1/rp_filter 0")
        script = "; ".join(f"echo {v} > /proc/sys/net/ipv4/conf/{k}" for k, v in (s.split() for s in settings))
        subprocess.run(["ip", "netns", "exec", name, "sh", "-ec", script], check=True, capture_output=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False, capture_output=True)


def run_inside(name: str, scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``scenario`` on its own event loop in a thread that has entered the namespace ``name``."""
    libc = ctypes.CDLL(None, use_errno=True)

    def enter_and_run() -> T:
        fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
        try:
            if libc.setns(fd, _CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), f"setns into {name} failed")
        finally:
            os.close(fd)
        return asyncio.run(scenario())

    # A thread used for this alone, ended with the block: no other work ever runs in the namespace.
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(enter_and_run).result()
