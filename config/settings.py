"""camfleet settings: defaults, then a TOML file, then ``CAMFLEET_*`` environment variables."""

from __future__ import annotations

import os
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import ByteSize, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from config.discovery import DiscoverySettings
from config.durations import Duration
from config.events import EventSettings
from config.hygiene import HygieneSettings
from config.networks import CameraSettings
from config.recording import RecordingSettings
from config.rollout import NetworkSettings
from config.section import Section
from config.tickets import TicketSettings
from config.zone import LOCAL_ZONE_NAME

# Values people paste from examples: never acceptable as a real key outside development.
PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "change_me", "secret", "placeholder", "example", "camfleet", "xxx", "todo"}
)
MIN_SECRET_LENGTH = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class SchedulerSettings(Section):
    reachability_interval: Duration = timedelta(seconds=60)
    health_interval: Duration = timedelta(minutes=5)
    identity_interval: Duration = timedelta(hours=24)
    image_interval: Duration = timedelta(hours=1)
    # Certificates, exposed services and configuration drift (cyber hygiene): they change rarely.
    security_interval: Duration = timedelta(days=1)
    # ONVIF Profile G recording and search on the device that records (a recorder, or an edge-recording camera).
    recording_interval: Duration = timedelta(minutes=15)
    device_timeout: Duration = timedelta(seconds=10)
    tick: Duration = timedelta(seconds=5)
    # At most 20,000: a batch's cameras, faults and alerts are looked up by id in one IN list each, and the
    # databases bind at most 32,767 parameters to a statement.
    batch_size: int = Field(default=500, ge=1, le=20_000)
    concurrency: int = Field(default=200, ge=1, le=10_000)
    # The identity check parses several SOAP answers with zeep (about 25 ms of CPU per camera): fewer at once.
    identity_concurrency: int = Field(default=20, ge=1, le=10_000)
    jitter: float = Field(default=0.1, ge=0, le=0.5, description="fraction of the interval")
    # Back-off after a hard failure, for the costly checks (ONVIF, SNMP, stream, picture).
    max_backoff: Duration = timedelta(minutes=30)
    # The reachability check decides up and down: while a camera is down it backs off to at most this multiple of
    # its interval, so an outage's end is recorded within that many reachability intervals (see outage_edges).
    reachability_max_backoff: float = Field(default=2.0, ge=1.0, le=10.0, description="multiple of the interval")
    # The first success of a check that has failed for real is confirmed this soon (never later than its interval),
    # not a whole interval later: the camera is shown up again within this of the success that ends its outage.
    recovery_confirm: Duration = timedelta(seconds=10)
    # A camera whose reachability check has not run for this many intervals is `unknown`: nobody is looking, so its
    # last status is no longer claimed. More than the backed-off interval with jitter, so a down camera never is.
    stale_after_intervals: float = Field(default=3.0, gt=1.0, le=100.0)
    # How long a claimed check stays one collector's. A running collector renews its claims every third of this,
    # so a long batch keeps them; a killed one's checks are taken over by the others of its poller group once it
    # runs out. Shorter than the reachability interval, so a dead collector costs at most one missed interval.
    lease: Duration = timedelta(seconds=30)
    # A job failing (database down, read-only or full) waits twice as long after each failure in a row, up to
    # this, instead of hammering the database and the log at its normal pace.
    failure_backoff_max: Duration = timedelta(minutes=5)
    # The event loop running this late (camfleet busy with its own work) is logged as a warning.
    loop_lag_warning: Duration = timedelta(milliseconds=100)
    # A failed check during which camfleet's own loop stalled this long in all is not the camera's failure: it is
    # not recorded, and runs again at the next tick (counted in camfleet_checks_discarded_overload_total).
    overload_stall: Duration = timedelta(seconds=1)

    @model_validator(mode="after")
    def _lease_outlives_renewal(self) -> SchedulerSettings:
        if self.lease < timedelta(seconds=3):
            raise ValueError("lease must be at least 3s: claims are renewed every third of it")
        if self.stale_after_intervals <= self.reachability_max_backoff * (1 + self.jitter):
            raise ValueError(
                "stale_after_intervals must exceed reachability_max_backoff × (1 + jitter): a camera that is down "
                "would otherwise count as unchecked between two of its checks"
            )
        return self

    @property
    def stale_after(self) -> timedelta:
        """How long without a reachability check before a camera's status is `unknown`."""
        return self.reachability_interval * self.stale_after_intervals

    @property
    def silent_after(self) -> timedelta:
        """How long a poller group may go without a collector's heartbeat before it counts as silent: two leases."""
        return self.lease * 2

    @property
    def reachability_longest(self) -> timedelta:
        """The longest the reachability check waits while a camera is down: its multiple of the interval less what
        a repair then takes to show (a tick to start the check, ``recovery_confirm`` to confirm it), so a repaired
        camera is `up` again within that multiple of the interval; never less than the interval."""
        backed_off = self.reachability_interval * self.reachability_max_backoff - self.recovery_confirm - self.tick
        return max(self.reachability_interval, backed_off)

    @property
    def outage_edges(self) -> timedelta:
        """How close to the truth an outage's start and end are recorded: the longest a change of a camera can go
        unseen by the reachability check (its interval with jitter while up, its backed-off wait while down)."""
        return self.reachability_interval * max(1.0 + self.jitter, self.reachability_max_backoff)


class FaultSettings(Section):
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
    # A device still failing this long after the network fault above it ended is down on its own (then it is
    # announced and ticketed): longer than a camera takes to boot once its switch or PoE is back, plus its
    # backed-off reachability wait.
    cause_grace: Duration = timedelta(minutes=5)


class ImageSettings(Section):
    """Image check thresholds, from 1920×1080 simulator frames of 10 street scenes with noise, dusk-to-sun light
    and cloud shadows (`benchmarks/image_analysis.py --thresholds` prints the ranges; tests/fleet/images keeps the
    margins): brightness and contrast on the 0–255 grey scale; sharpness is gradient energy over contrast, so a
    dark but sharp night picture keeps it; similarity is the cosine of two edge-direction signatures."""

    # A black frame: dark and flat (measured black 0.2 / 0.4; night at a quarter of daylight ≥ 20 / ≥ 9).
    black_max_brightness: float = Field(default=12.0, ge=0, le=255)
    black_max_contrast: float = Field(default=4.0, ge=0, le=255)
    # A covered or taped lens: some light, no picture (measured covered ≤ 2.0; night ≥ 9, day ≥ 22).
    covered_max_contrast: float = Field(default=5.0, ge=0, le=255)
    # A blurred picture (fogged or defocused lens): measured blurred ≤ 0.12, day ≥ 0.29, night ≥ 0.43.
    blurred_max_sharpness: float = Field(default=0.2, ge=0)
    # Turned away from its reference view: measured moved ≤ 0.59, day and night ≥ 0.97.
    moved_min_similarity: float = Field(default=0.8, ge=-1, le=1)
    # Snapshots larger than this are refused (a 4K JPEG is at most about 4 MB).
    max_snapshot_bytes: int = Field(default=8 * 1024 * 1024, ge=64 * 1024, le=256 * 1024 * 1024)
    # Privacy by design: no picture is kept unless this is switched on; then only a tiny grey reference thumbnail.
    reference_thumbnail: bool = False
    thumbnail_width: int = Field(default=64, ge=16, le=160)


class AlertSettings(Section):
    # Faults opening within this window for one channel go out as one message (a dead switch: one e-mail).
    group_window: Duration = timedelta(minutes=2)
    escalate_after: Duration = timedelta(minutes=30)
    dispatch_interval: Duration = timedelta(seconds=5)
    send_timeout: Duration = timedelta(seconds=30)
    retry_base: Duration = timedelta(seconds=30)
    retry_max: Duration = timedelta(hours=1)
    max_attempts: int = Field(default=20, ge=1, le=1000)
    language: Literal["nl", "en"] = "nl"


class DatabaseSettings(Section):
    """How long camfleet waits on its database before it counts the database, not the cameras, as failed."""

    connect_timeout: Duration = timedelta(seconds=10)
    # Client side: a database that stops answering (packets dropped, not refused) fails a statement after this,
    # so a collector logs it and backs off instead of hanging. The server's statement_timeout is the same.
    statement_timeout: Duration = timedelta(seconds=120)
    # Waiting for a row or table lock (PostgreSQL lock_timeout, SQLite busy_timeout).
    lock_timeout: Duration = timedelta(seconds=30)
    # A transaction left open by a vanished client gives its locks back after this (PostgreSQL).
    idle_in_transaction_timeout: Duration = timedelta(minutes=5)
    # TCP keepalives on PostgreSQL connections: a dead peer is noticed in idle + interval × count.
    keepalive_idle: Duration = timedelta(seconds=30)
    keepalive_interval: Duration = timedelta(seconds=10)
    keepalive_count: int = Field(default=3, ge=1, le=100)


class RetentionSettings(Section):
    raw_results: Duration = timedelta(days=30)
    # Each camera's footage coverage (when footage was seen, and its gaps): numbers, not footage, kept long enough
    # for the annual chapter of the year before.
    footage_history: Duration = timedelta(days=800)


class UptimeSettings(Section):
    # How often closed days are rolled up. Reports take days not rolled up yet from the raw intervals, so this only
    # bounds how much raw history a report reads: hourly keeps it to the day in progress, plus an hour.
    rollup_interval: Duration = timedelta(hours=1)
    # Cameras per roll-up transaction: small enough that a first roll-up of a year of history (about 0.5 s of
    # CPU per 200 cameras) never holds up the poller for long, large enough that the daily run is a few statements.
    rollup_batch: int = Field(default=200, ge=1, le=100_000)


class DecisionSettings(Section):
    check_interval: Duration = timedelta(minutes=5)
    # The coordinator is reminded this long before a deployment decision ends.
    reminder_before: Duration = timedelta(days=14)


class InventorySettings(Section):
    # Municipal CCTV cameras are usually written off over 5–8 years; the replacement plan scores age against this.
    expected_life_years: float = Field(default=8.0, gt=0, le=50)


class ApiSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # The largest request body, counted while it streams in (pages and API alike): 413 past it. Takes "2MiB".
    # No route takes a file today; an import route would get its own, larger limit.
    max_body: ByteSize = Field(default=ByteSize(2 * 1024 * 1024), ge=1024)
    page_size_max: int = Field(default=500, ge=1, le=10_000)
    # A new API token expires after this long unless it is made without expiry on purpose (a service account's
    # `tokens create --no-expiry`, the API's "no_expiry"); an expired token is refused (401) like a revoked one.
    token_lifetime: Duration = timedelta(days=90)

    @field_validator("token_lifetime")
    @classmethod
    def _token_lifetime(cls, value: timedelta) -> timedelta:
        if value < timedelta(minutes=1):
            raise ValueError("token_lifetime must be at least 1m")
        return value


class RiskSettings(Section):
    """Policy choices of the vendor-origin risk classification (fleet/vendor_risk/README.md explains the defaults)."""

    # The US Entity List restricts exports to a maker (Uniview, Tiandy), not buying or using its cameras: medium
    # by default; true counts them as high like the FCC Covered List and NDAA s.889 makers.
    entity_list_is_high: bool = False
    # A relabel brand counts as its OEM maker without device evidence only at or above this catalogue confidence
    # (Amcrest 0.9 and Lorex 0.6 do; Honeywell 0.3 and i-PRO 0.2, where only some models were OEM units, do not).
    oem_relabel_min_confidence: float = Field(default=0.5, ge=0, le=1)


class WebSettings(Section):
    """The pages for people: sign-in sessions, login throttling, language and the map."""

    # Sessions live in the database, so logging out, a role change or a deactivated user takes effect at once.
    # A session unused this long ends (a forgotten browser in the control room); none lasts longer than a shift.
    session_idle: Duration = timedelta(minutes=30)
    session_absolute: Duration = timedelta(hours=12)
    cookie_name: str = Field(default="camfleet_session", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    # Failed logins counted over this window; beyond either limit the login is refused with one message that says
    # neither whether the user exists nor which limit was hit. Per name: password guessing on one account; per
    # address: spraying many accounts (set higher where a whole office shares one address).
    login_window: Duration = timedelta(minutes=15)
    login_max_failures_per_user: int = Field(default=5, ge=1, le=10_000)
    login_max_failures_per_address: int = Field(default=20, ge=1, le=100_000)
    # Past its limit a name is not locked out: it waits this long, twice as long after each further failure, up
    # to the window. So someone guessing cannot shut the real user out for long.
    login_delay: Duration = timedelta(seconds=30)
    # The password policy (fleet/users/passwords.py): at least this many characters (OWASP ASVS asks 12, NIST
    # 800-63B at least 8), never the user name, never one of the common passwords shipped with camfleet.
    password_min_length: int = Field(default=12, ge=8, le=128)
    # Reports as PDF, spreadsheets, charts and password checks run beside the event loop, at most this many at
    # once (each kind: processes for documents and spreadsheets, threads for passwords); the rest wait their turn.
    heavy_workers: int = Field(default=2, ge=1, le=64)
    # Reverse proxies (IP addresses) whose X-Forwarded-Proto/-For are believed; empty: none, the default, so a
    # client cannot pretend to be on HTTPS or at another address.
    trusted_proxies: list[str] = []
    language: Literal["nl", "en"] = "nl"
    dashboard_refresh: Duration = timedelta(seconds=30)
    # Map tiles, e.g. "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png".
    # Empty (the default): no tiles, the points on a plain background, so the map works offline.
    tile_url: str = Field(default="", max_length=500)
    tile_attribution: str = Field(default="", max_length=500)

    @field_validator("tile_url")
    @classmethod
    def _tile_url(cls, value: str) -> str:
        if value and not value.startswith("https://") and not value.startswith("http://"):
            raise ValueError("tile_url must be an http(s) URL with {z}, {x} and {y}")
        return value

    @property
    def tile_origin(self) -> str | None:
        """The scheme and host of the tile URL (for the Content-Security-Policy), or None without tiles."""
        if not self.tile_url:
            return None
        scheme, _, rest = self.tile_url.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}"


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
    timezone: str = LOCAL_ZONE_NAME

    api: ApiSettings = ApiSettings()
    cameras: CameraSettings = CameraSettings()
    database: DatabaseSettings = DatabaseSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    faults: FaultSettings = FaultSettings()
    image: ImageSettings = ImageSettings()
    hygiene: HygieneSettings = HygieneSettings()
    alerts: AlertSettings = AlertSettings()
    tickets: TicketSettings = TicketSettings()
    retention: RetentionSettings = RetentionSettings()
    uptime: UptimeSettings = UptimeSettings()
    inventory: InventorySettings = InventorySettings()
    decisions: DecisionSettings = DecisionSettings()
    recording: RecordingSettings = RecordingSettings()
    risk: RiskSettings = RiskSettings()
    web: WebSettings = WebSettings()
    events: EventSettings = EventSettings()
    discovery: DiscoverySettings = DiscoverySettings()
    network: NetworkSettings = NetworkSettings()

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
