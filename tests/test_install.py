"""camfleet installed as users install it: `pip install .` into a fresh virtual environment, not editable.

The wheel is built from this checkout and installed without its dependencies into a new venv that borrows the
test venv's packages through a path entry (so no registry is asked). Every command then runs from a folder outside
the checkout, so what works here works only because the wheel ships it: migrations, templates, static files,
catalogues, the demo fleet.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.waiting import wait_until

pytestmark = pytest.mark.processes

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# What a checkout holds beside its tracked files (.gitignore): never part of a wheel.
LOCAL_ONLY = (
    ".git",
    ".venv*",
    "var",
    "build",
    "*.egg-info",
    "__pycache__",
    "test-artifacts",
    ".*_cache",
    "camfleet.toml",
)
HOST = "127.92.0.1"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh venv with camfleet installed from a wheel of this checkout."""
    where = tmp_path_factory.mktemp("install")
    # Built from a copy, so the checkout gets no build/ folder whose stale files a later wheel would pick up.
    source = where / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*LOCAL_ONLY))
    wheels = where / "wheels"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    target = where / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True
    ).stdout.strip()
    # Dependencies from the test venv, after the fresh venv's own packages; its .pth files (the editable
    # install of this checkout) are not read from a folder added this way.
    Path(site, "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(wheels.glob("camfleet-*.whl"))
    done = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return target / "bin"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the installed camfleet runs in, outside the checkout."""
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def env(home: Path) -> dict[str, str]:
    """Settings of a new installation: its own data folder, nothing from the checkout."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("CAMFLEET_") and k != "PYTHONPATH"},
        "CAMFLEET_DATA_DIR": str(home / "var"),
        "CAMFLEET_CONFIG": "",
    }


def _camfleet(bin_dir: Path, env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([bin_dir / "camfleet", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=180)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served(installed: Path, env: dict[str, str], home: Path) -> Iterator[str]:
    """`camfleet serve` of the installed package on a database it migrated itself; its base URL."""
    upgraded = _camfleet(installed, env, home, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    port = _free_port()
    process = subprocess.Popen(
        [installed / "camfleet", "serve", "--host", HOST, "--port", str(port), "--no-scheduler"],
        env=env,
        cwd=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://{HOST}:{port}"
    try:
        wait_until(lambda: _answers(f"{base}/api/v1/health"), timeout=60, what=f"{base} to answer")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_the_installed_package_runs_from_its_own_files(installed: Path, env: dict[str, str], home: Path) -> None:
    where = subprocess.run(
        [installed / "python", "-c", "import fleet, api, config; print(fleet.__file__, api.__file__, config.__file__)"],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
    )
    assert where.returncode == 0, where.stderr
    assert all(path.startswith(str(installed.parent)) for path in where.stdout.split()), where.stdout
    assert ROOT.as_posix() not in where.stdout


def test_installed_db_upgrade_and_reports(installed: Path, env: dict[str, str], home: Path, served: str) -> None:
    assert (home / "var" / "camfleet.db").exists()  # made by `camfleet db upgrade` for the server
    chapter = home / "chapter.html"
    annual = _camfleet(
        installed, env, home, "report", "annual", "--year", "2026", "--format", "html", "--output", str(chapter)
    )
    assert annual.returncode == 0, annual.stderr
    assert "<table" in chapter.read_text(encoding="utf-8")


def test_installed_serve_has_pages_and_an_offline_openapi_page(served: str) -> None:
    with httpx.Client(base_url=served, timeout=10) as http:
        assert http.get("/login").status_code == 200
        docs = http.get("/docs")
        assert docs.status_code == 200
        assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", docs.text)
        assert assets, docs.text
        for asset in assets:
            assert asset.startswith("/"), f"/docs loads {asset} from elsewhere"
            assert http.get(asset).status_code == 200, asset
        assert http.get("/openapi.json").json()["info"]["title"] == "camfleet"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make install)")
async def test_installed_openapi_page_renders_in_a_browser_without_the_internet(served: str) -> None:
    from playwright.async_api import async_playwright

    requested: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = await browser.new_page()
        page.on("request", lambda request: requested.append(request.url))
        await page.goto(f"{served}/docs")
        operations = page.locator(".opblock")
        await operations.first.wait_for(timeout=30_000)
        assert await operations.count() > 20
        await browser.close()
    assert [url for url in requested if not url.startswith(served)] == []


def test_installed_demo_serves_the_simulated_fleet(installed: Path, env: dict[str, str], home: Path) -> None:
    port, control = _free_port(), _free_port()
    process = subprocess.Popen(
        [installed / "camfleet", "demo", "--port", str(port), "--control", str(control)],
        env=env,
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        printed = {}
        for line in process.stdout:
            if "login admin / " in line:
                printed["password"] = line.split()[-1]
            if "admin token:" in line:
                printed["token"] = line.split()[-1]
                break
        assert printed.keys() == {"password", "token"}, f"the demo printed no login or no token: {printed}"
        headers = {"Authorization": f"Bearer {printed['token']}"}
        base = f"http://127.0.0.1:{port}"

        def some_camera_up() -> bool:
            try:
                listed = httpx.get(f"{base}/api/v1/cameras?status=up&size=1", headers=headers, timeout=5)
            except httpx.TransportError:
                return False
            return listed.status_code == 200 and listed.json()["total"] > 0

        wait_until(some_camera_up, timeout=180, what="the installed demo to poll a simulated camera up")
        assert httpx.get(f"{base}/api/v1/cameras?size=1", headers=headers, timeout=5).json()["total"] == 70
        with httpx.Client(base_url=base, timeout=10) as pages:
            form = pages.get("/login")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
            assert csrf is not None
            login = {"username": "admin", "password": printed["password"], "csrf_token": csrf[1]}
            assert pages.post("/login", data=login).status_code == 303
            assert pages.get("/").status_code == 200 and "VL-F0" in pages.get("/cameras").text
    finally:
        process.terminate()
        process.wait(timeout=30)
