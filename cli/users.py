"""`camfleet users` and `camfleet tokens`: people, service accounts and their API tokens."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from cli.root import cli_actor, command, fail, out, unit_of_work
from fleet.db import MAX_ROW_ID, utcnow
from fleet.users import accounts
from fleet.users import service as users
from fleet.users.models import Role
from fleet.users.passwords import PasswordPolicy
from fleet.users.schemas import TokenOut, UserOut

users_app = typer.Typer(no_args_is_help=True)
tokens_app = typer.Typer(no_args_is_help=True)

PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")]
AsJson = Annotated[bool, typer.Option("--json", help="The API's shape, as a JSON list.")]


def _read_password(from_stdin: bool, *, prompt: str, optional: bool) -> str | None:
    """The password from standard input (one line) or typed twice at a terminal; None if none was given."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("no password on standard input")
        return password
    if not sys.stdin.isatty():
        if optional:
            return None
        fail("give the password on standard input with --password-stdin")
    password = getpass.getpass(prompt) or None
    if password is None and not optional:
        fail("no password given")
    if password is not None and getpass.getpass("again: ") != password:
        fail("the passwords differ")
    return password


def _when(value: datetime | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"


def _print_json(rows: list[UserOut] | list[TokenOut]) -> None:
    out.print(json.dumps([r.model_dump(mode="json") for r in rows], indent=2, ensure_ascii=False), markup=False)


@users_app.command("create")
@command
async def users_create(
    name: Annotated[str, typer.Argument(help="The user name.")],
    role: Annotated[Role, typer.Option(help="viewer, auditor, observer, technician, coordinator or admin.")],
    password_stdin: PasswordStdin = False,
    email: Annotated[str | None, typer.Option(help="For alerts and ticket mail.")] = None,
    language: Annotated[str, typer.Option(help="nl or en.")] = "nl",
) -> None:
    """Create a user; without a password it is a service account that only uses API tokens."""
    password = _read_password(password_stdin, prompt="password (empty for a token-only account): ", optional=True)
    async with unit_of_work() as work:
        await users.create_user(
            work.session,
            actor=cli_actor(),
            username=name,
            role=role,
            password=password,
            policy=PasswordPolicy.of(work.settings.web),
            email=email,
            language=language,
        )
    out.print(f"created user {name} ({role.value}{'' if password else ', token-only'})")


@users_app.command("list")
@command
async def users_list(as_json: AsJson = False) -> None:
    """List the users with their roles and whether they are active."""
    async with unit_of_work() as work:
        shaped = [UserOut.model_validate(u) for u in await users.list_users(work.session)]
    if as_json:
        _print_json(shaped)
        return
    table = Table("name", "role", "active", "language", "email", "created", title=f"{len(shaped)} users")
    for u in shaped:
        created = u.created_at.strftime("%Y-%m-%d %H:%M")
        table.add_row(u.username, u.role.value, "yes" if u.is_active else "no", u.language, u.email or "", created)
    out.print(table)


@users_app.command("deactivate")
@command
async def users_deactivate(name: Annotated[str, typer.Argument(help="The user name.")]) -> None:
    """Deactivate a user: their browser sessions end and their tokens stop working at once."""
    async with unit_of_work() as work:
        await accounts.set_active(work.session, actor=cli_actor(), username=name, active=False)
    out.print(f"deactivated user {name}; their sessions ended and their tokens no longer work", markup=False)


@users_app.command("activate")
@command
async def users_activate(name: Annotated[str, typer.Argument(help="The user name.")]) -> None:
    """Reactivate a user (tokens that have not expired or been revoked work again)."""
    async with unit_of_work() as work:
        await accounts.set_active(work.session, actor=cli_actor(), username=name, active=True)
    out.print(f"activated user {name}", markup=False)


@users_app.command("set-role")
@command
async def users_set_role(
    name: Annotated[str, typer.Argument(help="The user name.")],
    role: Annotated[Role, typer.Argument(help="viewer, auditor, observer, technician, coordinator or admin.")],
) -> None:
    """Change a user's role; it applies to their next request."""
    async with unit_of_work() as work:
        await accounts.set_role(work.session, actor=cli_actor(), username=name, role=role)
    out.print(f"user {name} is now {role.value}", markup=False)


@users_app.command("set-password")
@command
async def users_set_password(
    name: Annotated[str, typer.Argument(help="The user name.")], password_stdin: PasswordStdin = False
) -> None:
    """Set or reset a user's password (the password policy applies); their browser sessions end."""
    password = _read_password(password_stdin, prompt="new password: ", optional=False)
    assert password is not None
    async with unit_of_work() as work:
        policy = PasswordPolicy.of(work.settings.web)
        await accounts.set_password(work.session, actor=cli_actor(), username=name, password=password, policy=policy)
    out.print(f"password of {name} set; their browser sessions ended", markup=False)


@tokens_app.command("create")
@command
async def tokens_create(
    name: Annotated[str, typer.Argument(help="The user the token acts as.")],
    label: Annotated[str, typer.Option(help="What the token is for, shown in the admin pages.")] = "cli",
    role: Annotated[
        Role | None,
        typer.Option(help="Create NAME as a token-only account with this role if it does not exist."),
    ] = None,
    no_expiry: Annotated[
        bool, typer.Option("--no-expiry", help="Never expires (a service account's); else api.token_lifetime.")
    ] = False,
) -> None:
    """Create an API token; it is printed once, as the last word of the output."""
    async with unit_of_work() as work:
        user = await users.get_by_username(work.session, name)
        if user is None:
            if role is None:
                fail(f"no user {name}; create it with `camfleet users create` or pass --role")
            policy = PasswordPolicy.of(work.settings.web)
            user = await users.create_user(work.session, actor=cli_actor(), username=name, role=role, policy=policy)
        expires_at = users.token_expiry(work.settings.api.token_lifetime, now=utcnow(), no_expiry=no_expiry)
        row, token = await users.create_token(
            work.session, actor=cli_actor(), user=user, name=label, expires_at=expires_at
        )
    until = f"expires {row.expires_at:%Y-%m-%d %H:%M} UTC" if row.expires_at else "never expires"
    out.print(f"token {row.id} for {name} ({user.role.value}, {until}), shown once: {token}", markup=False)


@tokens_app.command("list")
@command
async def tokens_list(
    name: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None, as_json: AsJson = False
) -> None:
    """List API tokens (never the token itself): whose, what for, expiry, last use, revoked."""
    now = utcnow()
    async with unit_of_work() as work:
        shaped = [TokenOut.of(t, now=now) for t in await users.list_tokens(work.session, name)]
    if as_json:
        _print_json(shaped)
        return
    table = Table(
        "id", "user", "for", "prefix", "state", "created", "expires", "last used", title=f"{len(shaped)} tokens"
    )
    for t in shaped:
        expires = _when(t.expires_at) or "never"
        table.add_row(
            str(t.id), t.username, t.name, t.prefix + "…", t.state, _when(t.created_at), expires, _when(t.last_used_at)
        )
    out.print(table)


@tokens_app.command("revoke")
@command
async def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see `tokens list`).", min=1, max=MAX_ROW_ID)],
) -> None:
    """Revoke a token: its next request is refused."""
    async with unit_of_work() as work:
        row = await users.revoke_token(work.session, actor=cli_actor(), token_id=token_id, now=utcnow())
        username = row.user.username
    out.print(f"token {token_id} of {username} ({row.name}) revoked", markup=False)
