"""`camfleet users` and `camfleet tokens`: people, service accounts and their API tokens."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from cli.root import cli_actor, command, fail, out, unit_of_work
from fleet.users import service as users
from fleet.users.models import Role

users_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)


@users_app.command("create")
@command
async def users_create(
    name: Annotated[str, typer.Argument(help="The user name.")],
    role: Annotated[Role, typer.Option(help="viewer, auditor, technician, coordinator or admin.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    email: Annotated[str | None, typer.Option(help="For alerts and ticket mail.")] = None,
    language: Annotated[str, typer.Option(help="nl or en.")] = "nl",
) -> None:
    """Create a user; without a password it is a service account that only uses API tokens."""
    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("no password on standard input")
    elif sys.stdin.isatty():
        password = getpass.getpass("password (empty for a token-only account): ") or None
        if password is not None and getpass.getpass("again: ") != password:
            fail("the passwords differ")
    async with unit_of_work() as work:
        await users.create_user(
            work.session,
            actor=cli_actor(),
            username=name,
            role=role,
            password=password,
            email=email,
            language=language,
        )
    out.print(f"created user {name} ({role.value}{'' if password else ', token-only'})")


@tokens_app.command("create")
@command
async def tokens_create(
    name: Annotated[str, typer.Argument(help="The user the token acts as.")],
    label: Annotated[str, typer.Option(help="What the token is for, shown in the admin pages.")] = "cli",
    role: Annotated[
        Role | None,
        typer.Option(help="Create NAME as a token-only account with this role if it does not exist."),
    ] = None,
) -> None:
    """Create an API token; it is printed once, as the last word of the output."""
    async with unit_of_work() as work:
        user = await users.get_by_username(work.session, name)
        if user is None:
            if role is None:
                fail(f"no user {name}; create it with `camfleet users create` or pass --role")
            user = await users.create_user(work.session, actor=cli_actor(), username=name, role=role)
        _row, token = await users.create_token(work.session, actor=cli_actor(), user=user, name=label)
    out.print(f"token for {name} ({user.role.value}), shown once: {token}", markup=False)
