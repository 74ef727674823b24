"""camfleet settings: defaults, then a TOML file, then ``CAMFLEET_*`` environment variables."""

from __future__ import annotations

import os
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from config.durations import Duration

# Values people paste from examples: never acceptable as a real key outside development.
PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "change_me", "secret", "placeholder", "example", "camfleet", "xxx", "todo"}
)
MIN_SECRET_LENGTH = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class _Section(BaseModel):
    # A misspelt setting must fail loudly, not be ignored.
    model_config = ConfigDict(extra="forbid")


class SchedulerSettings(_Section):
    reachability_interval: Duration = timedelta(seconds=60)
    health_interval: Duration = timedelta(minutes=5)
    identity_interval: Duration = timedelta(hours=24)
    image_interval: Duration = timedelta(hours=1)
    device_timeout: Duration = timedelta(seconds=10)
    tick: Duration = timedelta(seconds=5)
    batch_size: int = Field(default=500, ge=1, le=100_000)
    concurrency: int = Field(default=200, ge=1, le=10_000)
    # The identity check parses several SOAP answers with zeep (about 25 ms of CPU per camera): fewer at once.
    identity_concurrency: int = Field(default=20, ge=1, le=10_000)
    jitter: float = Field(default=0.1, ge=0, le=0.5, description="fraction of the interval")
    max_backoff: Duration = timedelta(minutes=30)


class FaultSettings(_Section):
    failures_to_open: int = Field(default=3, ge=1, le=100)
    successes_to_close: int = Field(default=2, ge=1, le=100)
    clock_drift_threshold: Duration = timedelta(seconds=5)
    temperature_threshold_c: float = Field(default=70.0, ge=0, le=150)
    # Flapping over the last 21 results, Icinga's default thresholds (weighted share of state changes).
    flap_start: float = Field(default=0.5, gt=0, le=1)
    flap_stop: float = Field(default=0.25, ge=0, lt=1)
    # So many cameras of one poller group offline together are one group outage.
    group_share: float = Field(default=0.5, gt=0, le=1)
    group_minimum: int = Field(default=3, ge=2)


class AlertSettings(_Section):
    # Faults opening within this window for one channel go out as one message (a dead switch: one e-mail).
    group_window: Duration = timedelta(minutes=2)
    escalate_after: Duration = timedelta(minutes=30)
    dispatch_interval: Duration = timedelta(seconds=5)
    send_timeout: Duration = timedelta(seconds=30)
    retry_base: Duration = timedelta(seconds=30)
    retry_max: Duration = timedelta(hours=1)
    max_attempts: int = Field(default=20, ge=1, le=1000)
    language: Literal["nl", "en"] = "nl"


class RetentionSettings(_Section):
    raw_results: Duration = timedelta(days=30)


class ApiSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    page_size_max: int = Field(default=500, ge=1, le=10_000)


def _to_async_url(url: str) -> str:
    """Map a plain database URL to the async driver SQLAlchemy needs."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"{url!r} is not a database URL (expected e.g. sqlite:///camfleet.db)")
    base = scheme.split("+", 1)[0].lower()
    if base == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    if base in {"postgresql", "postgres"}:
        return f"postgresql+asyncpg://{rest}"
    raise ValueError(f"unsupported database {scheme!r}: use sqlite:///… or postgresql://…")


def _config_file() -> Path | None:
    explicit = os.environ.get("CAMFLEET_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise FileNotFoundError(f"CAMFLEET_CONFIG names {path}, which does not exist")
        return path
    default = Path("camfleet.toml")
    return default if default.is_file() else None


class Settings(BaseSettings):
    """Every interval, timeout and threshold of camfleet."""

    model_config = SettingsConfigDict(
        env_prefix="CAMFLEET_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    environment: Environment = Environment.PRODUCTION
    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: SecretStr | None = None
    log_level: str = "INFO"
    timezone: str = "Europe/Amsterdam"

    api: ApiSettings = ApiSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    faults: FaultSettings = FaultSettings()
    alerts: AlertSettings = AlertSettings()
    retention: RetentionSettings = RetentionSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _config_file()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return _to_async_url(value) if value else value

    @model_validator(mode="after")
    def _derive(self) -> Settings:
        if not self.database_url:
            self.database_url = _to_async_url(f"sqlite:///{self.data_dir / 'camfleet.db'}")
        if self.secret_key is not None and self.environment is not Environment.DEVELOPMENT:
            key = self.secret_key.get_secret_value()
            if key.strip().lower() in PLACEHOLDER_SECRETS or len(key) < MIN_SECRET_LENGTH:
                raise ValueError(
                    "secret_key is a placeholder or shorter than "
                    f"{MIN_SECRET_LENGTH} characters; set a real one or leave it unset to use a key file"
                )
        return self

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite default."""
        return self.database_url.startswith("sqlite")

    @property
    def key_file(self) -> Path:
        """Where the generated credential key lives when no secret_key is set."""
        return self.data_dir / "secret.key"


def get_settings(**overrides: Any) -> Settings:
    """Build the settings once from defaults, the TOML file and the environment."""
    return Settings(**overrides)
