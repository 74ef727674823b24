"""``camfleet users`` and ``camfleet tokens`` for managing accounts, through the real command (in-process, so the
suite stays quick; test_cli.py runs the installed command as a process): output, exit codes, one-line errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from click.testing import Result
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from cli import app
from config.settings import Settings
from fleet.audit.models import AuditEntry
from fleet.db import Database
from fleet.users import service as users
from fleet.users.models import Role
from tests.builders import make_user

Run = Callable[..., Result]
T = TypeVar("T")


@pytest.fixture
def camfleet(env: dict[str, str], database: Database) -> Run:
    """Run a camfleet command line against this test's database; returns the result (stdout, stderr, exit code)."""
    runner = CliRunner()
    settings_env = {k: v for k, v in env.items() if k.startswith("CAMFLEET_")}

    def run(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=stdin, env=settings_env, catch_exceptions=False)

    return run


def _in_a_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run work in one transaction on a database connection of its own (the test is not async: the commands run
    their own event loops, and connections stay with the loop that opened them)."""

    async def run() -> T:
        database = Database(settings)
        try:
            async with database.unit_of_work() as session:
                return await work(session)
        finally:
            await database.dispose()

    return asyncio.run(run())


def _audit(settings: Settings) -> list[AuditEntry]:
    async def read(session: AsyncSession) -> list[AuditEntry]:
        return list((await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())

    return _in_a_session(settings, read)


def _authenticates(settings: Settings, token: str) -> bool:
    async def check(session: AsyncSession) -> bool:
        return await users.user_for_token(session, token) is not None

    return _in_a_session(settings, check)


def test_users_list_deactivate_activate_set_role(camfleet: Run, settings: Settings) -> None:
    password = "kade-lantaarn-venlo\n"
    made = camfleet("users", "create", "anna", "--role", "technician", "--password-stdin", stdin=password)
    assert made.exit_code == 0, made.stderr
    token = camfleet("tokens", "create", "anna").stdout.split()[-1]
    assert camfleet("users", "create", "beheer", "--role", "admin").exit_code == 0  # token-only

    listed = json.loads(camfleet("users", "list", "--json").stdout)
    assert [(u["username"], u["role"], u["is_active"]) for u in listed] == [
        ("anna", "technician", True),
        ("beheer", "admin", True),
    ]
    assert "password" not in json.dumps(listed)
    table = camfleet("users", "list")
    assert table.exit_code == 0 and "2 users" in table.stdout and "technician" in table.stdout

    off = camfleet("users", "deactivate", "anna")
    assert off.exit_code == 0 and "deactivated user anna" in off.stdout
    assert not _authenticates(settings, token)
    assert json.loads(camfleet("users", "list", "--json").stdout)[0]["is_active"] is False
    assert camfleet("users", "activate", "anna").exit_code == 0
    assert _authenticates(settings, token)

    role = camfleet("users", "set-role", "anna", "coordinator")
    assert role.exit_code == 0 and role.stdout.strip() == "user anna is now coordinator"
    assert json.loads(camfleet("users", "list", "--json").stdout)[0]["role"] == "coordinator"

    last = camfleet("users", "set-role", "beheer", "viewer")
    assert last.exit_code == 1 and last.stderr.strip() == (
        "error: beheer is the last active admin; make another admin first"
    )
    for args in (("deactivate", "nobody"), ("activate", "nobody"), ("set-role", "nobody", "viewer")):
        unknown = camfleet("users", *args)
        assert unknown.exit_code == 1 and unknown.stderr.strip() == "error: user nobody not found"
    assert camfleet("users", "set-role", "anna", "boss").exit_code == 2  # a usage error names the roles

    actions = [(e.actor.split(":")[0], e.action, e.target_type) for e in _audit(settings)]
    for action in ("user.deactivate", "user.activate", "user.role"):
        assert ("cli", action, "user") in actions


def test_users_set_password(camfleet: Run, settings: Settings) -> None:
    assert camfleet("users", "create", "piet", "--role", "viewer", "--password-stdin", stdin="eerste-wachtwoord-1\n")
    for weak, reason in (
        ("kort\n", "error: password: the password must be at least 12 characters long"),
        ("Piet-en-de-camera\n", "error: password: the password must not contain the user name"),
        ("password123456\n", "error: password: the password is one of the most common passwords; choose another"),
    ):
        refused = camfleet("users", "set-password", "piet", "--password-stdin", stdin=weak)
        assert refused.exit_code == 1 and refused.stderr.strip() == reason
    empty = camfleet("users", "set-password", "piet", "--password-stdin", stdin="\n")
    assert empty.exit_code == 1 and empty.stderr.strip() == "error: no password on standard input"
    no_stdin = camfleet("users", "set-password", "piet")
    assert no_stdin.exit_code == 1 and "--password-stdin" in no_stdin.stderr
    unknown = camfleet("users", "set-password", "nobody", "--password-stdin", stdin="tweede-wachtwoord-2\n")
    assert unknown.exit_code == 1 and unknown.stderr.strip() == "error: user nobody not found"

    done = camfleet("users", "set-password", "piet", "--password-stdin", stdin="tweede-wachtwoord-2\n")
    assert done.exit_code == 0, done.stderr

    async def check(session: AsyncSession) -> tuple[bool, bool]:
        new = await users.authenticate(session, "piet", "tweede-wachtwoord-2")
        old = await users.authenticate(session, "piet", "eerste-wachtwoord-1")
        return new is not None, old is not None

    assert _in_a_session(settings, check) == (True, False)
    entries = [e for e in _audit(settings) if e.action == "user.password"]
    assert len(entries) == 1 and "tweede" not in str(entries[0].after)


def test_tokens_list_revoke_and_expiry(camfleet: Run, settings: Settings) -> None:
    async def seed(session: AsyncSession) -> None:
        await make_user(session, Role.ADMIN, username="beheer")

    _in_a_session(settings, seed)
    made = camfleet("tokens", "create", "grafana", "--role", "viewer", "--label", "dashboards")
    assert made.exit_code == 0 and " expires " in made.stdout
    service = camfleet("tokens", "create", "grafana", "--no-expiry", "--label", "scraper")
    assert service.exit_code == 0 and "never expires" in service.stdout
    expiring, forever = made.stdout.split()[-1], service.stdout.split()[-1]

    everyone = json.loads(camfleet("tokens", "list", "--json").stdout)
    assert len(everyone) == 3
    listed = json.loads(camfleet("tokens", "list", "grafana", "--json").stdout)
    assert [(t["name"], t["state"]) for t in listed] == [("scraper", "active"), ("dashboards", "active")]
    assert listed[0]["expires_at"] is None and listed[1]["expires_at"] is not None
    assert {"token", "token_hash"}.isdisjoint(listed[0]) and expiring not in json.dumps(listed)
    table = camfleet("tokens", "list", "grafana")
    assert table.exit_code == 0 and "never" in table.stdout and "2 tokens" in table.stdout

    revoked = camfleet("tokens", "revoke", str(listed[0]["id"]))
    assert revoked.exit_code == 0 and revoked.stdout.strip() == f"token {listed[0]['id']} of grafana (scraper) revoked"
    assert not _authenticates(settings, forever) and _authenticates(settings, expiring)
    states = [t["state"] for t in json.loads(camfleet("tokens", "list", "grafana", "--json").stdout)]
    assert states == ["revoked", "active"]

    unknown = camfleet("tokens", "revoke", "987654")
    assert unknown.exit_code == 1 and unknown.stderr.strip() == "error: token 987654 not found"
    assert camfleet("tokens", "revoke", "99999999999").exit_code == 2  # beyond any row id: a usage error
    nobody = camfleet("tokens", "list", "nobody")
    assert nobody.exit_code == 1 and nobody.stderr.strip() == "error: user nobody not found"
    revokes = [e for e in _audit(settings) if e.action == "token.revoke"]
    assert len(revokes) == 1 and forever not in str(revokes[0].after)
