"""`camfleet discover`: find devices nobody registered (WS-Discovery probes on the interfaces a person listed)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from cli.root import command, err, fail, opened, out

app = typer.Typer(no_args_is_help=True)


@app.command("probe")
@command
async def discover_probe(
    interface: Annotated[
        list[str] | None,
        typer.Option(
            "--interface",
            help="An interface name or local IPv4 address (repeatable); default discovery.probe_interfaces.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The answers as a JSON list.")] = False,
) -> None:
    """Multicast a WS-Discovery Probe for ONVIF video transmitters on each interface, keep and list the answers."""
    # The collectors package loads the protocol libraries: only in the commands that talk to devices.
    from collectors.errors import Unreachable
    from scheduler.discovery import probe_and_record

    async with opened() as root:
        interfaces = interface or root.settings.discovery.probe_interfaces
        if not interfaces:
            fail(
                "no interface to probe: set discovery.probe_interfaces or give --interface (camfleet sends no "
                "multicast unless told where)"
            )
        try:
            results = await probe_and_record(root.database, root.settings, interfaces)
        except Unreachable as exc:
            fail(str(exc))
    matches = [m for r in results for m in r.matches]
    for result in results:
        for address, reason in sorted(result.refused.items()):
            err.print(f"refused an answer from {address}: {reason}", markup=False)
    if as_json:
        shown = [
            {"endpoint": m.endpoint, "address": m.address, "xaddrs": list(m.xaddrs), "scopes": list(m.scopes)}
            for m in matches
        ]
        out.print(json.dumps(shown, indent=2, ensure_ascii=False), markup=False)
        return
    table = Table("address", "endpoint", "xaddrs", title=f"{len(matches)} devices answered")
    for m in sorted(matches, key=lambda m: (m.address, m.endpoint)):
        table.add_row(m.address, m.endpoint, " ".join(m.xaddrs))
    out.print(table)


@app.command("tables")
@command
async def discover_tables(
    group: Annotated[str | None, typer.Option(help="Only the network devices of this poller group.")] = None,
) -> None:
    """Read the forwarding tables of switches and the neighbour (ARP) tables of routers now, as the scheduled
    discovery does (discovery.table_interval), and keep them."""
    from collectors.registry import Collectors
    from scheduler.discovery import read_network_tables

    async with opened() as root, Collectors.for_settings(root.settings) as collectors:
        done = await read_network_tables(root.database, root.settings, collectors, root.cipher, poller_group=group)
    for name, problem in sorted(done.failed.items()):
        err.print(f"{name}: {problem}", markup=False)
    out.print(f"read the tables of {done.read} network devices; {len(done.failed)} could not be read", markup=False)
