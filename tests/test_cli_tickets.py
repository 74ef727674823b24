"""``camfleet tickets`` as users run it: a real process, exit codes and one-line errors."""

from __future__ import annotations

import asyncio
import json
import subprocess

from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database, utcnow
from fleet.tickets import creation as tickets
from fleet.tickets.schemas import TicketIn
from fleet.users.models import Role
from tests.builders import TEST_ACTOR, make_camera, make_user
from tests.conftest import run_cli


async def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(run_cli, env, "tickets", *args)


async def test_list_show_assign_comment_resolve_close(
    env: dict[str, str], database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, name="VL-C001")
        await make_user(session, Role.TECHNICIAN, username="bram")
        ticket = await tickets.create(
            session,
            actor=TEST_ACTOR,
            data=TicketIn(camera_id=camera.id, title="Lens fogged up"),
            now=utcnow(),
            settings=settings,
        )
    number = str(ticket.id)

    listed = await run(env, "list")
    assert listed.returncode == 0 and "Lens fogged up" in listed.stdout and "VL-C001" in listed.stdout
    [item] = json.loads((await run(env, "list", "--json")).stdout)
    assert (item["id"], item["status"], item["priority"], item["assignee"]) == (ticket.id, "new", "p3", None)

    nobody = await run(env, "assign", number, "nobody")
    assert nobody.returncode == 1 and nobody.stderr.strip() == "error: user nobody not found"
    assigned = await run(env, "assign", number, "bram")
    assert assigned.returncode == 0, assigned.stderr
    assert f"ticket {number} [p3] assigned: Lens fogged up" in assigned.stdout and "assignee bram" in assigned.stdout
    commented = await run(env, "comment", number, "wiped and sealed the housing")
    assert commented.returncode == 0 and f"comment added to ticket {number}" in commented.stdout

    early = await run(env, "close", number)
    assert early.returncode == 1
    assert early.stderr.strip() == "error: cannot go from assigned to closed; allowed next: new, in_progress, resolved"
    assert "Traceback" not in early.stderr
    resolved = await run(env, "resolve", number, "--note", "dry again")
    assert resolved.returncode == 0 and "resolved" in resolved.stdout
    closed = await run(env, "close", number)
    assert closed.returncode == 0 and "closed" in closed.stdout

    shown = await run(env, "show", number)
    assert shown.returncode == 0
    assert "wiped and sealed the housing" in shown.stdout and "resolved -> closed" in shown.stdout
    detail = json.loads((await run(env, "show", number, "--json")).stdout)
    assert [e["kind"] for e in detail["history"]] == ["created", "assigned", "status", "comment", "status", "status"]

    assert "0 tickets" in (await run(env, "list")).stdout  # open ones only by default
    assert len(json.loads((await run(env, "list", "--all", "--json")).stdout)) == 1
    missing = await run(env, "show", "999")
    assert missing.returncode == 1 and missing.stderr.strip() == "error: ticket 999 not found"
    usage = await run(env, "show", "not-a-number")
    assert usage.returncode == 2
