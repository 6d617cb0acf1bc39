"""Typed settings, read once from the environment and passed in; nothing deeper reads os.environ."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from hub.errors import ConfigurationError

Environment = Literal["development", "production"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./hub.db"


@dataclass(frozen=True)
class RateLimit:
    """A token bucket: `rate` requests a second on average, up to `burst` at once."""

    rate: float
    burst: int

    def __str__(self) -> str:
        return f"{self.rate:g}/{self.burst}"


DEFAULT_RATE_LIMIT = RateLimit(rate=50.0, burst=100)
# Three years, counting a leap day; shorter is refused.
DEFAULT_AUDIT_RETENTION_DAYS = 3 * 365 + 1
MIN_AUDIT_RETENTION_DAYS = 3 * 365
# How far back a change-feed consumer may resume; older cursors resync from a snapshot.
DEFAULT_FEED_RETENTION_DAYS = 400
# No statement of a request takes this long unless the database is in trouble; a 10,000-check
# batch's largest statement takes about a second.
DEFAULT_STATEMENT_TIMEOUT_SECONDS = 30
# A console session unused for half an hour ends.
DEFAULT_CONSOLE_IDLE_MINUTES = 30
# A client asks for a token every quarter of an hour; many more asks are guesses of a secret.
DEFAULT_TOKEN_RATE_LIMIT = RateLimit(rate=1.0, burst=10)


@dataclass(frozen=True)
class TrustedIssuer:
    """An external OAuth issuer (an identity provider) whose access tokens the hub accepts,
    with its public keys in a JWKS file or at a JWKS URL (exactly one of the two)."""

    issuer: str
    audience: str
    jwks_url: str | None = None
    jwks_file: Path | None = None

    def __post_init__(self) -> None:
        if (self.jwks_url is None) == (self.jwks_file is None):
            raise ConfigurationError(
                "an external issuer needs its keys: a JWKS URL or a JWKS file, not both",
                field="HUB_EXTERNAL_JWKS",
            )

    def __repr__(self) -> str:
        jwks = _mask_url(self.jwks_url) if self.jwks_url else str(self.jwks_file)
        return f"TrustedIssuer({self.issuer!r}, audience={self.audience!r}, jwks={jwks!r})"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    env: Environment = "development"
    keys_dir: Path = Path(".hub-keys")
    issuer: str = "urn:zhengwu-credit-hub"
    token_lifetime_seconds: int = 900
    # For POST /oauth/token, per client id and per address; None switches it off.
    token_rate_limit: RateLimit | None = DEFAULT_TOKEN_RATE_LIMIT
    # None: only the hub's own tokens are accepted.
    external_issuer: TrustedIssuer | None = None
    # None switches rate limiting off (a benchmark, or a limit enforced in front of the hub).
    rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT
    rate_limits_per_client: Mapping[str, RateLimit] = field(default_factory=dict)
    # Where the buckets live: "memory" (each process its own), "database" (shared through the
    # hub's database), or a redis:// URL (shared through Redis).
    rate_limit_store: str = "memory"
    # A persisted operations manifest (hub.web.persisted); None: any operation, sent as text.
    persisted_operations: Path | None = None
    # How long `hub audit prune` keeps audit rows (PIPL Art. 56: at least three years).
    audit_retention_days: int = DEFAULT_AUDIT_RETENTION_DAYS
    # Official holidays of years the installed calendar does not know yet (hub.lifecycle).
    holidays: Path | None = None
    # How old a change-feed cursor may be before the consumer must resync (CURSOR_EXPIRED).
    feed_retention_days: int = DEFAULT_FEED_RETENTION_DAYS
    # A statement (PostgreSQL) running longer is cancelled and its request answered 503.
    statement_timeout_seconds: int = DEFAULT_STATEMENT_TIMEOUT_SECONDS
    # A console session unused this long ends (the officer signs in again).
    console_idle_minutes: int = DEFAULT_CONSOLE_IDLE_MINUTES

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    # A settings object may end up in a log line: the database password never does.
    def __repr__(self) -> str:
        return (
            f"Settings(database_url={_mask_url(self.database_url)!r}, env={self.env!r}, "
            f"keys_dir={str(self.keys_dir)!r}, issuer={self.issuer!r}, "
            f"token_lifetime_seconds={self.token_lifetime_seconds}, "
            f"token_rate_limit={str(self.token_rate_limit or 'off')!r}, "
            f"external_issuer={self.external_issuer!r}, "
            f"rate_limit={str(self.rate_limit or 'off')!r}, "
            f"rate_limits_per_client={_limits_text(self.rate_limits_per_client)!r}, "
            f"rate_limit_store={_mask_url(self.rate_limit_store)!r}, "
            f"persisted_operations={str(self.persisted_operations or 'off')!r}, "
            f"audit_retention_days={self.audit_retention_days}, "
            f"holidays={str(self.holidays or 'built-in')!r}, "
            f"feed_retention_days={self.feed_retention_days}, "
            f"statement_timeout_seconds={self.statement_timeout_seconds}, "
            f"console_idle_minutes={self.console_idle_minutes})"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        mode = env.get("HUB_ENV", "development")
        if mode not in ("development", "production"):
            raise ConfigurationError(
                f"HUB_ENV must be 'development' or 'production', got {mode!r}", field="HUB_ENV"
            )
        lifetime = env.get("HUB_TOKEN_LIFETIME", "900")
        if not lifetime.isdigit() or int(lifetime) <= 0:
            raise ConfigurationError(
                "HUB_TOKEN_LIFETIME must be a positive number of seconds",
                field="HUB_TOKEN_LIFETIME",
            )
        manifest = env.get("HUB_PERSISTED_OPERATIONS", "").strip()
        holidays = env.get("HUB_HOLIDAYS", "").strip()
        return cls(
            database_url=normalise_database_url(env.get("HUB_DATABASE_URL", DEFAULT_DATABASE_URL)),
            env=mode,  # type: ignore[arg-type]
            keys_dir=Path(env.get("HUB_KEYS_DIR", ".hub-keys")),
            issuer=env.get("HUB_ISSUER", "urn:zhengwu-credit-hub"),
            token_lifetime_seconds=int(lifetime),
            token_rate_limit=_rate_limit_setting(
                env.get("HUB_TOKEN_RATE_LIMIT", str(DEFAULT_TOKEN_RATE_LIMIT)),
                "HUB_TOKEN_RATE_LIMIT",
            ),
            external_issuer=_trusted_issuer(env, mode == "production"),
            rate_limit=_rate_limit_setting(
                env.get("HUB_RATE_LIMIT", str(DEFAULT_RATE_LIMIT)), "HUB_RATE_LIMIT"
            ),
            rate_limit_store=_rate_limit_store(env.get("HUB_RATE_LIMIT_STORE", "")),
            rate_limits_per_client=parse_rate_limits_per_client(
                env.get("HUB_RATE_LIMITS_PER_CLIENT", "")
            ),
            persisted_operations=Path(manifest) if manifest else None,
            audit_retention_days=_retention_days(env.get("HUB_AUDIT_RETENTION_DAYS", "")),
            holidays=Path(holidays) if holidays else None,
            feed_retention_days=_feed_retention_days(env.get("HUB_FEED_RETENTION_DAYS", "")),
            statement_timeout_seconds=_positive(
                env.get("HUB_STATEMENT_TIMEOUT", ""),
                DEFAULT_STATEMENT_TIMEOUT_SECONDS,
                "HUB_STATEMENT_TIMEOUT",
                "seconds",
            ),
            console_idle_minutes=_positive(
                env.get("HUB_CONSOLE_IDLE_MINUTES", ""),
                DEFAULT_CONSOLE_IDLE_MINUTES,
                "HUB_CONSOLE_IDLE_MINUTES",
                "minutes",
            ),
        )


def _rate_limit_store(text: str) -> str:
    store = text.strip() or "memory"
    if store in ("memory", "database") or store.startswith(("redis://", "rediss://")):
        return store
    raise ConfigurationError(
        f"HUB_RATE_LIMIT_STORE must be memory, database or a redis:// URL; got {store!r}",
        field="HUB_RATE_LIMIT_STORE",
    )


def _feed_retention_days(text: str) -> int:
    return _positive(text, DEFAULT_FEED_RETENTION_DAYS, "HUB_FEED_RETENTION_DAYS", "days")


def _positive(text: str, default: int, variable: str, unit: str) -> int:
    if not text.strip():
        return default
    if not text.strip().isdigit() or int(text) < 1:
        raise ConfigurationError(
            f"{variable} must be a positive number of {unit}; got {text!r}", field=variable
        )
    return int(text)


def _retention_days(text: str) -> int:
    if not text.strip():
        return DEFAULT_AUDIT_RETENTION_DAYS
    if not text.strip().isdigit() or int(text) < MIN_AUDIT_RETENTION_DAYS:
        raise ConfigurationError(
            f"HUB_AUDIT_RETENTION_DAYS must be a number of days, at least "
            f"{MIN_AUDIT_RETENTION_DAYS} (PIPL Art. 56 keeps processing records three years); "
            f"got {text!r}",
            field="HUB_AUDIT_RETENTION_DAYS",
        )
    return int(text)


def _rate_limit_setting(text: str, variable: str) -> RateLimit | None:
    if text.strip().lower() == "off":
        return None
    return parse_rate_limit(text, variable)


def _trusted_issuer(env: Mapping[str, str], production: bool) -> TrustedIssuer | None:
    issuer = env.get("HUB_EXTERNAL_ISSUER", "").strip()
    jwks = env.get("HUB_EXTERNAL_JWKS", "").strip()
    audience = env.get("HUB_EXTERNAL_AUDIENCE", "").strip()
    if not issuer and not jwks and not audience:
        return None
    if not issuer:
        raise ConfigurationError(
            "HUB_EXTERNAL_ISSUER is required with HUB_EXTERNAL_JWKS or HUB_EXTERNAL_AUDIENCE: "
            "set it to the `iss` of the tokens to trust, or unset them",
            field="HUB_EXTERNAL_ISSUER",
        )
    hub_issuer = env.get("HUB_ISSUER", Settings.issuer)
    if issuer == hub_issuer:
        raise ConfigurationError(
            f"HUB_EXTERNAL_ISSUER must differ from HUB_ISSUER ({hub_issuer!r}): the `iss` of "
            "a token decides which keys verify it",
            field="HUB_EXTERNAL_ISSUER",
        )
    if not jwks:
        raise ConfigurationError(
            "HUB_EXTERNAL_JWKS is required with HUB_EXTERNAL_ISSUER: the path of a JWKS file "
            "or the https:// URL of the issuer's JWKS",
            field="HUB_EXTERNAL_JWKS",
        )
    if jwks.startswith("http://") and production:
        raise ConfigurationError(
            f"HUB_EXTERNAL_JWKS must be an https:// URL in production (keys fetched over "
            f"plain HTTP can be replaced on the way); got {_mask_url(jwks)!r}",
            field="HUB_EXTERNAL_JWKS",
        )
    is_url = jwks.startswith(("https://", "http://"))
    return TrustedIssuer(
        issuer=issuer,
        audience=audience or hub_issuer,
        jwks_url=jwks if is_url else None,
        jwks_file=None if is_url else Path(jwks),
    )


def parse_rate_limit(text: str, variable: str) -> RateLimit:
    """`50/100`: 50 requests a second, bursts of up to 100."""
    rate, _, burst = text.strip().partition("/")
    try:
        limit = RateLimit(float(rate), int(burst))
    except ValueError:
        limit = RateLimit(0.0, 0)
    if not (math.isfinite(limit.rate) and limit.rate > 0 and limit.burst >= 1):
        raise ConfigurationError(
            f"{variable} must be 'rate/burst' (requests a second, then the largest burst), "
            f"e.g. '50/100'; got {text!r}",
            field=variable,
        )
    return limit


def parse_rate_limits_per_client(text: str) -> dict[str, RateLimit]:
    """`client_id=rate/burst,…`: a limit of its own for each client named."""
    variable = "HUB_RATE_LIMITS_PER_CLIENT"
    limits: dict[str, RateLimit] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        client_id, equals, limit = item.partition("=")
        if not equals or not client_id.strip():
            raise ConfigurationError(
                f"{variable} must be 'client_id=rate/burst,…', e.g. 'c-1=5/10,c-2=200/400'; "
                f"got {item!r}",
                field=variable,
            )
        limits[client_id.strip()] = parse_rate_limit(limit, variable)
    return limits


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (`postgresql://`, `sqlite:///`) and pick the async driver."""
    for plain, asynchronous in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite:///", "sqlite+aiosqlite:///"),
    ):
        if url.startswith(plain):
            return asynchronous + url[len(plain) :]
    return url


def _limits_text(limits: Mapping[str, RateLimit]) -> str:
    return ",".join(f"{client}={limit}" for client, limit in limits.items())


def _mask_url(url: str) -> str:
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
