"""Test set-up: the same suite on SQLite and PostgreSQL, each test on a clean, migrated database."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from api.app import create_app
from config.settings import Settings
from fleet import schema
from fleet.crypto import CredentialCipher, load_key
from fleet.db import Base, Database
from fleet.incidents.models import IncidentCategory
from fleet.incidents.shipped import shipped_rows
from fleet.users.models import Role
from tests.builders import make_user

CAMFLEET = str(Path(sys.executable).parent / "camfleet")
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/test"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
TEST_DATA = Path(__file__).resolve().parent / "data"


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist"):
        from tests.parallel import Parallel  # which tests share a worker under `pytest -n N` (make test)

        config.pluginmanager.register(Parallel(), "camfleet-parallel")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine_name" in metafunc.fixturenames:
        metafunc.parametrize(
            "engine_name", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], scope="session"
        )


@pytest.fixture(scope="session")
def test_data() -> Path:
    """The test data folder inside the repository (tests/data, each file's origin in its README)."""
    return TEST_DATA


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once by Alembic; every test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    schema.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of its own for this run on the local PostgreSQL, migrated by Alembic, dropped at the end."""
    if not _postgres_reachable():
        reason = f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}, and CI=true requires the PostgreSQL tests to run")
        pytest.skip(f"{reason}; the PostgreSQL half of the suite is skipped on this machine")
    name = f"camfleet_test_{uuid.uuid4().hex[:10]}"

    async def admin(statement: str) -> None:
        engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(statement))
        await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    try:
        schema.upgrade(url)
        yield url
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def database_url(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if engine_name == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "camfleet.db"
        shutil.copy(template, target)  # with its mode: 0600, as camfleet creates it
        return f"sqlite+aiosqlite:///{target}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url, secret_key=TEST_SECRET)


@pytest_asyncio.fixture
async def database(settings: Settings, engine_name: str) -> AsyncIterator[Database]:
    db = Database(settings)
    if engine_name == "postgresql":
        # TRUNCATE does not fire row triggers, so the append-only audit log can be emptied between tests.
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        async with db.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            # What migrations ship as data comes back, as every SQLite test gets it from the migrated template.
            await connection.execute(IncidentCategory.__table__.insert(), shipped_rows())
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def cipher(settings: Settings) -> CredentialCipher:
    return CredentialCipher(load_key(settings))


@pytest_asyncio.fixture
async def client(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the real application in-process."""
    app = create_app(settings, database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://camfleet.test") as http:
        yield http


@pytest_asyncio.fixture
async def tokens(database: Database) -> dict[Role, str]:
    """One API token for each role."""
    found: dict[Role, str] = {}
    async with database.unit_of_work() as session:
        for role in Role:
            _user, found[role] = await make_user(session, role, username=f"user-{role.value}")
    return found


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment for a ``camfleet`` process using this test's migrated database."""
    plain_url = database_url.replace("+aiosqlite", "").replace("+asyncpg", "")
    return {
        **os.environ,
        "CAMFLEET_DATA_DIR": str(tmp_path / "var"),
        "CAMFLEET_DATABASE_URL": plain_url,
        "CAMFLEET_CONFIG": "",
        "CAMFLEET_SCHEDULER__DEVICE_TIMEOUT": "3s",
        "COLUMNS": "200",
    }


def run_cli(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``camfleet`` as a user would, and return what it did."""
    return subprocess.run([CAMFLEET, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120)
