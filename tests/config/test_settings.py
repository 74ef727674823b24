"""Settings: defaults, then TOML, then CAMFLEET_* environment; durations; URLs; secrets."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from config.durations import format_duration, parse_duration
from config.settings import Settings
from fleet.crypto import CredentialCipher, CredentialKeyError, load_key


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("5m", 300),
        ("1h", 3600),
        ("7d", 604800),
        ("1h30m", 5400),
        ("250ms", 0.25),
        ("45", 45),
        (12, 12),
    ],
)
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["soon", "5 minutes", "-5s", "1x", "", "h"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_format_duration_round_trips() -> None:
    for text in ("30s", "5m", "1h", "7d", "25h"):
        assert format_duration(parse_duration(text)) == text


def test_precedence_defaults_toml_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "camfleet.toml"
    toml.write_text(
        '[scheduler]\nreachability_interval = "2m"\nhealth_interval = "10m"\n[faults]\nfailures_to_open = 4\n'
    )
    monkeypatch.setenv("CAMFLEET_CONFIG", str(toml))
    monkeypatch.setenv("CAMFLEET_SCHEDULER__REACHABILITY_INTERVAL", "5s")
    settings = Settings()
    assert settings.scheduler.reachability_interval == timedelta(seconds=5)  # env beats TOML
    assert settings.scheduler.health_interval == timedelta(minutes=10)  # TOML beats default
    assert settings.faults.failures_to_open == 4
    assert settings.faults.successes_to_close == 2  # default
    assert settings.faults.clock_drift_threshold == timedelta(seconds=5)
    assert settings.alerts.group_window == timedelta(minutes=2)


def test_missing_config_file_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CAMFLEET_CONFIG", str(tmp_path / "absent.toml"))
    with pytest.raises(FileNotFoundError, match="absent.toml"):
        Settings()


def test_unknown_setting_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "camfleet.toml"
    toml.write_text('[scheduler]\nreachabilty_interval = "2m"\n')
    monkeypatch.setenv("CAMFLEET_CONFIG", str(toml))
    with pytest.raises(ValidationError, match="reachabilty_interval"):
        Settings()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql://u@h:5432/db", "postgresql+asyncpg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_database_urls_map_to_async_drivers(url: str, expected: str) -> None:
    assert Settings(database_url=url).database_url == expected


def test_default_database_is_sqlite_in_data_dir(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).database_url == f"sqlite+aiosqlite:///{tmp_path}/camfleet.db"
    with pytest.raises(ValidationError, match="unsupported database"):
        Settings(database_url="mysql://u@h/db")


def test_placeholder_secrets_refused_outside_development() -> None:
    for bad in ("changeme", "secret", "short-key"):
        with pytest.raises(ValidationError, match="placeholder"):
            Settings(secret_key=bad)
    assert Settings(secret_key="changeme", environment="development").secret_key is not None


def test_key_file_is_created_once_and_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    key = load_key(settings)
    assert settings.key_file.stat().st_mode & 0o777 == 0o600
    assert load_key(settings) == key
    token = CredentialCipher(key).encrypt({"password": "pw"})
    assert CredentialCipher(load_key(settings)).decrypt(token) == {"password": "pw"}
    other = CredentialCipher(load_key(Settings(data_dir=tmp_path, secret_key="x" * 40)))
    with pytest.raises(CredentialKeyError, match="secret key or key file has changed"):
        other.decrypt(token)
